"""The feed's one tail per process (`app.feed_tail`): every follower gets every event once and
in order, whenever it joins and however slowly it reads, while the store is read once per pause
for all of them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from app import feed_tail
from app.feed_tail import Tail

PAGE, PAUSE = 5, 0.01


class Log:
    """An append-only log standing in for the store's global order."""

    def __init__(self) -> None:
        self.positions: list[int] = []
        self.reads = 0
        self.broken = False

    def append(self, count: int) -> None:
        start = self.positions[-1] if self.positions else 0
        self.positions += range(start + 1, start + 1 + count)

    async def read(self, after: int, limit: int) -> list[int]:
        self.reads += 1
        if self.broken:
            raise ConnectionError("the store went away")
        return [p for p in self.positions if p > after][:limit]


def tail_of(log: Log) -> Tail[int]:
    return Tail(log.read, lambda position: position, PAGE, PAUSE)


async def taken(events: AsyncGenerator[int, None], count: int) -> list[int]:
    return [await anext(events) for _ in range(count)]


async def test_followers_joining_at_any_point_get_every_event_once_in_order() -> None:
    log = Log()
    log.append(12)
    tail = tail_of(log)
    early = tail.follow(0)
    assert await taken(early, 12) == list(range(1, 13))
    log.append(7)
    late = tail.follow(3)  # joins while the tail is already past where it resumes
    assert await taken(late, 16) == list(range(4, 20))
    log.append(30)
    assert await taken(early, 37) == list(range(13, 50))
    assert await taken(late, 30) == list(range(20, 50))
    assert tail.followers == 2
    await early.aclose()
    await late.aclose()
    assert tail.followers == 0


async def test_many_followers_cost_the_store_what_one_does() -> None:
    log = Log()
    tail = tail_of(log)
    followers = [tail.follow(0) for _ in range(50)]
    waiting = [asyncio.ensure_future(anext(f)) for f in followers]
    await asyncio.sleep(PAUSE * 3)
    before = log.reads
    await asyncio.sleep(PAUSE * 20)
    idle_reads = log.reads - before
    assert idle_reads <= 25, idle_reads  # one reader polls, not fifty
    log.append(1)
    assert await asyncio.gather(*waiting) == [1] * 50
    for follower in followers:
        await follower.aclose()


async def test_a_follower_that_falls_behind_catches_up_without_loss(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed_tail, "BACKLOG_PAGES", 2)
    log = Log()
    tail = tail_of(log)
    slow, brisk = tail.follow(0), tail.follow(0)
    slow_waiting = asyncio.ensure_future(anext(slow))
    log.append(1)
    assert await taken(brisk, 1) == [1] and await slow_waiting == 1
    for page in range(6):  # pages the slow one does not take while they come
        log.append(PAGE)
        start = 2 + page * PAGE
        assert await taken(brisk, PAGE) == list(range(start, start + PAGE))
    assert tail.followers == 1  # the slow one was dropped, and has yet to notice
    assert await taken(slow, 6 * PAGE) == list(range(2, 32))
    log.append(2)
    assert await taken(slow, 2) == [32, 33]
    await slow.aclose()
    await brisk.aclose()


async def test_a_failing_store_reaches_every_follower() -> None:
    log = Log()
    tail = tail_of(log)
    followers = [tail.follow(0) for _ in range(3)]
    waiting = [asyncio.ensure_future(anext(f)) for f in followers]
    await asyncio.sleep(PAUSE * 3)
    log.broken = True
    for pending in waiting:
        with pytest.raises(ConnectionError):
            await asyncio.wait_for(pending, 5)
    log.broken = False
    log.append(1)
    again = tail.follow(0)  # the next follower starts the tail anew
    assert await taken(again, 1) == [1]
    await again.aclose()
