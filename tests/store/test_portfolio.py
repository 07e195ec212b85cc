"""The portfolio read model: projected in the append's transaction; rows that are behind are
folded for a reader, and repaired by the writer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import asyncpg
import pytest

from domain import commands as c
from domain import fold
from store import EventStore, RecordedEvent
from store.models import Connection
from store.portfolio import PortfolioProjection, PortfolioReader
from tests.domain.builders import (
    OWNER,
    Timeline,
    handed_over,
    read,
)

DAY = timedelta(days=1)




async def append_in_batches(store: EventStore, t: Timeline, size: int,
                            project: PortfolioProjection | None) -> None:
    for start in range(0, len(t.events), size):
        await store.append(t.state.initiative_id, start, t.events[start:start + size],
                           project=project)


async def stored_row(store: EventStore, initiative_id: str) -> asyncpg.Record | None:
    return await store.pool.fetchrow(
        f"SELECT * FROM {store.schema}.portfolio_initiatives WHERE initiative_id = $1",
        initiative_id)


async def test_each_append_folds_onto_the_row_in_its_own_transaction(store: EventStore) -> None:
    t = handed_over("projected")
    read(t, 11, 30 * DAY)
    t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within="5d"))
    await append_in_batches(store, t, 3, PortfolioProjection(store.schema))

    row = await stored_row(store, "projected")
    assert row is not None
    stored = await store.read_stream("projected")
    assert row["state"] == fold("projected", [r.event for r in stored]).model_dump(mode="json")
    assert (row["phase"], row["owner"], row["version"], row["regressions"]) == (
        "regressed", OWNER, len(t.events), 1)
    assert row["next_due_at"] == t.now + 5 * DAY  # the response plan's deadline


async def test_a_failing_projection_takes_the_events_down_with_it(store: EventStore) -> None:
    projection = PortfolioProjection(store.schema)

    async def project_then_fail(connection: Connection,
                                recorded: Sequence[RecordedEvent]) -> None:
        await projection(connection, recorded)
        raise RuntimeError("read model unavailable")

    with pytest.raises(RuntimeError, match="read model unavailable"):
        await store.append("doomed", 0, handed_over("doomed").events, project=project_then_fail)
    assert await store.stream_head("doomed") is None
    assert await stored_row(store, "doomed") is None


async def behind_and_missing(store: EventStore) -> tuple[Timeline, Timeline]:
    projection = PortfolioProjection(store.schema)
    behind, missing = handed_over("behind"), handed_over("missing")
    await store.append("behind", 0, behind.events[:2], project=projection)
    await store.append("behind", 2, behind.events[2:])  # a worker that did not project
    await append_in_batches(store, missing, 100, None)
    return behind, missing


async def test_readers_fold_rows_that_are_missing_or_behind_and_write_nothing(
        store: EventStore) -> None:
    behind, missing = await behind_and_missing(store)
    reader = PortfolioReader(store.pool, store.schema)

    summaries = await reader.summaries()
    assert {(s.initiative_id, s.phase, s.version) for s in summaries} == {
        ("behind", "sustaining", len(behind.events)),
        ("missing", "sustaining", len(missing.events))}
    assert {e.state.initiative_id: e.state for e in await reader.entries()} == {
        "behind": behind.state, "missing": missing.state}
    assert await reader.summaries(phase="proposed") == []
    assert {s.initiative_id for s in await reader.summaries(owner=OWNER)} == {
        "missing", "behind"}  # filtered alike, folded or not
    row = await stored_row(store, "behind")
    assert row is not None and row["version"] == 2  # the answer was folded, not saved
    assert await stored_row(store, "missing") is None

    assert await reader.catch_up() == 2  # the writer's repair
    assert await reader.catch_up() == 0
    read(behind, 5.1, 30 * DAY)  # the projection picks up from the rebuilt row
    await store.append("behind", len(behind.events) - 2, behind.events[-2:],
                       project=PortfolioProjection(store.schema))
    [entry_] = [e for e in await reader.entries() if e.state.initiative_id == "behind"]
    assert entry_.state == behind.state


async def test_a_read_only_role_lists_and_counts(store: EventStore, auditor_dsn: str) -> None:
    await behind_and_missing(store)
    async with await EventStore.connect(auditor_dsn, schema=store.schema,
                                        migrate=False) as read_only:
        reader = PortfolioReader(read_only.pool, read_only.schema)
        assert {s.initiative_id for s in await reader.summaries()} == {"behind", "missing"}
        assert len(await reader.entries()) == 2
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await reader.catch_up()
