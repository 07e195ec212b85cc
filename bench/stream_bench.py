"""Actions while many people follow the event feed, on one embedded stack, in the same run.

STREAM_PEOPLE feed readers (the `pmo` grant) each hold as many streams as a person may
(`GET /api/v1/events/stream`, STREAMS_EACH), from a process of their own, as browsers and
integrations elsewhere would. The actions timed are the API's, as `api_bench` sends them (a
front-line idea, then the owner's triage of it), in blocks alternately with no stream open and
with every stream open, so that both see the same machine:

    stream_action_p50_ms_without, stream_action_p99_ms_without
    stream_action_p50_ms_with_streams, stream_action_p99_ms_with_streams
    stream_action_slowdown_ratio = p50 with the streams / p50 without (goal: <= 1.5)
    stream_events_delivered_per_action: what the streams received per action recorded (every
    stream sees every event: STREAMS x events per action when all is well)
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from dataclasses import dataclass
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

import httpx

from app.identity import Grant
from store import EventStore
from workers.logging import configure_logging

from .api_bench import idea_or_triage, percentile
from .api_stack import ApiStack, api_stack
from .harness import say
from .lifecycle_bench import CLERK, OWNER, PMO, bench_spec

STREAM_PEOPLE = 50
STREAMS_EACH = 4  # web.feed.STREAMS_PER_PERSON: as many as a person may hold
ROUNDS = 3  # each: a block without streams, then a block with them
BLOCK = 40  # actions per block
OPEN_TIMEOUT = 120.0  # seconds for every stream to be answered


@dataclass(frozen=True)
class Followers:
    """The streams' process: `ready` once every stream is answered, `stop` ends them all."""

    process: Any
    ready: ProcessEvent
    stop: ProcessEvent
    received: Any  # multiprocessing.Value: SSE messages received, events only


def _follow_all(base_url: str, after: int, tokens: list[str], ready: ProcessEvent,
                stop: ProcessEvent, received: Any) -> None:
    asyncio.run(_streams(base_url, after, tokens, ready, stop, received))


async def _streams(base_url: str, after: int, tokens: list[str], ready: ProcessEvent,
                   stop: ProcessEvent, received: Any) -> None:
    opened = asyncio.Semaphore(0)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=base_url, timeout=None, limits=limits) as http:

        async def follow(token: str) -> None:
            async with http.stream("GET", "/api/v1/events/stream", params={"after": after},
                                   headers={"Authorization": f"Bearer {token}"}) as answer:
                answer.raise_for_status()
                opened.release()
                async for line in answer.aiter_lines():
                    if line.startswith("id: "):
                        with received.get_lock():
                            received.value += 1

        following = [asyncio.create_task(follow(token)) for token in tokens]
        for _ in tokens:
            await opened.acquire()
        ready.set()
        await asyncio.to_thread(stop.wait)
        for task in following:
            task.cancel()
        await asyncio.gather(*following, return_exceptions=True)


def _start_followers(base_url: str, after: int, tokens: list[str]) -> Followers:
    """`tokens` following the feed from `after`, one stream each."""
    context = multiprocessing.get_context("spawn")
    ready, stop, received = context.Event(), context.Event(), context.Value("q", 0)
    process = context.Process(target=_follow_all, daemon=True,
                              args=(base_url, after, tokens, ready, stop, received))
    process.start()
    return Followers(process, ready, stop, received)


async def _opened(followers: Followers) -> None:
    if not await asyncio.to_thread(followers.ready.wait, OPEN_TIMEOUT):
        raise RuntimeError(f"the streams were not all answered within {OPEN_TIMEOUT} s "
                           f"(the process {'lives' if followers.process.is_alive() else 'died'})")


async def _ended(followers: Followers) -> None:
    followers.stop.set()
    await asyncio.to_thread(followers.process.join, 30)


async def launched(stack: ApiStack) -> str:
    return await stack.initiatives.launch(bench_spec(stack.metric_url), PMO)


async def _feed_head(store: EventStore) -> int:
    """The position of the last event recorded: streams from there see only what follows."""
    after = 0
    while page := await store.read_all(after):
        after = page[-1].position
    return after


async def _actions(http: httpx.AsyncClient, iid: str, tokens: dict[str, str],
                   numbers: range) -> list[float]:
    latencies = []
    for n in numbers:
        person, action, arguments, _ = idea_or_triage(n)
        started = time.perf_counter()
        answer = await http.post(f"/api/v1/initiatives/{iid}/actions/{action}", json=arguments,
                                 headers={"Authorization": f"Bearer {tokens[person]}"})
        latencies.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return latencies


async def measure() -> dict[str, float]:
    configure_logging("console", "WARNING")  # one access-log line per request is too many
    async with api_stack("streams") as stack:
        actors = {person: await stack.token(person) for person in (OWNER, CLERK)}
        readers = [await stack.token(f"reader-{n}@b.example", Grant.PMO)
                   for n in range(STREAM_PEOPLE)]
        streams = [token for token in readers for _ in range(STREAMS_EACH)]
        without: list[float] = []
        with_streams: list[float] = []
        delivered = 0
        say(f"   {ROUNDS} rounds of {BLOCK} actions without streams, then with {len(streams)} "
            f"streams of {STREAM_PEOPLE} people")
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=60) as http:
            # The first actions of a process pay for its imports and caches.
            await _actions(http, await launched(stack), actors, range(2))
            for _ in range(ROUNDS):
                # An initiative per round: one person's ideas a day are bounded.
                iid = await launched(stack)
                without += await _actions(http, iid, actors, range(BLOCK))
                followers = _start_followers(stack.base_url, await _feed_head(stack.store),
                                             streams)
                try:
                    await _opened(followers)
                    with_streams += await _actions(http, iid, actors, range(BLOCK, 2 * BLOCK))
                    await asyncio.sleep(1.0)  # the last events reach the streams
                finally:
                    await _ended(followers)
                delivered += followers.received.value
    without.sort()
    with_streams.sort()
    return {
        "stream_action_p50_ms_without": statistics.median(without),
        "stream_action_p99_ms_without": percentile(without, 0.99),
        "stream_action_p50_ms_with_streams": statistics.median(with_streams),
        "stream_action_p99_ms_with_streams": percentile(with_streams, 0.99),
        "stream_action_slowdown_ratio": (statistics.median(with_streams)
                                         / statistics.median(without)),
        "stream_events_delivered_per_action": delivered / len(with_streams),
    }


def run() -> dict[str, float]:
    return asyncio.run(measure())
