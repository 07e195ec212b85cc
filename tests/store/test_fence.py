"""The global-order fence belongs to the writers: no reader, least of all an auditor, can hold
up an append with it."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from store import EventStore, MigrationError
from tests.auditor_login import auditor_dsn

from .builders import events

__all__ = ["auditor_dsn"]  # a fixture: imported to be found, not called

# The key of the advisory lock appends used to share and the global reader took alone.
OLD_FENCE = "1650553967, '{schema}.events'::regclass::oid::integer"


async def test_an_auditor_holding_a_transaction_open_never_blocks_an_append(
    store: EventStore, auditor_dsn: str
) -> None:
    await store.append("i-1", 0, events("i-1", 0, 2))
    schema = store.schema
    auditor = await asyncpg.connect(auditor_dsn)
    try:
        async with auditor.transaction(isolation="repeatable_read", readonly=True):
            # Everything an auditor can do to get in the writers' way, then keep waiting.
            await auditor.fetch(f"SELECT * FROM {schema}.events")
            await auditor.fetch(f"SELECT * FROM {schema}.streams")
            old_fence = OLD_FENCE.format(schema=schema)
            await auditor.execute(f"SELECT pg_advisory_xact_lock({old_fence})")
            await auditor.execute(f"SELECT pg_advisory_lock({old_fence})")
            await auditor.execute(f"LOCK TABLE {schema}.events IN ACCESS SHARE MODE")
            await auditor.execute(f"LOCK TABLE {schema}.streams IN ACCESS SHARE MODE")

            appends = [store.append("i-1", 2, events("i-1", 2, 1)),
                       store.append("i-2", 0, events("i-2", 0, 3))]
            await asyncio.wait_for(asyncio.gather(*appends), timeout=10)
    finally:
        await auditor.close()
    assert (await store.stream_head("i-1")).version == 3  # type: ignore[union-attr]


@pytest.mark.parametrize("statement", [
    "LOCK TABLE {schema}.events IN SHARE MODE",
    "LOCK TABLE {schema}.events IN ROW EXCLUSIVE MODE",
    "SELECT * FROM {schema}.events FOR KEY SHARE",
    "SELECT * FROM {schema}.streams FOR KEY SHARE",
    "SELECT * FROM {schema}.read_events_after(0, 10)",
])
async def test_an_auditor_cannot_take_a_lock_that_holds_up_writers(
    store: EventStore, auditor_dsn: str, statement: str
) -> None:
    auditor = await asyncpg.connect(auditor_dsn)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with auditor.transaction():
                await auditor.execute(statement.format(schema=store.schema))
    finally:
        await auditor.close()


async def test_a_reader_waits_for_an_open_append_and_then_sees_it(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    """The fence itself: an append that holds a position but has not committed keeps the
    global reader waiting (never past it), and the reader tries again until it can read."""
    await store.append("i-1", 0, events("i-1", 0, 1))
    writer = await store.pool.acquire()
    try:
        transaction = writer.transaction()
        await transaction.start()
        await writer.fetchrow(
            f"SELECT * FROM {store.schema}.append_to_stream($1, 0, repeat('0', 64), now(), "
            "ARRAY[gen_random_uuid()], ARRAY['MilestoneRecorded'], ARRAY[1], ARRAY['a'], "
            "ARRAY[now()], ARRAY['{}'], ARRAY[repeat('1', 64)], ARRAY[NULL]::text[])", "i-open")
        reading = asyncio.create_task(store.read_all(0))
        await asyncio.sleep(0.3)  # several lock timeouts
        assert not reading.done(), "the reader moved past an uncommitted position"
        await transaction.commit()
        page = await asyncio.wait_for(reading, timeout=5)
    finally:
        await store.pool.release(writer)
    assert [r.stream_id for r in page] == ["i-1", "i-open"]


async def test_a_migration_behind_a_long_reader_gives_up_instead_of_stalling_appends(
    store: EventStore, auditor_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ALTER TABLE waits for every reader, and appends would queue behind it: the migration
    gives up within its lock timeout, changes nothing, and appends go on meanwhile."""
    from store import migrations

    monkeypatch.setattr(migrations, "MIGRATION_LOCK_TIMEOUT_MS", 300)
    extra = migrations.Migration(999, "alter_events", "ALTER TABLE events ADD COLUMN x int")
    monkeypatch.setattr(migrations, "load_migrations",
                        lambda real=migrations.load_migrations: [*real(), extra])
    await store.append("i-1", 0, events("i-1", 0, 1))
    auditor = await asyncpg.connect(auditor_dsn)
    try:
        async with auditor.transaction(isolation="repeatable_read", readonly=True):
            await auditor.fetch(f"SELECT * FROM {store.schema}.events")
            migrating = asyncio.create_task(store.migrate())
            await asyncio.sleep(0.05)
            await asyncio.wait_for(store.append("i-1", 1, events("i-1", 1, 1)), timeout=5)
            with pytest.raises(MigrationError, match="a long transaction"):
                await migrating
    finally:
        await auditor.close()
    assert (await store.stream_head("i-1")).version == 2  # type: ignore[union-attr]
