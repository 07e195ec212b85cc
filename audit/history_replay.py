"""Replaying a workflow's recorded runs on today's code, and catching what each run appended.

The replay proves determinism (today's code takes the decisions the history recorded). It also
yields the appends themselves: an interceptor sees every request the workflow code makes to the
append activity, and the outcome the history recorded for it. The history keeps only outcomes
(the local activity's marker), so the replay is the one place where the appended events can be
read back from Temporal without trusting the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from temporalio.api.enums.v1 import EventType
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

# A run's history is bounded by continue-as-new, so its replay takes a second or two. A replay
# that does not end (temporalio's replayer waits for good on a history with no workflow task, and
# its clean-up on cancellation waits as long) is run on a thread of its own, abandoned after
# REPLAY_LIMIT_SECONDS, and tried afresh, so that one stuck replay cannot hold the auditor.
REPLAY_LIMIT_SECONDS = 30.0
REPLAY_ATTEMPTS = 3

T = TypeVar("T")


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
    return [await _replay_run(history) for history in histories]


async def _replay_run(history: WorkflowHistory) -> RunReplay:
    if not any(event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED
               for event in history.events):
        # The server holds back the first workflow task of a run whose predecessor continued
        # as new within its minimal interval (ContinueAsNewMinInterval, 1 s by default).
        # Fetched meanwhile, the run's history is its started event alone: its code has not
        # run, so it has taken no decision and appended nothing.
        return RunReplay(history.run_id, None, [])
    for _ in range(REPLAY_ATTEMPTS):
        replayed = await _on_own_thread(functools.partial(_replay, history, _AppendCatcher()),
                                        REPLAY_LIMIT_SECONDS)
        if replayed is not None:
            return replayed
    return RunReplay(history.run_id, f"the replay did not finish within "
                     f"{REPLAY_LIMIT_SECONDS:g} s, {REPLAY_ATTEMPTS} times", [])


async def _replay(history: WorkflowHistory, catcher: _AppendCatcher) -> RunReplay:
    replayer = Replayer(workflows=[InitiativeWorkflow], interceptors=[catcher],
                        data_converter=pydantic_data_converter,
                        workflow_runner=workflow_runner(pydantic_data_converter))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    failure = result.replay_failure
    return RunReplay(
        history.run_id, None if failure is None else f"{type(failure).__name__}: {failure}",
        catcher.appends)


async def _on_own_thread(work: Callable[[], Coroutine[Any, Any, T]], seconds: float) -> T | None:
    """`work` run to its end on a daemon thread with an event loop of its own; None when it has
    not ended within `seconds` (the thread is then left to finish, or not, on its own)."""
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[T] = loop.create_future()

    def settle(done: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # the caller's loop has closed meanwhile
            loop.call_soon_threadsafe(lambda: None if outcome.done() else done())

    def run() -> None:
        try:
            result = asyncio.run(work())
        except BaseException as error:  # handed to the caller, whatever it is
            failed = error
            settle(lambda: outcome.set_exception(failed))
        else:
            settle(lambda: outcome.set_result(result))

    threading.Thread(target=run, name="baton-replay", daemon=True).start()
    try:
        return await asyncio.wait_for(asyncio.shield(outcome), seconds)
    except TimeoutError:
        return None
