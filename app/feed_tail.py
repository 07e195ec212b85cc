"""One reader of the store's global order per process, shared by every follower of the feed.

A follower that polled the store on its own would cost a query every pause: two hundred open
streams would be eight hundred reads a second, each taking the lock that holds appends back for
a moment (`EventStore.read_all`), on the pool that actions use too. The tail reads once per
pause for all of them, and hands each new page, built into feed events once, to every follower.

A follower catches up on its own (from wherever it resumes) and then joins the tail; the tail
never waits for anyone. One that does not take what it is handed in time (a slow client) is
dropped, and catches up on its own again, from the last position it passed on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Generic, TypeVar

E = TypeVar("E")
# Pages a follower may have waiting before it counts as fallen behind.
BACKLOG_PAGES = 64


class _FellBehind(Exception):
    """The follower did not keep up with the tail and was dropped from it."""


class _Follower(Generic[E]):
    def __init__(self, joined_at: int) -> None:
        self.joined_at = joined_at  # what the tail had passed on when it joined
        self.pages: asyncio.Queue[Sequence[E] | BaseException] = asyncio.Queue()

    def offer(self, page: Sequence[E] | BaseException) -> bool:
        """Whether it took `page`; False when it has too many waiting (it is then told so)."""
        if self.pages.qsize() >= BACKLOG_PAGES and not isinstance(page, BaseException):
            self.pages.put_nowait(_FellBehind())
            return False
        self.pages.put_nowait(page)
        return True


class Tail(Generic[E]):
    """Reads the page after the last position it passed on, every `pause` while nothing new
    comes, for as long as anyone follows it.

    `read(after, limit)` is the store's gap-free read, each row built into an item once for
    every follower, and `position` tells an item's position."""

    def __init__(self, read: Callable[[int, int], Awaitable[Sequence[E]]],
                 position: Callable[[E], int], page_size: int, pause: float) -> None:
        self._read, self._position = read, position
        self._page_size, self._pause = page_size, pause
        self._followers: set[_Follower[E]] = set()
        self._after = 0
        self._reading: asyncio.Task[None] | None = None

    @property
    def followers(self) -> int:
        return len(self._followers)

    async def follow(self, after: int) -> AsyncGenerator[E, None]:
        """Every item after `after`, then each new one, until the caller stops."""
        while True:
            while True:  # on its own, up to the first page that is not full
                page = await self._page(after)
                for item in page:
                    yield item
                after = self._position(page[-1]) if page else after
                if len(page) < self._page_size:
                    break
            follower = self._join(after)
            try:
                # The tail may have passed `after` already: what it passed on before the join is
                # read here, what it passes on from the join on waits in the follower's queue.
                while after < follower.joined_at and (page := await self._page(after)):
                    for item in page:
                        yield item
                    after = self._position(page[-1])
                while not isinstance(passed := await follower.pages.get(), _FellBehind):
                    if isinstance(passed, BaseException):
                        raise passed
                    for item in passed:
                        if self._position(item) > after:
                            yield item
                            after = self._position(item)
            finally:
                self._leave(follower)

    async def _page(self, after: int) -> Sequence[E]:
        return await self._read(after, self._page_size)

    def _join(self, after: int) -> _Follower[E]:
        if self._reading is None or self._reading.done():
            self._after = after
            self._reading = asyncio.create_task(self._read_while_followed())
        follower: _Follower[E] = _Follower(self._after)
        self._followers.add(follower)
        return follower

    def _leave(self, follower: _Follower[E]) -> None:
        self._followers.discard(follower)
        if not self._followers and self._reading is not None:
            self._reading.cancel()
            self._reading = None

    async def _read_while_followed(self) -> None:
        try:
            while self._followers:
                page = await self._page(self._after)
                if page:
                    self._after = self._position(page[-1])
                    for follower in list(self._followers):
                        if not follower.offer(page):
                            self._followers.discard(follower)
                if len(page) < self._page_size:
                    await asyncio.sleep(self._pause)
        except Exception as error:  # the store failed: every follower hears of it
            for follower in self._followers:
                follower.offer(error)
            self._followers.clear()
