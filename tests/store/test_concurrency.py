"""Concurrent writers: per-stream serialisation, and a global order no follower can fall behind."""

from __future__ import annotations

import asyncio
import random
from uuid import UUID

from store import ConcurrencyConflict, EventStore

from .builders import event, events


async def test_concurrent_appenders_on_one_stream_get_contiguous_versions(
    store: EventStore,
) -> None:
    appenders, appends_each = 20, 3
    conflicts = 0

    async def appender(name: int) -> None:
        nonlocal conflicts
        done = 0
        while done < appends_each:
            head = await store.stream_head("shared")
            version = head.version if head else 0
            try:
                await store.append(
                    "shared", version, [event("shared", version + 1, {"by": name, "n": done})]
                )
            except ConcurrencyConflict:
                conflicts += 1
            else:
                done += 1

    await asyncio.gather(*(appender(name) for name in range(appenders)))

    recorded = await store.read_stream("shared")
    total = appenders * appends_each
    assert [r.version for r in recorded] == list(range(1, total + 1))
    authored = {(r.event.payload["by"], r.event.payload["n"]) for r in recorded}
    assert len(authored) == total
    assert (await store.verify_stream("shared")).ok
    assert conflicts > 0, "the appenders never raced; the test proves nothing"


async def test_follower_of_the_global_order_sees_every_event_once_in_order(
    store: EventStore,
) -> None:
    """Writers commit out of position order all the time; the follower must not skip any.

    Taking out either half of the fence (the reader's exclusive lock or the appends' shared
    one) made this fail on every run tried: the follower pages past a position whose
    transaction commits a moment later.
    """
    writers, appends_each, streams_each = 8, 150, 5
    appended: set[UUID] = set()
    writers_done = asyncio.Event()
    seen: list[tuple[int, UUID]] = []

    async def writer(name: int, rng: random.Random) -> None:
        versions = dict.fromkeys(range(streams_each), 0)
        for append_number in range(appends_each):
            stream = append_number % streams_each
            stream_id = f"writer-{name}-stream-{stream}"
            size = rng.choice((1, 1, 1, 2, 5))
            batch = events(stream_id, versions[stream], size)
            await store.append(stream_id, versions[stream], batch)
            versions[stream] += size
            appended.update(e.event_id for e in batch)

    async def follower() -> None:
        after = 0
        while True:
            finished = writers_done.is_set()
            page = await store.read_all(after, limit=40)
            seen.extend((r.position, r.event.event_id) for r in page)
            if page:
                after = page[-1].position
            elif finished:
                return
            else:
                await asyncio.sleep(0)

    reading = asyncio.create_task(follower())
    await asyncio.gather(*(writer(name, random.Random(name)) for name in range(writers)))
    writers_done.set()
    await reading

    positions = [position for position, _ in seen]
    assert positions == sorted(set(positions)), "positions repeated or out of order"
    seen_ids = [event_id for _, event_id in seen]
    assert len(seen_ids) == len(set(seen_ids)), "an event was delivered twice"
    missed = appended - set(seen_ids)
    assert not missed, f"the follower skipped {len(missed)} of {len(appended)} events"
    assert len(seen_ids) == len(appended)
