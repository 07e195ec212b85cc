"""The composition root of the doors: where things run, and the use cases' `Context` built from
the settings, with openers that say in one line what cannot be reached and what to do about it.
The use cases are imported when a command runs, so that `baton --help` stays quick.

Where things run: TEMPORAL_ADDRESS and DATABASE_URL when set; otherwise what a running
`baton up` announced in $BATON_HOME/stack.json; otherwise the embedded defaults, which are only
there while `baton up` runs.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from devstack.stack_files import StackFiles, StackInfo
from store.dsn import redact_dsn
from workers.settings import Settings, SettingsError

if TYPE_CHECKING:
    from temporalio.client import Client

    from app.context import Context, Where
    from store import EventStore

CONNECT_TIMEOUT = 10.0
_NEXT_STEP = "run `baton up` (or `baton up --detach`)"


def load_settings() -> Settings:
    from app.errors import invalid

    try:
        return Settings.from_env()
    except SettingsError as error:
        raise invalid(str(error)) from None


def redact(dsn: str) -> str:
    """The DSN without its password (in the user part or the query), fit to print."""
    return redact_dsn(dsn)


class Place:
    """Where Temporal and PostgreSQL are for this process (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stack = StackFiles(settings.home)
        self.running: StackInfo | None = self.stack.running()

    @property
    def temporal_address(self) -> str:
        from workers.temporal_client import temporal_address

        if self.settings.temporal_address is None and self.running is not None:
            return self.running.temporal_address
        return temporal_address(self.settings)

    @property
    def ui_url(self) -> str | None:
        if self.settings.temporal_address or self.running is None:
            return None
        return self.running.ui_url

    @property
    def database_url(self) -> str | None:
        if self.settings.database_url:
            return self.settings.database_url
        return self.running.database_url if self.running is not None else None

    @property
    def audit_database_url(self) -> str | None:
        return self.settings.audit_database_url or self.database_url

    def where(self) -> Where:
        from app.context import Where

        s = self.settings
        return Where(temporal_address=self.temporal_address, namespace=s.temporal_namespace,
                     task_queue=s.task_queue, db_schema=s.db_schema,
                     audit_dsn=self.audit_database_url, default_actor=s.actor,
                     api_url=s.api_url, api_token=s.api_token)

    async def temporal(self) -> Client:
        from app.errors import unavailable
        from workers.temporal_client import connect_client

        try:
            return await asyncio.wait_for(
                connect_client(self.settings, address=self.temporal_address), CONNECT_TIMEOUT)
        except (ConnectionError, TimeoutError):
            configured = bool(self.settings.temporal_address)
            hint = ("check TEMPORAL_ADDRESS" if configured
                    else f"{_NEXT_STEP}, or set TEMPORAL_ADDRESS")
            raise unavailable(
                f"cannot reach Temporal at {self.temporal_address}: {hint}") from None

    async def store(self, *, migrate: bool = True) -> EventStore:
        from app.errors import unavailable

        dsn = self.database_url
        if dsn is None:
            raise unavailable(
                f"PostgreSQL is not running: nothing is up under {self.settings.home} and "
                f"DATABASE_URL is not set; {_NEXT_STEP}")
        return await open_store(dsn, self.settings.db_schema, migrate=migrate,
                                configured=bool(self.settings.database_url))

    async def audit_store(self) -> EventStore:
        """Through BATON_AUDIT_DATABASE_URL when set (a read-only role, see the README), and
        never migrated, since reading needs no writes."""
        from app.errors import unavailable

        audit_dsn = self.settings.audit_database_url
        dsn = self.audit_database_url
        if dsn is None:
            raise unavailable(
                f"PostgreSQL is not running: nothing is up under {self.settings.home} and "
                "neither BATON_AUDIT_DATABASE_URL nor DATABASE_URL is set")
        return await open_store(
            dsn, self.settings.db_schema, migrate=False,
            configured=bool(audit_dsn or self.settings.database_url),
            variable="BATON_AUDIT_DATABASE_URL" if audit_dsn else "DATABASE_URL")

    def context(self) -> Context:
        from app.context import Context

        return Context(where=self.where(), open_temporal=self.temporal, open_store=self.store,
                       open_read_store=lambda: self.store(migrate=False),
                       open_audit_store=self.audit_store,
                       answer_timeout=self.settings.answer_timeout,
                       source_hosts=self.settings.metric_source_hosts)


def database_url(settings: Settings) -> str:
    """DATABASE_URL when set, else the DSN of the embedded server, started if needed and left
    running after this process exits (devstack/embedded_postgres.py says why)."""
    if settings.database_url:
        return settings.database_url
    from devstack.embedded_postgres import ensure_embedded_postgres

    return ensure_embedded_postgres(settings.postgres_dir).dsn


def context_from_env() -> Context:
    """The use cases' context for one command, from the environment."""
    return Place(load_settings()).context()


async def open_store(dsn: str, schema: str, *, configured: bool, migrate: bool = True,
                     variable: str = "DATABASE_URL") -> EventStore:
    import asyncpg

    from app.errors import unavailable
    from store import EventStore
    from store.errors import MigrationError

    try:
        return await asyncio.wait_for(
            EventStore.connect(dsn, schema=schema, migrate=migrate, min_pool_size=1,
                               max_pool_size=4),
            CONNECT_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        hint = f"check {variable}" if configured else f"{_NEXT_STEP}, or set {variable}"
        raise unavailable(
            f"cannot reach PostgreSQL at {redact(dsn)} ({detail}): {hint}") from None
    except MigrationError as error:
        raise unavailable(f"the database cannot be used as it is: {error}") from None

