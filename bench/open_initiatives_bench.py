"""Worker memory while many initiatives sit open, each waiting on a timer.

The initiatives start as a continue-as-new run would: in `handing_off`, with the folded state in
their input and step due dates weeks away, so the worker holds them all between timers without
each first replaying a launch through the store. The worker runs as its own process, as in
production, and its resident set size is sampled while they start and after they settle.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.service import RPCError

from devstack.embedded_temporal import FREE_PORT, start_embedded_temporal
from domain import InitiativeSpec, InitiativeState, decide, fold
from domain import commands as c
from workers.settings import Settings
from workers.temporal_client import connect_client
from workflows.contracts import InitiativeInput, workflow_id_for
from workflows.initiative import InitiativeWorkflow

from .harness import postgres, say
from .lifecycle_bench import EXPERT, PMO, SPONSOR, bench_spec

OPEN = int(os.environ.get("BATON_BENCH_OPEN_INITIATIVES", "10000"))
STARTS_IN_FLIGHT = 200
SAMPLE_EVERY = 5.0  # seconds between readings of the worker's RSS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def handing_off_state(initiative_id: str) -> InitiativeState:
    state = InitiativeState(initiative_id=initiative_id)
    now = datetime.now(UTC)
    data = bench_spec("http://127.0.0.1:9/metric").model_dump()
    data["handoff"] = [{"id": "sop", "title": "SOP", "assignee": "expert", "due_in": "30d"}]
    spec = InitiativeSpec.model_validate(data)
    for command in (c.Launch(actor=PMO, spec=spec), c.ApproveLaunch(actor=SPONSOR),
                    c.DeliverImprovement(actor=EXPERT, value=5.0)):
        state = fold(initiative_id, decide(state, command, now), state)
    return state


async def measure() -> dict[str, float]:
    with postgres() as dsn, tempfile.TemporaryDirectory() as home:
        server = await start_embedded_temporal(Path(home), port=FREE_PORT, ui_port=None)
        async with server:
            settings = Settings.from_env({})
            client = await connect_client(settings, address=server.address)
            queue = f"bench-open-{uuid.uuid4().hex[:6]}"
            env = {**os.environ, "TEMPORAL_ADDRESS": server.address, "DATABASE_URL": dsn,
                   "BATON_DB_SCHEMA": "bench_open", "BATON_TASK_QUEUE": queue,
                   "BATON_HOME": home, "BATON_LOG_LEVEL": "WARNING"}
            worker = subprocess.Popen([sys.executable, "-m", "workers"], env=env)
            try:
                return await _fill(client, queue, worker.pid)
            finally:
                worker.terminate()
                worker.wait(timeout=30)


async def _fill(client: object, queue: str, worker_pid: int) -> dict[str, float]:
    template = handing_off_state("template")
    gate = asyncio.Semaphore(STARTS_IN_FLIGHT)
    peak = rss_mb(worker_pid)

    async def start(n: int) -> None:
        iid = f"open-{n}"
        state = template.model_copy(update={"initiative_id": iid})
        async with gate:
            await client.start_workflow(  # type: ignore[attr-defined]
                InitiativeWorkflow.run, InitiativeInput(initiative_id=iid, state=state),
                id=workflow_id_for(iid), task_queue=queue)

    started = time.perf_counter()
    tasks = [asyncio.create_task(start(n)) for n in range(OPEN)]
    while not all(t.done() for t in tasks):
        await asyncio.sleep(SAMPLE_EVERY)
        peak = max(peak, rss_mb(worker_pid))
        say(f"   {sum(t.done() for t in tasks):>6}/{OPEN} started, worker RSS "
            f"{rss_mb(worker_pid):.0f} MB")
    await asyncio.gather(*tasks)
    # Every start queues a first workflow task; a query answers only after it, so a sample of
    # answers (the last ones started) shows the worker has taken them all in.
    for n in range(max(0, OPEN - 20), OPEN):
        view = await _answered_query(client, f"open-{n}", worker_pid)
        assert view.deadlines, "an open initiative should be waiting on a timer"
    samples = [rss_mb(worker_pid)]
    while len(samples) < 4 or max(samples[-3:]) > 1.02 * min(samples[-3:]):
        await asyncio.sleep(SAMPLE_EVERY)
        samples.append(rss_mb(worker_pid))
    settled = samples[-1]
    peak = max(peak, *samples)
    say(f"   all {OPEN} open after {time.perf_counter() - started:.0f} s; worker RSS "
        f"{settled:.0f} MB (peak {peak:.0f} MB)")
    return {"open_initiatives": OPEN, "open_initiatives_worker_rss_mb": settled,
            "open_initiatives_worker_peak_rss_mb": peak}


async def _answered_query(client: object, initiative_id: str, worker_pid: int) -> Any:
    """A query waits for the workflow's first task; with thousands queued, it may time out."""
    handle = client.get_workflow_handle(workflow_id_for(initiative_id))  # type: ignore[attr-defined]
    while True:
        try:
            return await handle.query(InitiativeWorkflow.view, rpc_timeout=timedelta(seconds=10))
        except RPCError:
            say(f"   worker still taking in the backlog, RSS {rss_mb(worker_pid):.0f} MB")


def run() -> dict[str, float]:
    return asyncio.run(measure())
