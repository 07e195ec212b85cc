"""Time skipping on the shared dev server (recipe in the `temporal_server` fixture)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta

from temporalio import workflow
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import TimeSkipper
from temporalio.worker import Worker

THIRTY_DAYS = timedelta(days=30)


@workflow.defn
class WaitThirtyDays:
    @workflow.run
    async def run(self) -> float:
        started = workflow.now()
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(lambda: False, timeout=THIRTY_DAYS)
        return (workflow.now() - started).total_seconds()


async def test_fast_forward_completes_a_thirty_day_wait(
    temporal_client: Client, time_skipper: TimeSkipper, task_queue: str
) -> None:
    async with Worker(temporal_client, task_queue=task_queue, workflows=[WaitThirtyDays]):
        handle = await temporal_client.start_workflow(
            WaitThirtyDays.run, id=f"wait-{uuid.uuid4()}", task_queue=task_queue
        )

        await asyncio.wait_for(time_skipper.fast_forward(handle, timedelta(days=31)), 15)

        assert await handle.result() >= THIRTY_DAYS.total_seconds()


async def test_auto_skipping_leaves_other_workflows_on_real_time(
    temporal_client: Client, time_skipper: TimeSkipper, task_queue: str
) -> None:
    async with Worker(temporal_client, task_queue=task_queue, workflows=[WaitThirtyDays]):
        real_time = await temporal_client.start_workflow(
            WaitThirtyDays.run, id=f"real-{uuid.uuid4()}", task_queue=task_queue
        )
        skipped = await time_skipper.client.start_workflow(
            WaitThirtyDays.run, id=f"skipped-{uuid.uuid4()}", task_queue=task_queue
        )

        assert await asyncio.wait_for(skipped.result(), 15) >= THIRTY_DAYS.total_seconds()

        description = await real_time.describe()
        assert description.status == WorkflowExecutionStatus.RUNNING
        assert await time_skipper.get_time_skipping_info(real_time) is None
        await real_time.terminate("test finished")
