"""Appending: optimistic concurrency, idempotency by event id, validation, in-transaction hooks."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import datetime

import pytest

from domain.envelope import event_id_for
from store import (
    GENESIS_HASH,
    ConcurrencyConflict,
    EventStore,
    IdempotencyConflict,
    InvalidAppend,
    RecordedEvent,
    StreamHead,
    event_hash,
)
from store.models import Connection

from .builders import event, events


async def count_events(store: EventStore) -> int:
    count: int = await store.pool.fetchval(f"SELECT count(*) FROM {store.schema}.events")
    return count


async def test_first_append_chains_from_genesis(store: EventStore) -> None:
    batch = events("i-1", 0, 3)
    result = await store.append("i-1", 0, batch)

    assert result.version == 3
    assert len(result.positions) == 3
    assert list(result.positions) == sorted(result.positions)
    recorded = await store.read_stream("i-1")
    assert [r.event for r in recorded] == batch
    assert recorded[0].prev_hash == GENESIS_HASH
    for previous, current in itertools.pairwise(recorded):
        assert current.prev_hash == previous.hash
    assert recorded[0].hash == event_hash(GENESIS_HASH, batch[0], recorded[0].recorded_at)
    assert result.head_hash == recorded[-1].hash
    assert await store.stream_head("i-1") == StreamHead(3, result.head_hash)


async def test_stale_expected_version_names_stream_and_both_versions(store: EventStore) -> None:
    await store.append("i-1", 0, events("i-1", 0, 2))

    with pytest.raises(ConcurrencyConflict) as raised:
        await store.append("i-1", 1, events("i-1", 1, 1))

    conflict = raised.value
    assert (conflict.stream_id, conflict.expected_version, conflict.actual_version) == ("i-1", 1, 2)
    assert "'i-1'" in str(conflict)
    assert "expected version 1" in str(conflict)
    assert "at version 2" in str(conflict)


async def test_expecting_an_existing_stream_to_be_new_conflicts(store: EventStore) -> None:
    await store.append("i-1", 0, events("i-1", 0, 1))
    with pytest.raises(ConcurrencyConflict, match="at version 1"):
        await store.append("i-1", 0, events("i-1", 0, 1))


async def test_expecting_a_missing_stream_to_exist_conflicts(store: EventStore) -> None:
    with pytest.raises(ConcurrencyConflict, match="at version 0"):
        await store.append("i-1", 4, events("i-1", 4, 1))
    assert await store.stream_head("i-1") is None


async def test_exact_retry_returns_original_result_and_writes_nothing(store: EventStore) -> None:
    batch = [event("i-1", n, event_id=event_id_for("i-1", n)) for n in (1, 2)]
    original = await store.append("i-1", 0, batch)
    later = await store.append("i-1", 2, events("i-1", 2, 1))
    rows_before = await count_events(store)

    retried = await store.append("i-1", 0, batch)

    assert retried.positions == original.positions
    assert (retried.version, retried.head_hash) == (original.version, original.head_hash)
    assert retried.already_recorded and not original.already_recorded
    assert await count_events(store) == rows_before
    assert (await store.stream_head("i-1")) == StreamHead(3, later.head_hash)


async def test_retry_with_changed_content_is_refused(store: EventStore) -> None:
    first = event("i-1", 1)
    await store.append("i-1", 0, [first])
    changed = first.model_copy(update={"payload": {"step": "other"}})

    with pytest.raises(IdempotencyConflict, match="differ from the ones given") as raised:
        await store.append("i-1", 0, [changed])
    assert raised.value.event_ids == (first.event_id,)


async def test_batch_of_recorded_and_new_ids_is_refused(store: EventStore) -> None:
    first = event("i-1", 1)
    await store.append("i-1", 0, [first])

    with pytest.raises(IdempotencyConflict, match="only 1 of the 2 events"):
        await store.append("i-1", 0, [first, event("i-1", 2)])
    assert await count_events(store) == 1


async def test_event_id_from_another_stream_is_refused(store: EventStore) -> None:
    taken = event("i-1", 1)
    await store.append("i-1", 0, [taken])
    borrowed = event("i-2", 1, event_id=taken.event_id)

    with pytest.raises(IdempotencyConflict, match="recorded in stream"):
        await store.append("i-2", 0, [borrowed])
    assert await store.stream_head("i-2") is None


@pytest.mark.parametrize(
    ("expected_version", "sequences", "message"),
    [
        (0, [2], "sequence 2 but would be version 1"),
        (3, [4, 6], "sequence 6 but would be version 5"),
        (0, [1, 1], "sequence 1 but would be version 2"),
        (-1, [0 + 1], "0 or more"),
    ],
)
async def test_sequences_must_continue_the_expected_version(
    store: EventStore, expected_version: int, sequences: list[int], message: str
) -> None:
    with pytest.raises(InvalidAppend, match=message):
        await store.append("i-1", expected_version, [event("i-1", n) for n in sequences])


async def test_an_event_id_twice_in_one_append_is_refused(store: EventStore) -> None:
    first = event("i-1", 1)
    twin = event("i-1", 2, event_id=first.event_id)
    with pytest.raises(InvalidAppend, match="appears twice"):
        await store.append("i-1", 0, [first, twin])


async def test_events_of_another_initiative_are_refused(store: EventStore) -> None:
    with pytest.raises(InvalidAppend, match="belongs to initiative 'i-2'"):
        await store.append("i-1", 0, [event("i-2", 1)])


async def test_empty_append_is_refused(store: EventStore) -> None:
    with pytest.raises(InvalidAppend, match="nothing to append"):
        await store.append("i-1", 0, [])


CYCLIC: dict[str, object] = {}
CYCLIC["itself"] = CYCLIC


@pytest.mark.parametrize(
    "payload",
    [
        {"x": math.nan},
        {"x": math.inf},
        {"x": {1, 2}},
        {"x": "\ud800"},
        {"x": "nul\x00"},
        CYCLIC,
    ],
    ids=["nan", "infinity", "set", "lone-surrogate", "nul", "cycle"],
)
async def test_payloads_without_a_json_form_are_refused(
    store: EventStore, payload: dict[str, object]
) -> None:
    with pytest.raises(InvalidAppend):
        await store.append("i-1", 0, [event("i-1", 1, payload)])
    assert await count_events(store) == 0


async def test_naive_timestamps_are_refused(store: EventStore) -> None:
    naive = event("i-1", 1, occurred_at=datetime(2026, 3, 1, 9, 0))
    with pytest.raises(InvalidAppend, match="naive"):
        await store.append("i-1", 0, [naive])


async def test_projection_runs_in_the_append_transaction(store: EventStore) -> None:
    await store.pool.execute(f"CREATE TABLE {store.schema}.seen (position bigint, hash text)")
    received: list[RecordedEvent] = []

    async def project(connection: Connection, recorded: Sequence[RecordedEvent]) -> None:
        received.extend(recorded)
        await connection.executemany(
            f"INSERT INTO {store.schema}.seen VALUES ($1, $2)",
            [(r.position, r.hash) for r in recorded],
        )

    result = await store.append("i-1", 0, events("i-1", 0, 2), project=project)

    assert [r.position for r in received] == list(result.positions)
    assert received == await store.read_stream("i-1")
    seen = await store.pool.fetch(f"SELECT position, hash FROM {store.schema}.seen")
    assert sorted(tuple(row) for row in seen) == [(r.position, r.hash) for r in received]


async def test_failing_projection_rolls_the_append_back(store: EventStore) -> None:
    async def project(connection: Connection, recorded: Sequence[RecordedEvent]) -> None:
        raise RuntimeError("read model unavailable")

    with pytest.raises(RuntimeError, match="read model unavailable"):
        await store.append("i-1", 0, events("i-1", 0, 1), project=project)

    assert await store.stream_head("i-1") is None
    assert await count_events(store) == 0
    await store.append("i-1", 0, events("i-1", 0, 1))


async def test_projection_is_not_called_for_a_retry(store: EventStore) -> None:
    batch = events("i-1", 0, 1)
    await store.append("i-1", 0, batch)
    calls: list[int] = []

    async def project(connection: Connection, recorded: Sequence[RecordedEvent]) -> None:
        calls.append(len(recorded))

    assert (await store.append("i-1", 0, batch, project=project)).already_recorded
    assert calls == []


async def test_appends_by_another_process_are_learnt_not_trusted(store: EventStore) -> None:
    """Each store remembers heads it has seen; a stale memory must cost a retry, not a chain."""
    await store.append("i-1", 0, events("i-1", 0, 1))
    async with EventStore(store.pool, store.schema) as other:
        await other.append("i-1", 1, events("i-1", 1, 1))

    await store.append("i-1", 2, events("i-1", 2, 1))
    with pytest.raises(ConcurrencyConflict):
        await store.append("i-1", 2, events("i-1", 2, 1))
    assert (await store.verify_stream("i-1")).ok
