"""Migrations: applied once per schema, even when processes start together; edits are refused."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from store import EventStore, MigrationError
from store.migrations import load_migrations


async def test_migrating_again_applies_nothing(store: EventStore) -> None:
    assert await store.migrate() == []


async def test_processes_starting_together_migrate_once(
    database_url: str, admin: asyncpg.Connection
) -> None:
    schema = f"store_test_{uuid.uuid4().hex[:12]}"
    stores = await asyncio.gather(
        *(EventStore.connect(database_url, schema=schema) for _ in range(4))
    )
    try:
        versions = await admin.fetch(f"SELECT version FROM {schema}.schema_migrations")
        assert sorted(row["version"] for row in versions) == [
            migration.version for migration in load_migrations()
        ]
    finally:
        for opened in stores:
            await opened.close()
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")


async def test_a_migration_edited_after_it_ran_is_refused(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    await admin.execute(
        f"UPDATE {store.schema}.schema_migrations SET checksum = 'edited' WHERE version = 1"
    )
    with pytest.raises(MigrationError, match="0001_events_and_streams changed after it was"):
        await store.migrate()


@pytest.mark.parametrize("schema", ["Baton", "baton; drop table x", "1baton", ""])
async def test_schema_names_must_be_plain_identifiers(database_url: str, schema: str) -> None:
    with pytest.raises(ValueError, match="lowercase SQL identifier"):
        await EventStore.connect(database_url, schema=schema)
