"""The global event feed for integrations: every event in one gap-free order, paged or followed.

Positions come from the store's `read_all`, which never moves past a position an open append
could still fill, so a follower that resumes after the last position it saw misses nothing and
sees nothing twice.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from app.errors import Rejected, RejectionKind
from app.feed_tail import Tail
from app.identity import Identity
from domain.pull_stream import initiative_of_pull
from domain.visibility import EventFeed, may_see
from store import EventStore, RecordedEvent

MAX_PAGE = 1000
FOLLOW_PAUSE = 0.25  # seconds between the tail's reads while nothing new has been recorded


class FeedEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    event_id: str
    initiative_id: str
    # Where the event is recorded: the initiative's own stream, or its pull stream (the ideas,
    # "ID:pull"); `sequence` is its version there.
    stream_id: str
    sequence: int
    type: str
    schema_version: int
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    payload: dict[str, Any]
    provenance: dict[str, str] | None
    hash: str


class FeedPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    events: list[FeedEvent]
    next_after: int  # pass as `after` for the next page


def require_feed_reader(identity: Identity) -> None:
    """The feed carries every initiative's events: the rule lets only those who may see every
    initiative read it, so no event needs sifting."""
    if not may_see(identity.viewer, EventFeed()):
        raise Rejected(f"{identity.person} cannot read the event feed: it needs the auditor "
                       "or pmo grant", RejectionKind.FORBIDDEN)


def _check(after: int, limit: int) -> None:
    if after < 0:
        raise Rejected(f"after: must be 0 or more, got {after}", RejectionKind.INVALID)
    if not 1 <= limit <= MAX_PAGE:
        raise Rejected(f"limit: must be between 1 and {MAX_PAGE}, got {limit}",
                       RejectionKind.INVALID)


def feed_event(recorded: RecordedEvent) -> FeedEvent:
    event = recorded.event
    return FeedEvent(
        position=recorded.position, event_id=str(event.event_id),
        initiative_id=initiative_of_pull(event.initiative_id) or event.initiative_id,
        stream_id=event.initiative_id, sequence=event.sequence, type=event.type,
        schema_version=event.schema_version, actor=event.actor, occurred_at=event.occurred_at,
        recorded_at=recorded.recorded_at, payload=event.payload,
        provenance=None if event.provenance is None else event.provenance.encoded(),
        hash=recorded.hash)


@use_case
async def feed_page(context: Context, identity: Identity, after: int = 0,
                    limit: int = 100) -> FeedPage:
    require_feed_reader(identity)
    _check(after, limit)
    store = await context.read_store()
    events = [feed_event(r) for r in await store.read_all(after, limit)]
    return FeedPage(events=events, next_after=events[-1].position if events else after)


async def follow(context: Context, identity: Identity,
                 after: int = 0) -> AsyncGenerator[FeedEvent, None]:
    """Every event after `after`, then each new one as it is recorded, until the caller stops:
    from the store's one tail in this process, whatever the number of followers."""
    require_feed_reader(identity)
    _check(after, MAX_PAGE)
    store = await context.read_store()
    tail = _TAILS.get(store)
    if tail is None:

        async def read(after: int, limit: int) -> list[FeedEvent]:
            return [feed_event(r) for r in await store.read_all(after, limit)]

        tail = _TAILS[store] = Tail(read, _position, MAX_PAGE, FOLLOW_PAUSE)
    async with contextlib.aclosing(tail.follow(after)) as events:
        async for event in events:
            yield event


def _position(event: FeedEvent) -> int:
    return event.position


# One tail per store: every stream a server process holds shares its reads.
_TAILS: weakref.WeakKeyDictionary[EventStore, Tail[FeedEvent]] = weakref.WeakKeyDictionary()
