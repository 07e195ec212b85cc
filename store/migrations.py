"""Applying the versioned SQL files in store/migrations to one schema.

Each file is `NNNN_name.sql` and runs once, with search_path set to the target schema, so the
files name tables without a schema and serve any schema. One run applies every pending file in a
single transaction: a failure leaves the schema as it was. Applied versions are recorded with a
checksum in `<schema>.schema_migrations`; a file edited after it was applied is refused rather
than silently skipped. A transaction-scoped advisory lock keyed on the schema name makes
processes that start at the same moment take turns: the second finds nothing left to do.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources

import asyncpg

from .errors import MigrationError
from .models import Connection

MIGRATION_LOCK_TIMEOUT_MS = 5000
_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# The one rule for schema names, which the settings apply too. Lowercase only: the store quotes
# the name, and a quoted "Baton" is another schema than the baton an unquoted query finds.
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SCHEMA_NAME_RULE = "a lowercase SQL identifier (a-z, 0-9 and _, not starting with a digit)"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str = field(repr=False)

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def quote_schema(schema: str) -> str:
    """The schema as a quoted identifier, after checking it is a plain lowercase name."""
    if not SCHEMA_NAME.match(schema):
        raise ValueError(f"schema must be {SCHEMA_NAME_RULE}, got {schema!r}")
    return f'"{schema}"'


def load_migrations() -> list[Migration]:
    migrations = []
    for entry in resources.files("store").joinpath("migrations").iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            migrations.append(Migration(int(match[1]), match[2], entry.read_text("utf-8")))
    migrations.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"migration versions must run 1, 2, 3... without gaps: {versions}")
    return migrations


async def pending_migrations(connection: Connection, schema: str) -> list[Migration]:
    """What `apply_migrations` would apply, read without any DDL or lock: every migration when
    the schema has no record of them yet (or this role may not see it)."""
    quoted = quote_schema(schema)
    if await connection.fetchval("SELECT to_regclass($1)", f"{quoted}.schema_migrations") is None:
        return load_migrations()
    rows = await connection.fetch(f"SELECT version, checksum FROM {quoted}.schema_migrations")
    return _pending(load_migrations(), {row["version"]: row["checksum"] for row in rows})


async def apply_migrations(connection: Connection, schema: str) -> list[Migration]:
    """Bring `schema` up to date in one transaction; returns the migrations this call applied.

    A schema already up to date is only read: the running processes log in as a role that may
    not change the schema (baton_runtime, migration 0010), and each checks this on start."""
    if not await pending_migrations(connection, schema):
        return []
    try:
        return await _apply_pending(connection, schema)
    except asyncpg.InsufficientPrivilegeError as error:
        pending = ", ".join(f"{m.version:04d}_{m.name}"
                            for m in await pending_migrations(connection, schema))
        raise MigrationError(
            f"schema {schema!r} needs migrations ({pending}) that this database role may not "
            f"apply ({error}): run `python -m workers.migrate` with the schema owner's "
            "DATABASE_URL first") from None


async def _apply_pending(connection: Connection, schema: str) -> list[Migration]:
    quoted = quote_schema(schema)
    async with connection.transaction():
        await connection.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"baton.migrations/{schema}"
        )
        await connection.execute(
            f"""
            CREATE SCHEMA IF NOT EXISTS {quoted};
            CREATE TABLE IF NOT EXISTS {quoted}.schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                checksum   text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            SET LOCAL search_path TO {quoted};
            """
        )
        rows = await connection.fetch("SELECT version, checksum FROM schema_migrations")
        pending = _pending(load_migrations(), {row["version"]: row["checksum"] for row in rows})
        # A migration that alters a table waits for every reader of it, and appends queue
        # behind that wait: a long read (an auditor's report, say) must not stall them for
        # longer than this. The migration is then refused, whole, and can be run again.
        await connection.execute(f"SET LOCAL lock_timeout = '{MIGRATION_LOCK_TIMEOUT_MS}ms'")
        for migration in pending:
            try:
                await connection.execute(migration.sql)
            except asyncpg.LockNotAvailableError as error:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} could not lock the "
                    f"tables it changes within {MIGRATION_LOCK_TIMEOUT_MS / 1000:g} s: a long "
                    "transaction is reading them; nothing was changed, run it again later"
                ) from error
            await connection.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
        return pending


def _pending(migrations: list[Migration], applied: dict[int, str]) -> list[Migration]:
    pending = []
    for migration in migrations:
        if migration.version not in applied:
            pending.append(migration)
        elif applied[migration.version] != migration.checksum:
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} changed after it was "
                f"applied; add a new migration instead"
            )
    return pending
