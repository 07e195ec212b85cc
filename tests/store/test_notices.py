"""The notices table: kept in the append's transaction or not at all, woken at commit, and shared by
workers without one notice being delivered twice at once."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from store import ConcurrencyConflict, EventStore
from store.notices import NoticeQueue

from .builders import events

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


def notice(n: int, initiative_id: str = "notice-test") -> tuple[str, str]:
    return (f"event-{n}", json.dumps({"notification_id": f"event-{n}",
                                      "initiative_id": initiative_id, "message": f"told {n}"}))


async def keep(store: EventStore, stream: str, after: int, *notices: tuple[str, str]) -> None:
    queue = NoticeQueue(store.schema)
    await store.append(stream, after, events(stream, after, 1),
                       project=queue.keeping(stream, NOW, list(notices), None))


async def test_notices_are_kept_with_their_events_and_once(store: EventStore) -> None:
    queue = NoticeQueue(store.schema)
    await keep(store, "notice-test", 0, notice(1), notice(2))
    claimed = await queue.claim(store.pool, 10, LEASE)
    assert sorted(c.notice_id for c in claimed) == ["event-1", "event-2"]
    assert all(c.noticed_at == NOW and c.attempts == 0 and not c.delivered for c in claimed)
    assert claimed[0].notification["initiative_id"] == "notice-test"
    # An append that is refused keeps nothing of what it owed.
    with pytest.raises(ConcurrencyConflict):
        await keep(store, "notice-test", 0, notice(3))
    assert await queue.owed(store.pool) == 2


async def test_an_append_wakes_the_listeners_when_it_commits(
        store: EventStore, database_url: str) -> None:
    queue = NoticeQueue(store.schema)
    listener = await asyncpg.connect(database_url)
    woken = asyncio.Event()
    await listener.add_listener(queue.channel, lambda *_: woken.set())
    try:
        await keep(store, "notice-test", 0)  # nothing owed: no wake
        await asyncio.sleep(0.2)
        assert not woken.is_set()
        await keep(store, "notice-test", 1, notice(1))
        async with asyncio.timeout(5):
            await woken.wait()
    finally:
        await listener.close()


async def test_two_workers_never_take_the_same_notice_and_a_lapsed_lease_frees_it(
        store: EventStore) -> None:
    queue = NoticeQueue(store.schema)
    await keep(store, "notice-test", 0, *(notice(n) for n in range(40)))
    first, second = await asyncio.gather(queue.claim(store.pool, 25, LEASE),
                                         queue.claim(store.pool, 25, LEASE))
    taken = [c.notice_id for c in first + second]
    assert len(taken) == len(set(taken)) == 40
    assert await queue.claim(store.pool, 50, LEASE) == []  # all leased
    # A worker that died mid-delivery: its lease runs out and the notices come back.
    await keep(store, "notice-test", 1, notice(100))
    [lapsing] = await queue.claim(store.pool, 50, timedelta(milliseconds=1))
    await asyncio.sleep(0.05)
    [again] = await queue.claim(store.pool, 50, LEASE)
    assert again.notice_id == lapsing.notice_id == "event-100"


async def test_a_notice_tried_again_keeps_what_was_delivered_and_waits(store: EventStore) -> None:
    queue = NoticeQueue(store.schema)
    await keep(store, "notice-test", 0, notice(1))
    [claimed] = await queue.claim(store.pool, 10, LEASE)
    await queue.try_again(store.pool, claimed.notice_id, frozenset({"webhook"}),
                          timedelta(seconds=30), "mail:a@b.example: 451 busy")
    assert await queue.claim(store.pool, 10, LEASE) == []
    due_in = await queue.next_due_in(store.pool)
    assert due_in is not None and timedelta(seconds=25) < due_in <= timedelta(seconds=30)
    await queue.try_again(store.pool, claimed.notice_id, frozenset({"webhook"}),
                          timedelta(0), "again")
    [again] = await queue.claim(store.pool, 10, LEASE)
    assert again.delivered == frozenset({"webhook"}) and again.attempts == 2
    await queue.delivered(store.pool, [again.notice_id])
    assert await queue.owed(store.pool) == 0 and await queue.next_due_in(store.pool) is None
