"""One command's view of the world: settings, the actor, and connections opened on first use.

Where things run: TEMPORAL_ADDRESS and DATABASE_URL when set; otherwise what a running
`baton up` announced in $BATON_HOME/stack.json; otherwise the embedded defaults, which are only
there while `baton up` runs.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from cli.errors import bad_input, unreachable
from cli.failures import postgres_unreachable, temporal_unreachable
from cli.output import Output
from cli.stack_files import StackFiles, StackInfo
from workers.settings import Settings

if TYPE_CHECKING:
    from temporalio.client import Client

    from store import EventStore
    from workflows.client import InitiativeClient

CONNECT_TIMEOUT = 10.0
# A worker that polls the task queue answers within milliseconds; this long means none will.
WORKER_TIMEOUT = 30.0


class Session:
    def __init__(self, args: argparse.Namespace, out: Output) -> None:
        self.out = out
        self.settings = Settings.from_env()
        self.stack = StackFiles(self.settings.home)
        self._running: StackInfo | None = self.stack.running()
        self._given_actor: str | None = getattr(args, "actor", None)
        self._temporal: Client | None = None
        self._store: EventStore | None = None
        self._audit_store: EventStore | None = None

    # -- who and where -----------------------------------------------------------------------

    def actor(self) -> str:
        actor = (self._given_actor or self.settings.actor or "").strip()
        if not actor:
            raise bad_input("who is acting? pass --as ACTOR or set BATON_ACTOR")
        if any(character.isspace() for character in actor) or len(actor) > 254:
            raise bad_input(f"--as: {actor!r} is not an actor id (no spaces, at most 254 "
                            "characters)")
        try:
            actor.encode()
        except UnicodeEncodeError:  # bytes that are not UTF-8 reach argv as lone surrogates
            raise bad_input(f"--as: {actor!r} is not UTF-8 text") from None
        return actor

    @property
    def temporal_address(self) -> str:
        if self.settings.temporal_address:
            return self.settings.temporal_address
        if self._running is not None:
            return self._running.temporal_address
        return f"127.0.0.1:{self.settings.temporal_port}"

    @property
    def ui_url(self) -> str | None:
        if self.settings.temporal_address or self._running is None:
            return None
        return self._running.ui_url

    @property
    def database_url(self) -> str | None:
        if self.settings.database_url:
            return self.settings.database_url
        return self._running.database_url if self._running is not None else None

    @property
    def task_queue(self) -> str:
        return self.settings.task_queue

    # -- connections -------------------------------------------------------------------------

    async def temporal(self) -> Client:
        if self._temporal is None:
            from workers.temporal_client import connect_client

            try:
                self._temporal = await asyncio.wait_for(
                    connect_client(self.settings, address=self.temporal_address),
                    CONNECT_TIMEOUT)
            except (ConnectionError, TimeoutError):
                raise temporal_unreachable(
                    self.temporal_address, bool(self.settings.temporal_address)) from None
        return self._temporal

    async def initiatives(self) -> InitiativeClient:
        from workflows.client import InitiativeClient

        return InitiativeClient(await self.temporal(), self.task_queue,
                                source_hosts=self.settings.metric_source_hosts)

    async def store(self) -> EventStore:
        if self._store is None:
            dsn = self.database_url
            if dsn is None:
                raise unreachable(
                    f"PostgreSQL is not running: nothing is up under {self.settings.home} and "
                    "DATABASE_URL is not set; run `baton up` (or `baton up --detach`)")
            self._store = await open_store(dsn, self.settings.db_schema,
                                           configured=bool(self.settings.database_url))
        return self._store

    @property
    def audit_database_url(self) -> str | None:
        return self.settings.audit_database_url or self.database_url

    async def audit_store(self) -> EventStore:
        """The store as an auditor reads it: through BATON_AUDIT_DATABASE_URL when set (a
        read-only role, see the README), and never migrated, since reading needs no writes."""
        if self._audit_store is None:
            audit_dsn = self.settings.audit_database_url
            dsn = self.audit_database_url
            if dsn is None:
                raise unreachable(
                    f"PostgreSQL is not running: nothing is up under {self.settings.home} and "
                    "neither BATON_AUDIT_DATABASE_URL nor DATABASE_URL is set")
            self._audit_store = await open_store(
                dsn, self.settings.db_schema, migrate=False,
                configured=bool(audit_dsn or self.settings.database_url),
                variable="BATON_AUDIT_DATABASE_URL" if audit_dsn else "DATABASE_URL")
        return self._audit_store

    async def require_worker(self) -> None:
        """Refuse early, recording nothing, when no worker would carry the command out."""
        if not await worker_identities(await self.temporal(), self.settings.temporal_namespace,
                                       self.task_queue):
            raise unreachable(
                f"no worker polls task queue {self.task_queue!r} at {self.temporal_address}: "
                "run `baton up` or `baton worker`")

    @asynccontextmanager
    async def worker_answers(self, meanwhile: str = "") -> AsyncIterator[None]:
        """Around a call that a worker must answer: says so when it is slow, and gives up after
        WORKER_TIMEOUT; `meanwhile` tells what becomes of the request then."""
        try:
            async with (
                self.out.patience(f"waiting for a worker on task queue {self.task_queue!r}..."),
                asyncio.timeout(WORKER_TIMEOUT),
            ):
                yield
        except TimeoutError:
            raise unreachable(
                f"no worker answered on task queue {self.task_queue!r} within "
                f"{WORKER_TIMEOUT:.0f} s" + (f"; {meanwhile}" if meanwhile else "")) from None

    async def close(self) -> None:
        for store in (self._store, self._audit_store):
            if store is not None:
                await store.close()
        self._store = self._audit_store = None


async def open_store(dsn: str, schema: str, *, configured: bool, migrate: bool = True,
                     variable: str = "DATABASE_URL") -> EventStore:
    import asyncpg

    from store import EventStore

    try:
        return await asyncio.wait_for(
            EventStore.connect(dsn, schema=schema, migrate=migrate, min_pool_size=1,
                               max_pool_size=4),
            CONNECT_TIMEOUT)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise postgres_unreachable(dsn, detail, configured, variable) from None


async def worker_identities(client: Client, namespace: str, task_queue: str) -> list[str]:
    """Who polls `task_queue` for workflow tasks (the server remembers pollers for a minute)."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    response: Any = await client.workflow_service.describe_task_queue(DescribeTaskQueueRequest(
        namespace=namespace, task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))
    return [poller.identity for poller in response.pollers]
