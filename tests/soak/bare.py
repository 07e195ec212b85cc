"""The soak's baseline: the same lanes driving a bare workflow of the same shape (an update is one
local activity call; no domain, store or notifications) on the same Temporal server, right after
the Baton run. Whatever latency the bare workflow shows at this concurrency is the server's and
the machine's, not Baton's.

The bare worker runs in this process (the load's own, otherwise nearly idle), since the Baton
worker process is idle by then, in the sandbox Baton's worker uses. The server's CPU per update
is measured here too: what an update of a workflow that does nothing costs Temporal.

A second baseline (`store=`) makes each local call record one event in the event store, the
single-statement append with no read model: what the same shape costs when every update is
written to PostgreSQL and nothing else is done, the floor any workflow that keeps its record
there stands on.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from bench.bare_workflow import BareLifecycle, BarePlan, bare_noop
from bench.lifecycle_bench import bare_lifecycle
from bench.store_bench import make_events
from store import EventStore
from workflows.sandbox import workflow_runner

from .breakdown import CpuShares
from .load import p99


def recorder(store: EventStore, appends: int) -> Callable[[str], Awaitable[str]]:
    """The local activity of the recording baseline: the first `appends` calls of a workflow
    (as many as a Baton lifecycle recorded events) each append one event, on a stream per
    workflow; the later ones, like Baton's reads and mail plans, append nothing."""

    @activity.defn(name="bare_record")
    async def bare_record(call: str) -> str:
        stream, _, earlier = call.rpartition(":")
        if int(earlier) < appends:
            await store.append(stream, int(earlier), make_events(stream, int(earlier) + 1, 1))
        return call

    return bare_record


async def bare_soak(client: Client, lanes: int, seconds: float, plan: BarePlan,
                    pids: dict[str, list[int]], store: EventStore | None = None,
                    appends: int = 0) -> dict[str, float]:
    """`plan`: the shape of the soak's lifecycles (`bench.lifecycle_bench.same_shape`); with a
    `store`, the first `appends` local calls of each lifecycle record an event there (keys
    `soak_bare_store_*`)."""
    queue = f"soak-bare-{uuid.uuid4().hex[:8]}"
    activities: list[Callable[[str], Awaitable[str]]] = [bare_noop]
    prefix, parts = "soak_bare", {"temporal": pids["temporal"], "client": [os.getpid()]}
    if store is not None:
        plan = plan.model_copy(update={"local_activity": "bare_record"})
        activities.append(recorder(store, appends))
        prefix, parts = "soak_bare_store", parts | {"postgres": pids["postgres"]}
    latencies: list[float] = []
    until = time.monotonic() + seconds

    async def lane() -> None:
        while time.monotonic() < until:
            await bare_lifecycle(client, queue, plan, latencies)

    cpu = CpuShares(parts)
    started = time.monotonic()
    async with Worker(client, task_queue=queue, workflows=[BareLifecycle],
                      activities=activities,
                      workflow_runner=workflow_runner(client.data_converter)):
        await asyncio.gather(*(lane() for _ in range(lanes)))
    elapsed = time.monotonic() - started
    cores = cpu.figures(elapsed)
    latencies.sort()
    per_update = 1000 * elapsed / max(len(latencies), 1)
    figures = {
        # The client's share is the bare worker and the load together: they share this process.
        f"{prefix}_cpu_temporal_ms_per_update": cores["soak_cpu_temporal_cores"] * per_update,
        f"{prefix}_cpu_worker_and_client_ms_per_update":
            cores["soak_cpu_client_cores"] * per_update,
        f"{prefix}_updates_per_s": len(latencies) / elapsed,
        f"{prefix}_update_p50_ms": statistics.median(latencies),
        f"{prefix}_update_p99_ms": p99(latencies),
    }
    if "postgres" in parts:
        figures[f"{prefix}_cpu_postgres_ms_per_update"] = (
            cores["soak_cpu_postgres_cores"] * per_update)
    return figures
