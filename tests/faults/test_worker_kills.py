"""Workers killed with SIGKILL at random moments while initiatives live their whole lives: every
initiative finishes, each event recorded once, on an intact chain."""

from __future__ import annotations

import asyncio
import random

from store import EventStore
from tests.worker_process import WorkerProcesses
from tests.workflows.metric_source import serve_metric
from workflows.client import InitiativeClient

from .chaos import kill_amid_work
from .integrity import check_integrity
from .lifecycles import UNATTENDED_RECORD, Ledger, unattended_spec

LIFECYCLES = 20
KILLS = 3


async def test_the_only_worker_killed_and_restarted_again_and_again(
    store: EventStore, initiatives: InitiativeClient, workers: WorkerProcesses,
    chance: random.Random,
) -> None:
    ledger = Ledger()
    with serve_metric([5.0]) as source:
        worker = await workers.start_ready()
        lives = asyncio.gather(*(ledger.run_lifecycle(initiatives, unattended_spec(source.url))
                                 for _ in range(LIFECYCLES)))
        for _ in range(KILLS):
            await kill_amid_work(store, worker, chance, most_events=2 * LIFECYCLES)
            worker = await workers.start_ready()
        async with asyncio.timeout(120):
            await lives

    integrity = await check_integrity(store, ledger, UNATTENDED_RECORD)
    assert integrity.ok, integrity
    assert integrity.initiatives == LIFECYCLES


async def test_one_of_two_workers_on_a_task_queue_killed(
    store: EventStore, initiatives: InitiativeClient, workers: WorkerProcesses,
    chance: random.Random,
) -> None:
    pair = [await workers.start_ready(), await workers.start_ready()]
    ledger = Ledger()
    with serve_metric([5.0]) as source:
        lives = asyncio.gather(*(ledger.run_lifecycle(initiatives, unattended_spec(source.url))
                                 for _ in range(LIFECYCLES // 2)))
        victim = chance.choice(pair)
        await kill_amid_work(store, victim, chance, most_events=LIFECYCLES)
        async with asyncio.timeout(90):
            await lives

    integrity = await check_integrity(store, ledger, UNATTENDED_RECORD)
    assert integrity.ok, integrity
    assert [worker.running for worker in pair].count(True) == 1
