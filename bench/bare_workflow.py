"""The baseline for the lifecycle benchmark: a Temporal workflow with the same shape of work
(updates, activity calls, timers) as an initiative, and no domain logic, store or notifications."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow

ACTIVITY_TIMEOUT = timedelta(seconds=30)


class BarePlan(BaseModel):
    """Mirrors an initiative: each update makes one local activity call (the append); each
    timer makes some local calls (appends) and some ordinary ones (metric reads, notices)."""

    updates: int
    timers: list[float]  # seconds after the last update
    local_calls_per_timer: int
    remote_calls_per_timer: int
    # The local activity each call makes: `bare_noop`, or one that records a row (see
    # `tests.soak.bare`), given "<workflow id>:<number of earlier local calls>".
    local_activity: str = "bare_noop"


@activity.defn(name="bare_noop")
async def bare_noop(payload: str) -> str:
    return payload


@workflow.defn(name="BareLifecycle")
class BareLifecycle:
    @workflow.init
    def __init__(self, plan: BarePlan) -> None:
        self._updates = 0
        self._local_calls = 0
        self._local_activity = plan.local_activity
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, plan: BarePlan) -> int:
        await workflow.wait_condition(lambda: self._updates >= plan.updates)
        elapsed = 0.0
        for at in plan.timers:
            await workflow.sleep(at - elapsed)
            elapsed = at
            for _ in range(plan.local_calls_per_timer):
                await self._call_local()
            for _ in range(plan.remote_calls_per_timer):
                await workflow.execute_activity(
                    bare_noop, "x", start_to_close_timeout=ACTIVITY_TIMEOUT)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._updates

    @workflow.update
    async def step(self, name: str) -> str:
        async with self._lock:
            await self._call_local()
            self._updates += 1
        return name

    @step.validator
    def _validate(self, name: str) -> None:
        if not name:
            raise ValueError("a step needs a name")

    async def _call_local(self) -> None:
        call = f"{workflow.info().workflow_id}:{self._local_calls}"
        self._local_calls += 1
        await workflow.execute_local_activity(
            self._local_activity, call, start_to_close_timeout=ACTIVITY_TIMEOUT)
