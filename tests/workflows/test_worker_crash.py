"""A worker killed with SIGKILL mid-handoff, and a new one started: nothing lost or doubled."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from activities.store import EventStore
from domain import commands as c
from tests.domain.builders import EXPERT, OWNER, PMO, SPONSOR
from workers.embedded_temporal import EmbeddedTemporal
from workflows.client import InitiativeClient

from .scenario import quick_spec, store_agrees

StartWorker = Callable[[], subprocess.Popen[bytes]]


@pytest.fixture
def start_worker(temporal_server: EmbeddedTemporal, database_url: str, store: EventStore,
                 task_queue: str, tmp_path: Path) -> Iterator[StartWorker]:
    """Starts `python -m workers` as its own process, as an operator would run it."""
    started: list[subprocess.Popen[bytes]] = []
    env = {**os.environ, "TEMPORAL_ADDRESS": temporal_server.address,
           "DATABASE_URL": database_url, "BATON_DB_SCHEMA": store.schema,
           "BATON_TASK_QUEUE": task_queue, "BATON_HOME": str(tmp_path),
           "BATON_LOG_FORMAT": "json"}

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen([sys.executable, "-m", "workers"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


async def test_a_killed_worker_is_replaced_without_loss_or_duplicates(
    store: EventStore, initiatives: InitiativeClient, start_worker: StartWorker
) -> None:
    first = start_worker()
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await initiatives.send(iid, c.DeliverImprovement(actor=EXPERT, value=5.2))
    first.kill()
    first.wait()
    # Sent while no worker runs: the update waits for the next worker rather than failing.
    pending = asyncio.create_task(
        initiatives.send(iid, c.CompleteStep(actor=EXPERT, step_id="sop"), request_id="sop-1"))
    await asyncio.sleep(0.5)
    assert not pending.done()
    start_worker()
    assert [e.type for e in await asyncio.wait_for(pending, timeout=30)] == ["StepCompleted"]
    await initiatives.send(iid, c.CompleteStep(actor=OWNER, step_id="control-plan"))
    view = await store_agrees(store, initiatives, iid)
    recorded = await store.read_stream(iid)
    assert [r.version for r in recorded] == list(range(1, view.state.version + 1))
    assert len({r.event.event_id for r in recorded}) == len(recorded) == 5
    assert (await store.verify_stream(iid)).ok
