"""Killing workers at moments chosen at random, but always amid work."""

from __future__ import annotations

import asyncio
import random

from store import EventStore
from store.migrations import quote_schema
from tests.worker_process import WorkerProcess


async def events_recorded(store: EventStore, at_least: int = 0, timeout: float = 60.0) -> int:
    """How many events the store holds, once it holds `at_least`."""
    query = f"SELECT count(*) FROM {quote_schema(store.schema)}.events"
    async with asyncio.timeout(timeout):
        while (count := await store.pool.fetchval(query)) < at_least:
            await asyncio.sleep(0.05)
    return int(count)


async def kill_amid_work(store: EventStore, worker: WorkerProcess, chance: random.Random,
                         most_events: int) -> None:
    """SIGKILL `worker` once the store has gained between 1 and `most_events` more events, so
    the kill lands among workflow tasks and appends rather than in a quiet moment."""
    await events_recorded(store, at_least=await events_recorded(store)
                          + chance.randint(1, most_events))
    worker.kill()
