"""`GET /api/v1/events` (a page of the global feed) and `GET /api/v1/events/stream` (the same as
Server-Sent Events, following new events live). Each SSE message carries its position as `id`,
so a client that reconnects with `Last-Event-ID` resumes exactly after the last one it saw."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from starlette.responses import StreamingResponse

from app import feed
from app.identity import Identity
from web.auth import Authenticated
from web.problems import invalid

router = APIRouter(tags=["events"])

HEARTBEAT_SECONDS = 15.0  # keeps proxies from closing an idle stream
RECONNECT_MS = 1000


@router.get("/events")
async def events_page(request: Request, identity: Authenticated,
                      after: Annotated[int, Query(ge=0)] = 0,
                      limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = 100,
                      ) -> feed.FeedPage:
    return await feed.feed_page(request.app.state.services.context, identity, after, limit)


@router.get("/events/stream", response_class=StreamingResponse)
async def events_stream(request: Request, identity: Authenticated,
                        after: Annotated[int, Query(ge=0)] = 0,
                        last_event_id: Annotated[str | None, Header()] = None,
                        ) -> StreamingResponse:
    if last_event_id is not None:
        if not last_event_id.strip().isdigit():
            raise invalid("Last-Event-ID must be a position the stream sent as an id",
                          [{"loc": "header.Last-Event-ID", "msg": "not a position"}])
        after = int(last_event_id)  # a reconnect resumes where the stream left off
    feed.require_feed_reader(identity)
    return StreamingResponse(_messages(request, identity, after),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _messages(request: Request, identity: Identity, after: int) -> AsyncIterator[str]:
    yield f"retry: {RECONNECT_MS}\n\n"
    queue: asyncio.Queue[feed.FeedEvent] = asyncio.Queue(maxsize=feed.MAX_PAGE)

    async def pump() -> None:
        async for event in feed.follow(request.app.state.services.context, identity, after):
            await queue.put(event)

    pumping = asyncio.create_task(pump())
    try:
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                if pumping.done():
                    pumping.result()
                yield ": keep-alive\n\n"
                continue
            yield f"id: {event.position}\nevent: {event.type}\ndata: {event.model_dump_json()}\n\n"
    finally:
        pumping.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await pumping
