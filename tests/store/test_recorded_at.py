"""Every event's recorded_at is under its hash; events hashed before it was still verify."""

from __future__ import annotations

import asyncpg

from store import EventStore
from store.chain import (
    ENCODING_VERSION,
    GENESIS_HASH,
    WITH_RECORDED_AT,
    canonical_encoding,
    chain_hash,
)

from .builders import events
from .test_head_disagreement import owner_rewrites


async def test_appends_hash_recorded_at(store: EventStore) -> None:
    await store.append("i-1", 0, events("i-1", 0, 2))
    recorded = await store.read_stream("i-1")
    assert ENCODING_VERSION == WITH_RECORDED_AT
    assert all(r.encoding_version == WITH_RECORDED_AT for r in recorded)
    first = recorded[0]
    assert first.hash == chain_hash(GENESIS_HASH, canonical_encoding(first.event,
                                                                     first.recorded_at))


async def test_a_moved_recorded_at_breaks_the_chain_at_its_event(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    await store.append("i-1", 0, events("i-1", 0, 3))
    await owner_rewrites(admin, f"{store.schema}.events", "events_are_append_only",
                         f"UPDATE {store.schema}.events SET recorded_at = recorded_at "
                         "- interval '1 day' WHERE version = 2")
    verification = await store.verify_stream("i-1")
    assert (verification.broken_version, verification.reason) == (
        2, "stored content does not match its hash")


async def test_events_hashed_without_recorded_at_still_verify(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    """Rows of encoding 1, as every append wrote them before recorded_at was covered, then new
    appends on the same stream."""
    prev = GENESIS_HASH
    for event in events("i-1", 0, 2):
        hash_ = chain_hash(prev, canonical_encoding(event))
        await admin.execute(
            f"INSERT INTO {store.schema}.events (event_id, stream_id, version, type, "
            "schema_version, actor, occurred_at, payload, prev_hash, hash) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)",
            event.event_id, event.initiative_id, event.sequence, event.type,
            event.schema_version, event.actor, event.occurred_at, f'{{"step": {event.sequence}}}',
            prev, hash_)
        prev = hash_
    await admin.execute(f"INSERT INTO {store.schema}.streams (stream_id, version, head_hash) "
                        "VALUES ('i-1', 2, $1)", prev)
    assert (await store.verify_stream("i-1")).ok

    await store.append("i-1", 2, events("i-1", 2, 2))
    recorded = await store.read_stream("i-1")
    assert [r.encoding_version for r in recorded] == [1, 1, 2, 2]
    assert (await store.verify_stream("i-1")).ok


async def test_an_event_taken_back_to_the_old_encoding_is_caught(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    """Whoever rewrites recorded_at and re-hashes the event in the old encoding, which does not
    cover it, still leaves a stream that goes back from encoding 2 to 1."""
    await store.append("i-1", 0, events("i-1", 0, 1))
    await store.append("i-1", 1, events("i-1", 1, 1))
    [first, second] = await store.read_stream("i-1")
    forged = chain_hash(first.hash, canonical_encoding(second.event))
    await owner_rewrites(admin, f"{store.schema}.events", "events_are_append_only",
                         f"UPDATE {store.schema}.events SET encoding_version = 1, "
                         f"recorded_at = recorded_at - interval '1 day', hash = '{forged}' "
                         "WHERE version = 2")
    await owner_rewrites(admin, f"{store.schema}.streams", "stream_heads_only_move_forward",
                         f"UPDATE {store.schema}.streams SET head_hash = '{forged}'")
    verification = await store.verify_stream("i-1")
    assert verification.broken_version == 2
    assert "older than the encoding 2 before it" in (verification.reason or "")
