"""The projection folds onto the state it saved last only while the row is still that state:
another worker's appends, or an append that rolled back after projecting, never leave the row
behind the stream."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from domain import commands as c
from domain import fold
from store import EventStore, RecordedEvent
from store.models import Connection
from store.portfolio import PortfolioProjection
from tests.domain.builders import CLERK, handed_over, read
from tests.store.test_portfolio import DAY, stored_row


async def row_is_the_fold(store: EventStore, initiative_id: str) -> None:
    row = await stored_row(store, initiative_id)
    assert row is not None
    stored = [r.event for r in await store.read_stream(initiative_id)]
    assert row["version"] == len(stored)
    assert row["state"] == fold(initiative_id, stored).model_dump(mode="json")


async def test_two_workers_projecting_one_stream_in_turn(store: EventStore) -> None:
    t = handed_over("shared")
    for value in (5.1, 5.0, 4.9):
        read(t, value, 30 * DAY)
    first, second = PortfolioProjection(store.schema), PortfolioProjection(store.schema)
    events, done = t.events, 0
    for size, projection in ((5, first), (2, second), (1, first), (2, second), (1, first)):
        await store.append("shared", done, events[done:done + size], project=projection)
        done += size
        await row_is_the_fold(store, "shared")
    assert done < len(events)
    await store.append("shared", done, events[done:], project=second)
    await row_is_the_fold(store, "shared")


async def test_a_projection_that_rolled_back_is_not_folded_onto(store: EventStore) -> None:
    t, other = handed_over("rolled"), handed_over("rolled")
    prefix = len(t.events)
    read(t, 5.1, 30 * DAY)
    other.run(c.SubmitIdea(actor=CLERK, text="another decision"), 30 * DAY)
    projection = PortfolioProjection(store.schema)
    await store.append("rolled", 0, t.events[:prefix], project=projection)

    async def project_then_fail(connection: Connection,
                                recorded: Sequence[RecordedEvent]) -> None:
        await projection(connection, recorded)
        raise RuntimeError("commit lost")

    with pytest.raises(RuntimeError, match="commit lost"):
        await store.append("rolled", prefix, t.events[prefix:prefix + 1],
                           project=project_then_fail)
    # Another worker records a different event at that version; ours goes on from there.
    await store.append("rolled", prefix, other.events[prefix:prefix + 1],
                       project=PortfolioProjection(store.schema))
    read(other, 5.0, 30 * DAY)
    await store.append("rolled", prefix + 1, other.events[prefix + 1:], project=projection)
    await row_is_the_fold(store, "rolled")
