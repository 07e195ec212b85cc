"""Replaying a workflow's recorded runs on today's code, and catching what each run appended.

The replay proves determinism (today's code takes the decisions the history recorded). It also
yields the appends themselves: an interceptor sees every request the workflow code makes to the
append activity, and the outcome the history recorded for it. The history keeps only outcomes
(the local activity's marker), so the replay is the one place where the appended events can be
read back from Temporal without trusting the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import (
    Interceptor,
    Replayer,
    StartLocalActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from domain.envelope import Event
from workflows.activity_contracts import APPEND_EVENTS, AppendOutcome, AppendRequest
from workflows.initiative import InitiativeWorkflow
from workflows.sandbox import workflow_runner

# A run's history is bounded by continue-as-new, so its replay takes seconds; one that does not
# end is reported as not replaying rather than holding the auditor's command forever.
REPLAY_LIMIT_SECONDS = 120.0


@dataclass
class CapturedAppend:
    """One append the workflow asked for. `outcome` stays None when the history ends before the
    append's result was recorded (it may be running now), `failed` when it failed for good."""

    request: AppendRequest
    outcome: AppendOutcome | None = None
    failed: bool = False

    @property
    def taken(self) -> list[Event]:
        """The events the workflow took as recorded by this append: its own, or those it found
        already in the store and adopted (a lost task of its own had appended them)."""
        if self.outcome is None:
            return []
        return self.request.events if self.outcome.appended else list(self.outcome.recorded)

    def resolve(self, done: asyncio.Future[Any]) -> None:
        if done.cancelled() or done.exception() is not None:
            self.failed = True
        else:
            self.outcome = done.result()


@dataclass
class RunReplay:
    run_id: str
    failure: str | None  # why today's code does not replay this run; None when it does
    appends: list[CapturedAppend] = field(default_factory=list)


class _AppendCatcher(Interceptor):
    def __init__(self) -> None:
        self.appends: list[CapturedAppend] = []

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        appends = self.appends

        class Outbound(WorkflowOutboundInterceptor):
            def start_local_activity(self, input: StartLocalActivityInput) -> Any:
                handle = super().start_local_activity(input)
                if input.activity == APPEND_EVENTS:
                    captured = CapturedAppend(input.args[0])
                    appends.append(captured)
                    handle.add_done_callback(captured.resolve)
                return handle

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(Outbound(outbound))

        return Inbound


async def replay_runs(histories: Sequence[WorkflowHistory]) -> list[RunReplay]:
    """Each run replayed on its own, so that the appends of each are told apart, in the sandbox
    the worker runs workflows in."""
    replays = []
    for history in histories:
        catcher = _AppendCatcher()
        replayer = Replayer(workflows=[InitiativeWorkflow], interceptors=[catcher],
                            data_converter=pydantic_data_converter,
                            workflow_runner=workflow_runner(pydantic_data_converter))
        try:
            async with asyncio.timeout(REPLAY_LIMIT_SECONDS):
                result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        except TimeoutError:
            replays.append(RunReplay(
                history.run_id, f"the replay did not finish within {REPLAY_LIMIT_SECONDS:g} s",
                catcher.appends))
            continue
        failure = result.replay_failure
        replays.append(RunReplay(
            history.run_id, None if failure is None else f"{type(failure).__name__}: {failure}",
            catcher.appends))
    return replays
