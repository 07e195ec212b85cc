"""One workflow per initiative: it decides with the domain, records through an activity, and keeps
the domain's own fold of those events as its state, so the store always reproduces what it knew.

Human actions arrive as Updates: the validator runs `decide` on the current state and refuses
before anything enters the history. Timers come from `domain.deadlines`: the workflow sleeps until
the earliest one, then issues its command through the same `decide` (`workflows.deadline_handling`;
the front line's commands are in `workflows.pull_handling`, the metric reads in
`workflows.metric_reading`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import InitiativeState, Rejected, RejectionKind, decide, fold
    from domain import commands as cmd
    from domain.envelope import Event, Provenance
    from domain.pull_decide import PULL_COMMANDS, check_ideas_known, check_pull_command
    from workflows.activity_contracts import (
        APPEND_EVENTS,
        READ_RECORDED,
        AppendOutcome,
        AppendRequest,
        RecordedRequest,
    )
    from workflows.announcements import announcements_for
    from workflows.contracts import (
        Answered,
        InitiativeInput,
        InitiativeView,
        MetricSourceProblem,
        Recorded,
        Undelivered,
    )
    from workflows.deadline_handling import ANNOUNCE, DeadlineHandling
    from workflows.metric_reading import MetricReading
    from workflows.notifications import notifications_for
    from workflows.outbox import ACTIVITY_TIMEOUT, PATIENT, Outbox
    from workflows.pull import PULL_STREAM, PullSide
    from workflows.pull_handling import PullHandling
    from workflows.refusals import as_application_error, refused_by_store, reused
    from workflows.requests import (
        RequestMemory,
        Seen,
        command_fingerprint,
        request_key,
    )
    from workflows.run_bounds import BOUNDED_RUNS, drain, due_to_continue_as_new

# Past this backoff a failing append waits on a durable timer instead of in the worker's memory.
LOCAL_RETRY_THRESHOLD = timedelta(seconds=10)
_TIMER_COMMANDS = (cmd.MarkStepOverdue, cmd.Escalate, cmd.OpenCheck, cmd.EndExpertOnCall,
                   cmd.FlagStuck, cmd.RemindDueSoon, cmd.RecordUndelivered)
# Runs begun before this deliver their notices from the workflow (`workflows.outbox`); later ones
# hand them to the append, which keeps them in the store with the events (store/notices.py).
KEEP_NOTICES = "notices-kept-with-events"


@workflow.defn(name="Initiative")
class InitiativeWorkflow(PullHandling, MetricReading, DeadlineHandling):
    @workflow.init
    def __init__(self, start: InitiativeInput) -> None:
        self._state = start.state or InitiativeState(initiative_id=start.initiative_id)
        self._launch = start.launch if self._state.version == 0 else None
        self._head_hash = start.head_hash
        self._requests = RequestMemory(start.requests, start.recent_requests, workflow.now())
        self._outbox = Outbox(start.outbox, self._spawn, lambda: workflow.patched(ANNOUNCE),
                              self._record_undelivered)
        self._reading: set[int] = set()
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed = False
        self._index = start.index_search_attributes
        self._indexed: tuple[str, str, bool] | None = None
        self._source_problem: MetricSourceProblem | None = None
        self._bounded = False
        self._draining = False  # about to continue as new: new commands go to the next run
        ledger = start.pull
        if self._state.version == 0 and ledger.ideas is None:
            ledger = ledger.model_copy(update={"ideas": 0})  # a new initiative has none
        self._pull = PullSide(start.initiative_id, ledger)
        # Decided here, not in `run`: an update's validator may run before `run` starts.
        self._pull_stream = workflow.patched(PULL_STREAM)
        self._notices_kept = workflow.patched(KEEP_NOTICES)
        self._folded_ahead: tuple[list[Event], InitiativeState] | None = None

    @workflow.run
    async def run(self, start: InitiativeInput) -> InitiativeView:
        self._bounded = workflow.patched(BOUNDED_RUNS)
        if self._launch is not None:
            try:
                await self._record(self._launch.command, self._launch.request_id,
                                   self._launch.provenance)
            except Rejected as rejected:
                raise as_application_error(rejected) from None
        self._resume_metric_reads()
        self._outbox.dispatch()
        if self._pull_stream and self._state.ideas:
            async with self._lock:
                await self._carry_over_ideas()
        while self._state.is_open:
            if self._should_continue_as_new(start):
                # New commands wait for the next run (their senders are told to send again,
                # `workflows.client` does so itself): under a steady stream of them the
                # handlers would never all finish, and the run would grow past every bound.
                self._draining = True
                await drain(lambda: workflow.all_handlers_finished()
                            and not self._lock.locked(), self._idle)
                workflow.continue_as_new(self._carry_over(start))
            await self._sleep_until_due_or_changed(start)
            await self._fire_due_deadlines()
        # Closed: the last notices (the closing one among them) still go out.
        await workflow.wait_condition(lambda: workflow.all_handlers_finished() and self._idle())
        return self.view()

    @workflow.update
    async def execute(self, request: cmd.CommandEnvelope) -> list[Event]:
        """Record a person's command; returns the events it recorded (again, if retried)."""
        return await self._execute(request)

    @workflow.update
    async def execute_answered(self, request: cmd.CommandEnvelope) -> Answered:
        """`execute`, answered with the initiative's version and phase right after as well."""
        events = await self._execute(request)
        return Answered(events=events, version=self._state.version,
                        phase=self._state.phase.value)

    @workflow.update
    async def execute_viewed(self, request: cmd.CommandEnvelope) -> Recorded:
        """Kept for the updates already in running histories; doors use `execute_answered`."""
        return Recorded(events=await self._execute(request), view=self.view())

    async def _execute(self, request: cmd.CommandEnvelope) -> list[Event]:
        try:
            if self._pull_stream and isinstance(request.command, PULL_COMMANDS):
                return await self._record_pull(request.command, request.request_id,
                                               request.provenance)
            return await self._record(request.command, request.request_id, request.provenance)
        except Rejected as rejected:
            raise as_application_error(rejected) from None

    @workflow.update
    async def record_undelivered(self, undelivered: Undelivered) -> None:
        """From the workers that deliver the notices the store keeps: who was not told."""
        await self._record_undelivered(undelivered.notification_id, undelivered.to,
                                       undelivered.reason)

    @execute_viewed.validator
    def _validate_viewed(self, request: cmd.CommandEnvelope) -> None:
        self._validate(request)

    @execute_answered.validator
    def _validate_answered(self, request: cmd.CommandEnvelope) -> None:
        self._validate(request)

    @execute.validator
    def _validate(self, request: cmd.CommandEnvelope) -> None:
        command = request.command
        seen = self._requests.lookup(request_key(command.actor, request.request_id),
                                     request.request_id, command_fingerprint(command)).seen
        if seen is Seen.SAME:
            return  # a retry: answered with what the first one recorded
        if seen is Seen.OTHER:
            raise as_application_error(reused(request.request_id))
        if self._draining:
            raise as_application_error(Rejected(
                "the initiative is moving to a new run of its history; send the command again "
                "in a moment, with the same request id", RejectionKind.UNAVAILABLE))
        if isinstance(command, (cmd.Launch, *_TIMER_COMMANDS)) or (
            command.actor == cmd.SYSTEM_ACTOR
        ):
            raise as_application_error(Rejected(f"{command.kind} is not a command people can send",
                                      RejectionKind.FORBIDDEN))
        try:
            if self._pull_stream and isinstance(command, PULL_COMMANDS):
                check_pull_command(self._state_once_launched(), command)  # ideas: in the store
                if self._pull.ledger.ideas is not None:  # but their numbers are known
                    check_ideas_known(command, self._pull.ledger.ideas)
            else:
                decide(self._state_once_launched(), command, workflow.now())
        except Rejected as rejected:
            raise as_application_error(rejected) from None

    def _state_once_launched(self) -> InitiativeState:
        """An update can arrive before the launch is recorded; it is judged as if it were."""
        if self._state.version > 0 or self._launch is None:
            return self._state
        return fold(self._state.initiative_id,
                    decide(self._state, self._launch.command, workflow.now()), self._state)

    @workflow.query
    def view(self) -> InitiativeView:
        return InitiativeView(state=self._state, head_hash=self._head_hash,
                              deadlines=self._deadlines(announce=True),
                              run_id=workflow.info().run_id,
                              metric_source=self._source_problem, pull=self._pull.ledger)

    async def _record(self, command: cmd.AnyCommand, request_id: str | None = None,
                      provenance: Provenance | None = None) -> list[Event]:
        """Decide, append to the store, then fold: one command at a time."""
        if not isinstance(command, cmd.Launch):
            await workflow.wait_condition(lambda: self._state.version > 0)
        key = None if request_id is None else request_key(command.actor, request_id)
        fingerprint = command_fingerprint(command)
        async with self._lock:
            if key is not None and request_id is not None:
                answered = await self._answered(key, request_id, fingerprint)
                if answered is not None:
                    return answered
            while True:
                events = decide(self._state, command, workflow.now())
                if provenance is not None:
                    events = [e.model_copy(update={"provenance": provenance}) for e in events]
                try:
                    outcome = await self._append(events, key)
                except (ActivityError, ApplicationError) as error:
                    reason = refused_by_store(error)
                    if reason is None:
                        raise
                    await self._flag_stuck(command, reason)
                    raise Rejected(f"{command.kind} could not be recorded ({reason}); the "
                                   "initiative is flagged stuck and the PMO is told",
                                   RejectionKind.INVALID) from None
                if outcome.appended:
                    # Histories recorded before outcomes carried the events replay with [].
                    events = outcome.recorded or events
                    self._apply(events, outcome.head_hash)
                    break
                self._adopt(outcome)
                if key is not None and request_id is not None:
                    answered = await self._answered(key, request_id, fingerprint)
                    if answered is not None:
                        return answered
            if key is not None:
                self._requests.remember(key, fingerprint, events, workflow.now())
            workflow.logger.info("recorded %s", ", ".join(e.type for e in events), extra={
                "initiative_id": self._state.initiative_id, "version": self._state.version})
            return events

    async def _flag_stuck(self, command: cmd.AnyCommand, reason: str) -> None:
        """Record that `command` cannot be recorded, so that the PMO hears of it, the deadline
        behind it stops firing, and every other command, `cancel` first, still works."""
        workflow.logger.error("could not record %s: %s", command.kind, reason,
                              extra={"initiative_id": self._state.initiative_id})
        try:
            events = decide(self._state, cmd.FlagStuck(
                actor=cmd.SYSTEM_ACTOR, reason=reason, command=command.model_dump_json()),
                workflow.now())
            outcome = await self._append(events, None)
        except (Rejected, ActivityError, ApplicationError):
            return  # not launched, or the store refuses even this: the log has it
        if outcome.appended:
            self._apply(outcome.recorded or events, outcome.head_hash)
        else:
            self._adopt(outcome)

    async def _answered(self, key: str, request_id: str, fingerprint: str) -> list[Event] | None:
        """What an earlier sending of this request recorded; None if it is new. Refused when
        the sender used the id for another command."""
        found = self._requests.lookup(key, request_id, fingerprint)
        if found.seen is Seen.OTHER:
            raise reused(request_id)
        if found.seen is Seen.NEW:
            return None
        if found.events is not None or found.versions is None:
            return found.events or []
        # Recorded by an earlier run: continue-as-new carries which versions, not the events.
        recorded: list[Event] = await workflow.execute_local_activity(
            READ_RECORDED, RecordedRequest(initiative_id=found.stream_id
                                           or self._state.initiative_id,
                                           first_version=found.versions[0],
                                           last_version=found.versions[1]),
            result_type=list[Event], start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=PATIENT, local_retry_threshold=LOCAL_RETRY_THRESHOLD)
        return recorded

    def _adopt(self, outcome: AppendOutcome) -> None:
        """The store is ahead: a task of ours appended and was lost before the history kept it.
        Its events are the record; the requests it answered are answered."""
        first = self._state.version + 1
        self._apply(outcome.recorded, outcome.head_hash)
        for key, (low, high) in outcome.answered.items():
            self._requests.remember(key, None, outcome.recorded[low - first:high - first + 1],
                                    workflow.now())

    async def _append(self, events: list[Event], request_key: str | None) -> AppendOutcome:
        # A local activity: the append runs in this worker without a round trip to the server
        # to schedule it, which is most of an owner's wait; idempotent appends make its
        # at-least-once retries safe.
        notices = []
        if self._notices_kept:
            after = fold(self._state.initiative_id, events, self._state)
            notices = announcements_for(after, events)
            self._folded_ahead = (events, after)
        outcome: AppendOutcome = await workflow.execute_local_activity(
            APPEND_EVENTS,
            AppendRequest(initiative_id=self._state.initiative_id,
                          expected_version=self._state.version, events=events,
                          request_id=request_key, notices=notices),
            result_type=AppendOutcome, start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=PATIENT, local_retry_threshold=LOCAL_RETRY_THRESHOLD)
        return outcome

    def _apply(self, events: list[Event], head_hash: str) -> None:
        ahead, self._folded_ahead = self._folded_ahead, None
        if ahead is not None and ahead[0] == events:
            self._state = ahead[1]  # folded already, to tell whom the append's notices concern
        else:
            self._state = fold(self._state.initiative_id, events, self._state)
        self._head_hash = head_hash
        if not self._notices_kept:  # else the append kept them with the events
            announce = announcements_for if workflow.patched(ANNOUNCE) else notifications_for
            self._outbox.add(announce(self._state, events))
            self._outbox.dispatch()
        self._index_search_attributes()
        self._changed = True

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _record_undelivered(self, notification_id: str, to: str, reason: str) -> None:
        # Recorded, so the initiative's page shows who was not told.
        with contextlib.suppress(Rejected):
            await self._record(cmd.RecordUndelivered(
                actor=cmd.SYSTEM_ACTOR, notification_id=notification_id, to=to, reason=reason))

    def _idle(self) -> bool:
        return not self._outbox.pending and not self._reading and not self._lock.locked()

    def _should_continue_as_new(self, start: InitiativeInput) -> bool:
        return due_to_continue_as_new(start.history_limit, self._bounded)

    def _carry_over(self, start: InitiativeInput) -> InitiativeInput:
        return InitiativeInput(
            initiative_id=self._state.initiative_id, state=self._state,
            head_hash=self._head_hash, requests=self._requests.carried(workflow.now()),
            outbox=self._outbox.pending,
            index_search_attributes=start.index_search_attributes,
            history_limit=start.history_limit, pull=self._pull.ledger)
