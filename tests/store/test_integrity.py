"""Tamper evidence: the database refuses rewrites, and verify_stream finds what got past it."""

from __future__ import annotations

import asyncpg
import pytest

from store import EventStore, event_hash

from .builders import events


@pytest.fixture
async def five_events(store: EventStore) -> str:
    await store.append("i-1", 0, events("i-1", 0, 5))
    return f"{store.schema}.events"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET payload = '{{\"step\": 99}}' WHERE version = 2",
        "UPDATE {table} SET actor = actor",
        "DELETE FROM {table} WHERE version = 5",
        "DELETE FROM {table} WHERE false",
        "TRUNCATE {table}",
    ],
)
async def test_events_cannot_be_changed(
    admin: asyncpg.Connection, five_events: str, statement: str
) -> None:
    with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
        await admin.execute(statement.format(table=five_events))
    assert await admin.fetchval(f"SELECT count(*) FROM {five_events}") == 5


async def test_no_session_setting_bypasses_the_refusal(
    admin: asyncpg.Connection, five_events: str
) -> None:
    if await admin.fetchval("SELECT current_setting('is_superuser')") != "on":
        pytest.skip("session_replication_role needs a superuser")
    await admin.execute("SET baton.allow_tamper = 'on'")
    await admin.execute("SET session_replication_role = replica")  # silences ordinary triggers
    with pytest.raises(asyncpg.RestrictViolationError):
        await admin.execute(f"DELETE FROM {five_events}")


async def test_stream_heads_cannot_be_deleted_or_moved_back(
    store: EventStore, admin: asyncpg.Connection, five_events: str
) -> None:
    streams = f"{store.schema}.streams"
    with pytest.raises(asyncpg.RestrictViolationError):
        await admin.execute(f"DELETE FROM {streams}")
    with pytest.raises(asyncpg.RestrictViolationError):
        await admin.execute(f"UPDATE {streams} SET version = 3")
    with pytest.raises(asyncpg.RestrictViolationError):
        await admin.execute(f"UPDATE {streams} SET head_hash = repeat('a', 64)")


async def tamper(admin: asyncpg.Connection, table: str, statement: str) -> None:
    """What an owner can still do: switch the guard off, rewrite, switch it back on."""
    async with admin.transaction():
        await admin.execute(f"ALTER TABLE {table} DISABLE TRIGGER events_are_append_only")
        await admin.execute(statement)
        await admin.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER events_are_append_only")


async def test_intact_stream_verifies(store: EventStore, five_events: str) -> None:
    verification = await store.verify_stream("i-1")
    assert verification.ok
    assert (verification.events_checked, verification.broken_version) == (5, None)


async def test_rewritten_payload_is_reported_at_its_version(
    store: EventStore, admin: asyncpg.Connection, five_events: str
) -> None:
    await tamper(
        admin,
        five_events,
        f"UPDATE {five_events} SET payload = '{{\"step\": 99}}' WHERE version = 3",
    )

    verification = await store.verify_stream("i-1")

    assert not verification.ok
    assert verification.broken_version == 3
    assert verification.events_checked == 2
    assert verification.reason == "stored content does not match its hash"


async def rewrite_from(
    store: EventStore, admin: asyncpg.Connection, table: str, first: int, last: int
) -> None:
    """Change versions first..last and give each a correct hash, as a careful forger would."""
    recorded = await store.read_stream("i-1")
    prev_hash = recorded[first - 2].hash
    for version in range(first, last + 1):
        forged = recorded[version - 1].event.model_copy(update={"payload": {"step": -version}})
        forged_hash = event_hash(prev_hash, forged, recorded[version - 1].recorded_at)
        await tamper(
            admin,
            table,
            f"UPDATE {table} SET payload = '{{\"step\": {-version}}}', "
            f"prev_hash = '{prev_hash}', hash = '{forged_hash}' WHERE version = {version}",
        )
        prev_hash = forged_hash


async def test_rehashed_rewrite_breaks_the_next_link(
    store: EventStore, admin: asyncpg.Connection, five_events: str
) -> None:
    await rewrite_from(store, admin, five_events, 3, 3)

    verification = await store.verify_stream("i-1")

    assert verification.broken_version == 4
    assert verification.reason is not None
    assert "prev_hash does not match the recomputed hash of version 3" in verification.reason


async def test_chain_rewritten_to_the_end_is_caught_by_the_head_row(
    store: EventStore, admin: asyncpg.Connection, five_events: str
) -> None:
    await rewrite_from(store, admin, five_events, 3, 5)

    verification = await store.verify_stream("i-1")

    assert verification.broken_version is None, "the forged chain is internally consistent"
    assert not verification.ok
    assert verification.reason == (
        "the head row's hash differs from the recomputed head: the chain was rewritten"
    )


async def test_removed_middle_event_is_reported_as_missing(
    store: EventStore, admin: asyncpg.Connection, five_events: str
) -> None:
    await tamper(admin, five_events, f"DELETE FROM {five_events} WHERE version = 2")

    verification = await store.verify_stream("i-1")

    assert verification.broken_version == 2
    assert verification.reason == "version 2 is missing; the next stored one is 3"


async def test_truncated_tail_is_caught_by_the_head_row(
    store: EventStore, admin: asyncpg.Connection, five_events: str
) -> None:
    await tamper(admin, five_events, f"DELETE FROM {five_events} WHERE version >= 4")

    verification = await store.verify_stream("i-1")

    assert verification.broken_version is None, "what is left is a valid chain"
    assert not verification.head_matches and not verification.ok
    assert verification.reason == "the head row says version 5 but the chain ends at version 3"
