"""The digest's schedule: one long-lived workflow per task queue that sleeps on a durable timer
until the next sending time, sends every person's digest, and continues as new from there. The
worker's settings say when (`BATON_DIGEST`): asked each time, so a change takes effect at the
next digest; with none, the workflow ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from workflows.activity_contracts import NEXT_DIGEST, SEND_DIGESTS, DigestRequest

PATIENT = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5))


def digest_workflow_id(task_queue: str) -> str:
    return f"baton-digest-{task_queue}"


class DigestInput(BaseModel):
    model_config = ConfigDict(frozen=True)
    since: datetime | None = None  # the last digest's time; None: from the workflow's start


@workflow.defn(name="Digest")
class DigestWorkflow:
    @workflow.run
    async def run(self, start: DigestInput) -> None:
        since = start.since or workflow.now()
        at = await workflow.execute_local_activity(
            NEXT_DIGEST, since, result_type=datetime | None,  # type: ignore[arg-type]
            start_to_close_timeout=timedelta(seconds=10), retry_policy=PATIENT)
        if at is None:
            return
        wait = at - workflow.now()
        if wait > timedelta(0):
            await workflow.sleep(wait, summary="next digest")
        try:
            await workflow.execute_activity(
                SEND_DIGESTS, DigestRequest(since=since, until=at), result_type=int,
                start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(minutes=1),
                schedule_to_close_timeout=timedelta(hours=12), retry_policy=PATIENT)
        except ActivityError:
            workflow.logger.error("gave up sending the digest of %s; the next one goes on",
                                  at.isoformat())
        workflow.continue_as_new(DigestInput(since=at))
