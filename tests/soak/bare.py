"""The soak's baseline: the same lanes driving a bare workflow of the same shape (an update is one
local activity call; no domain, store or notifications) on the same Temporal server, right after
the Baton run. Whatever latency the bare workflow shows at this concurrency is the server's and
the machine's, not Baton's.

The bare worker runs in this process (the load's own, otherwise nearly idle), since the Baton
worker process is idle by then, in the sandbox Baton's worker uses. The server's CPU per update
is measured here too: what an update of a workflow that does nothing costs Temporal.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid

from temporalio.client import Client
from temporalio.worker import Worker

from bench.bare_workflow import BareLifecycle, BarePlan, bare_noop
from bench.lifecycle_bench import bare_lifecycle
from workflows.sandbox import workflow_runner

from .breakdown import CpuShares
from .load import p99


async def bare_soak(client: Client, lanes: int, seconds: float, plan: BarePlan,
                    temporal_pids: list[int]) -> dict[str, float]:
    """`plan`: the shape of the soak's lifecycles (`bench.lifecycle_bench.same_shape`)."""
    queue = f"soak-bare-{uuid.uuid4().hex[:8]}"
    latencies: list[float] = []
    until = time.monotonic() + seconds

    async def lane() -> None:
        while time.monotonic() < until:
            await bare_lifecycle(client, queue, plan, latencies)

    cpu = CpuShares({"temporal": temporal_pids, "client": [os.getpid()]})
    started = time.monotonic()
    async with Worker(client, task_queue=queue, workflows=[BareLifecycle],
                      activities=[bare_noop],
                      workflow_runner=workflow_runner(client.data_converter)):
        await asyncio.gather(*(lane() for _ in range(lanes)))
    elapsed = time.monotonic() - started
    cores = cpu.figures(elapsed)
    latencies.sort()
    per_update = 1000 * elapsed / max(len(latencies), 1)
    return {
        # The client's share is the bare worker and the load together: they share this process.
        "soak_bare_cpu_temporal_ms_per_update": cores["soak_cpu_temporal_cores"] * per_update,
        "soak_bare_cpu_worker_and_client_ms_per_update":
            cores["soak_cpu_client_cores"] * per_update,
        "soak_bare_updates_per_s": len(latencies) / elapsed,
        "soak_bare_update_p50_ms": statistics.median(latencies),
        "soak_bare_update_p99_ms": p99(latencies),
    }
