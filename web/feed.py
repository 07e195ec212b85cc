"""`GET /api/v1/events` (a page of the global feed) and `GET /api/v1/events/stream` (the same as
Server-Sent Events, following new events live). Each SSE message carries its position as `id`,
so a client that reconnects with `Last-Event-ID` resumes exactly after the last one it saw.

A stream lasts only while the credential that opened it does: every CREDENTIAL_RECHECK_SECONDS
it is checked again, and a revoked or expired token, an ended session or a JWT past its expiry
ends the stream. A person holds at most STREAMS_PER_PERSON streams at once on a replica (429
beyond)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from app import feed
from app.identity import Identity
from web.auth import Authenticated, Authenticator
from web.input_limits import Position, position_of
from web.problems import Problem, invalid
from web.schemas import PROBLEM_RESPONSES

router = APIRouter(tags=["events"], responses=PROBLEM_RESPONSES)

HEARTBEAT_SECONDS = 15.0  # keeps proxies from closing an idle stream
# An open stream asks again this often whether its credential is still valid, and ends when not.
CREDENTIAL_RECHECK_SECONDS = 10.0
STREAMS_PER_PERSON = 4  # at once, on one replica
RECONNECT_MS = 1000


@router.get("/events")
async def events_page(request: Request, identity: Authenticated,
                      after: Position = 0,
                      limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = 100,
                      ) -> feed.FeedPage:
    return await feed.feed_page(request.app.state.services.context, identity, after, limit)


@router.get("/events/stream", response_class=StreamingResponse, responses={200: {
    "description": "Server-Sent Events: each event as `data` (a feed event's JSON), with its "
                   "position as `id`", "content": {"text/event-stream": {
                       "schema": {"type": "string"}}}}})
async def events_stream(request: Request, identity: Authenticated,
                        after: Position = 0,
                        last_event_id: Annotated[str | None, Header()] = None,
                        ) -> StreamingResponse:
    if last_event_id is not None:
        resumed = position_of(last_event_id)
        if resumed is None:
            raise invalid("Last-Event-ID must be a position the stream sent as an id",
                          [{"loc": "header.Last-Event-ID", "msg": "not a position"}])
        after = resumed  # a reconnect resumes where the stream left off
    feed.require_feed_reader(identity)
    streams: OpenStreams = request.app.state.streams
    slot = streams.take(identity.person)
    return StreamingResponse(_messages(request, identity, after, slot),
                             media_type="text/event-stream", background=BackgroundTask(slot.free),
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


class StreamSlot:
    """One of a person's open streams; freed once, however the stream ends."""

    def __init__(self, counts: dict[str, int], person: str) -> None:
        self._counts = counts
        self._person = person
        self._held = True

    def free(self) -> None:
        if self._held:
            self._held = False
            self._counts[self._person] -= 1
            if not self._counts[self._person]:
                del self._counts[self._person]


class OpenStreams:
    """How many streams each person has open on this replica: at most `per_person` at once (a
    stream holds a connection and a reader of the store for as long as it lasts)."""

    def __init__(self, per_person: int = STREAMS_PER_PERSON) -> None:
        self._per_person = per_person
        self._counts: dict[str, int] = {}

    def take(self, person: str) -> StreamSlot:
        if self._counts.get(person, 0) >= self._per_person:
            raise Problem(429, f"{person} already has {self._per_person} event streams open "
                               "here: close one first", headers={"Retry-After": str(
                                   RECONNECT_MS // 1000 or 1)})
        self._counts[person] = self._counts.get(person, 0) + 1
        return StreamSlot(self._counts, person)


async def _messages(request: Request, identity: Identity, after: int,
                    slot: StreamSlot) -> AsyncIterator[str]:
    yield f"retry: {RECONNECT_MS}\n\n"
    queue: asyncio.Queue[feed.FeedEvent] = asyncio.Queue(maxsize=feed.MAX_PAGE)
    authenticator: Authenticator = request.app.state.authenticator

    async def pump() -> None:
        # Closed as soon as the stream ends, so that it stops following the store's tail.
        async with contextlib.aclosing(feed.follow(
                request.app.state.services.context, identity, after)) as events:
            async for event in events:
                await queue.put(event)

    pumping = asyncio.create_task(pump())
    loop = asyncio.get_running_loop()
    recheck_at = loop.time() + CREDENTIAL_RECHECK_SECONDS
    try:
        while True:
            if loop.time() >= recheck_at:
                # A revoked or expired credential ends the stream within one interval.
                if not await authenticator.still_authenticated(request):
                    yield "event: credential-ended\ndata: {}\n\n"
                    return
                recheck_at = loop.time() + CREDENTIAL_RECHECK_SECONDS
            wait = max(0.0, min(HEARTBEAT_SECONDS, recheck_at - loop.time()))
            try:
                event = await asyncio.wait_for(queue.get(), wait)
            except TimeoutError:
                if pumping.done():
                    pumping.result()
                yield ": keep-alive\n\n"
                continue
            yield f"id: {event.position}\nevent: {event.type}\ndata: {event.model_dump_json()}\n\n"
    finally:
        slot.free()
        pumping.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pumping
