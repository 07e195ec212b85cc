"""An append never chains onto a head row that its stream's last event contradicts: it refuses,
flags the stream and says why."""

from __future__ import annotations

import asyncpg
import pytest

from store import ConcurrencyConflict, EventStore
from store.errors import StreamDisagreement

from .builders import events


async def owner_rewrites(admin: asyncpg.Connection, table: str, trigger: str, sql: str) -> None:
    """What the tables' owner can do: switch a guard off, rewrite, switch it back on."""
    async with admin.transaction():
        await admin.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        await admin.execute(sql)
        await admin.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")


async def flags(admin: asyncpg.Connection, store: EventStore) -> list[tuple[str, str]]:
    rows = await admin.fetch(f"SELECT stream_id, reason FROM {store.schema}.stream_flags")
    return [(row["stream_id"], row["reason"]) for row in rows]


async def refused(store: EventStore, admin: asyncpg.Connection, version: int) -> str:
    """Append at `version` from a store that never saw the stream (it trusts the head row), and
    from the one that wrote it (it trusts its cache); both must refuse and write nothing."""
    before = await admin.fetchval(f"SELECT count(*) FROM {store.schema}.events")
    reasons = []
    fresh = EventStore(store.pool, store.schema)
    for writer in (fresh, store):
        with pytest.raises(StreamDisagreement) as refusal:
            await writer.append("i-1", version, events("i-1", version, 1))
        reasons.append(refusal.value.detail)
    assert await admin.fetchval(f"SELECT count(*) FROM {store.schema}.events") == before
    assert [stream for stream, _ in await flags(admin, store)] == ["i-1"]
    return reasons[0]


async def test_a_head_row_moved_forward_onto_a_forged_hash_is_not_extended(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    await store.append("i-1", 0, events("i-1", 0, 5))
    await admin.execute(f"UPDATE {store.schema}.streams SET version = 6, "
                        "head_hash = repeat('f', 64) WHERE stream_id = 'i-1'")
    reason = await refused(store, admin, 6)
    assert "head row says version 6 with hash ffff" in reason
    assert "last event is version 5" in reason


async def test_a_head_row_rewritten_in_place_is_not_extended(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    await store.append("i-1", 0, events("i-1", 0, 5))
    await owner_rewrites(admin, f"{store.schema}.streams", "stream_heads_only_move_forward",
                         f"UPDATE {store.schema}.streams SET head_hash = repeat('e', 64)")
    assert "head row says version 5 with hash eeee" in await refused(store, admin, 5)


async def test_a_truncated_tail_is_not_extended(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    await store.append("i-1", 0, events("i-1", 0, 5))
    await owner_rewrites(admin, f"{store.schema}.events", "events_are_append_only",
                         f"DELETE FROM {store.schema}.events WHERE version > 3")
    assert "last event is version 3" in await refused(store, admin, 5)


async def test_a_stream_whose_head_row_was_deleted_is_not_started_again(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    await store.append("i-1", 0, events("i-1", 0, 2))
    await owner_rewrites(admin, f"{store.schema}.streams", "streams_are_not_deleted",
                         f"DELETE FROM {store.schema}.streams")
    fresh = EventStore(store.pool, store.schema)
    with pytest.raises(StreamDisagreement, match="head row says version 0"):
        await fresh.append("i-1", 0, events("i-1", 0, 1))
    assert [stream for stream, _ in await flags(admin, store)] == ["i-1"]


async def test_an_honest_race_is_a_conflict_not_a_disagreement(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    await store.append("i-1", 0, events("i-1", 0, 1))
    other = EventStore(store.pool, store.schema)
    await other.append("i-1", 1, events("i-1", 1, 1))
    with pytest.raises(ConcurrencyConflict):
        await store.append("i-1", 1, events("i-1", 1, 1))
    assert await flags(admin, store) == []
