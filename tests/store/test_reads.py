"""Reading streams (whole, up to a version, as of a moment) and the global log."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import asyncpg
import pytest
from pydantic import ValidationError

from domain.envelope import Event
from store import EventStore, RecordedEvent

from .builders import T0, event, events


async def test_unknown_stream_reads_empty(store: EventStore) -> None:
    assert await store.read_stream("nobody") == []
    assert await store.stream_head("nobody") is None
    verification = await store.verify_stream("nobody")
    assert verification.ok and verification.events_checked == 0


async def test_read_events_behave_as_validated_ones(store: EventStore) -> None:
    """The store builds the Events it reads without validating them again (see rows.py)."""
    appended = events("i-1", 0, 2)
    await store.append("i-1", 0, appended)

    for recorded, original in zip(await store.read_stream("i-1"), appended, strict=True):
        revalidated = Event.model_validate(recorded.event.model_dump())
        assert recorded.event == original == revalidated
        assert recorded.event.model_dump() == revalidated.model_dump()
        assert recorded.event.model_fields_set == revalidated.model_fields_set
        assert recorded.event.model_copy(update={"actor": "x"}).actor == "x"
        assert recorded.event.actor == original.actor
        with pytest.raises(ValidationError):
            recorded.event.actor = "y"  # type: ignore[misc]  # frozen, as validated ones are


async def test_read_stream_up_to_a_version(store: EventStore) -> None:
    await store.append("i-1", 0, events("i-1", 0, 5))
    await store.append("i-2", 0, events("i-2", 0, 2))

    assert [r.version for r in await store.read_stream("i-1", to_version=3)] == [1, 2, 3]
    assert [r.version for r in await store.read_stream("i-1", to_version=0)] == []
    assert [r.version for r in await store.read_stream("i-1", to_version=99)] == [1, 2, 3, 4, 5]
    assert {r.stream_id for r in await store.read_stream("i-2")} == {"i-2"}


async def test_read_stream_as_of_a_moment(store: EventStore) -> None:
    await store.append("i-1", 0, events("i-1", 0, 5))  # occurred at T0 + 1..5 minutes

    def versions_as_of(minutes: float) -> list[int]:
        return [r.version for r in recorded_as_of[minutes]]

    recorded_as_of = {
        minutes: await store.read_stream("i-1", as_of=T0 + timedelta(minutes=minutes))
        for minutes in (0, 1, 2.5, 5, 60)
    }
    assert versions_as_of(0) == []
    assert versions_as_of(1) == [1], "an event that occurred exactly then is included"
    assert versions_as_of(2.5) == [1, 2]
    assert versions_as_of(5) == versions_as_of(60) == [1, 2, 3, 4, 5]
    capped = await store.read_stream("i-1", to_version=2, as_of=T0 + timedelta(hours=1))
    assert [r.version for r in capped] == [1, 2]


async def test_as_of_returns_a_prefix_even_if_clocks_went_backwards(store: EventStore) -> None:
    late, early = T0 + timedelta(minutes=10), T0 + timedelta(minutes=5)
    await store.append(
        "i-1",
        0,
        [
            event("i-1", 1, occurred_at=T0),
            event("i-1", 2, occurred_at=late),
            event("i-1", 3, occurred_at=early),
        ],
    )
    as_of = await store.read_stream("i-1", as_of=T0 + timedelta(minutes=7))
    assert [r.version for r in as_of] == [1]


async def test_as_of_must_be_timezone_aware(store: EventStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.read_stream("i-1", as_of=T0.replace(tzinfo=None))


async def test_read_all_pages_through_every_stream_in_position_order(store: EventStore) -> None:
    for name in ("a", "b", "c"):
        await store.append(name, 0, events(name, 0, 3))
    await store.append("a", 3, events("a", 3, 2))

    pages, after = [], 0
    while page := await store.read_all(after, limit=4):
        pages.append(page)
        after = page[-1].position

    assert [len(page) for page in pages] == [4, 4, 3]
    everything = [r for page in pages for r in page]
    assert [r.position for r in everything] == sorted(r.position for r in everything)
    assert [(r.stream_id, r.version) for r in everything][-2:] == [("a", 4), ("a", 5)]
    assert everything == await store.read_all(0, limit=1000)


async def test_read_all_needs_a_positive_limit(store: EventStore) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await store.read_all(0, limit=0)


async def test_fenced_read_refuses_a_snapshot_older_than_its_lock(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    async with admin.transaction(isolation="repeatable_read"):
        with pytest.raises(asyncpg.InvalidTransactionStateError, match="READ COMMITTED"):
            await admin.fetch(f"SELECT * FROM {store.schema}.read_events_after(0, 10)")


async def test_events_read_are_the_records_the_dataclass_would_make(store: EventStore) -> None:
    """Rows become RecordedEvents without the dataclass's __init__: same fields, equal."""
    await store.append("i-1", 0, events("i-1", 0, 2))
    for read in await store.read_stream("i-1"):
        values = {f.name: getattr(read, f.name) for f in dataclasses.fields(RecordedEvent)}
        assert vars(read) == values
        assert RecordedEvent(**values) == read
