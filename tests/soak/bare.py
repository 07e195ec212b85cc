"""The soak's baseline: the same lanes driving a bare workflow of the same shape (an update is one
local activity call; no domain, store or notifications) on the same Temporal server, right after
the Baton run. Whatever latency the bare workflow shows at this concurrency is the server's and
the machine's, not Baton's.

The bare worker runs in this process (the load's own, otherwise nearly idle), since the Baton
worker process is idle by then.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid

from temporalio.client import Client
from temporalio.worker import Worker

from bench.bare_workflow import BareLifecycle, BarePlan, bare_noop
from bench.lifecycle_bench import bare_lifecycle

from .load import p99


async def bare_soak(client: Client, lanes: int, seconds: float,
                    updates_per_lifecycle: int) -> dict[str, float]:
    queue = f"soak-bare-{uuid.uuid4().hex[:8]}"
    plan = BarePlan(updates=updates_per_lifecycle, timers=[], local_calls_per_timer=0,
                    remote_calls_per_timer=0)
    latencies: list[float] = []
    until = time.monotonic() + seconds

    async def lane() -> None:
        while time.monotonic() < until:
            await bare_lifecycle(client, queue, plan, latencies)

    started = time.monotonic()
    async with Worker(client, task_queue=queue, workflows=[BareLifecycle],
                      activities=[bare_noop]):
        await asyncio.gather(*(lane() for _ in range(lanes)))
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "soak_bare_updates_per_s": len(latencies) / elapsed,
        "soak_bare_update_p50_ms": statistics.median(latencies),
        "soak_bare_update_p99_ms": p99(latencies),
    }
