"""How people's tools talk to initiative workflows: launch, send a command, look at the state.

Rejections by the rules come back as `domain.Rejected`, whichever layer said no: the client's own
check of a launch, the update validator, or the handler.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from domain import InitiativeSpec, InitiativeState, Rejected, RejectionKind, decide
from domain.commands import AnyCommand, CommandEnvelope, Launch
from domain.envelope import Event, Provenance
from domain.state import CheckStatus
from domain.text import for_one_line
from workflows import call_policy as policy
from workflows.activity_contracts import READ_METRIC
from workflows.call_policy import Budget
from workflows.contracts import (
    Answered,
    InitiativeInput,
    InitiativeView,
    MetricSourceProblem,
    Undelivered,
    workflow_id_for,
)
from workflows.initiative import InitiativeWorkflow
from workflows.requests import update_id
from workflows.source_hosts import SourceHosts

# How long one attempt at a command waits for the workflow's answer when the caller sets no
# budget of its own: the call then has this much per attempt (`call_policy.UPDATE_ATTEMPTS`).
UPDATE_PATIENCE = 15.0
# Updates one process sends to one initiative at a time. The server admits 10 in flight per
# workflow and refuses the rest; a crowd of refusals and retries makes the workflow's tasks
# churn, so a process queues its own beyond this few, in order, before they reach the server.
UPDATES_IN_FLIGHT = 4


def new_initiative_id(name: str) -> str:
    """Readable and unique: a slug of the name and a short random suffix."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].rstrip("-") or "initiative"
    return f"{slug}-{uuid.uuid4().hex[:6]}"


R = TypeVar("R")


def _envelope(command: AnyCommand, request_id: str | None,
              provenance: Provenance | None) -> CommandEnvelope:
    return CommandEnvelope(request_id=request_id or uuid.uuid4().hex, command=command,
                           provenance=provenance)


class InitiativeClient:
    def __init__(self, client: Client, task_queue: str, *,
                 index_search_attributes: bool = True,
                 history_limit: int | None = None,
                 source_hosts: SourceHosts | None = None,
                 update_patience: float = UPDATE_PATIENCE) -> None:
        self._client = client
        self._update_patience = update_patience
        # Where metric sources may point: the worker's rule (BATON_METRIC_SOURCE_HOSTS), checked
        # here too so that a spec the worker would never read is refused at launch.
        self._source_hosts = source_hosts or SourceHosts()
        self._task_queue = task_queue
        self._in_flight: dict[str, tuple[asyncio.Semaphore, int]] = {}
        self._index = index_search_attributes
        self._history_limit = history_limit

    async def launch(self, spec: InitiativeSpec, actor: str,
                     initiative_id: str | None = None,
                     provenance: Provenance | None = None) -> str:
        initiative_id = initiative_id or new_initiative_id(spec.name)
        command = Launch(actor=actor, spec=spec)
        # The rules are pure, so a launch the workflow would refuse is refused here, before a
        # workflow exists at all.
        decide(InitiativeState(initiative_id=initiative_id), command, datetime.now(UTC))
        self._source_hosts.check_spec(spec)
        start = InitiativeInput(
            initiative_id=initiative_id,
            launch=CommandEnvelope(request_id=f"launch-{initiative_id}", command=command,
                                   provenance=provenance),
            index_search_attributes=self._index, history_limit=self._history_limit)
        try:
            await self._client.start_workflow(
                InitiativeWorkflow.run, start, id=workflow_id_for(initiative_id),
                task_queue=self._task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
        except WorkflowAlreadyStartedError:
            raise Rejected(f"initiative {initiative_id} already exists",
                           RejectionKind.CONFLICT) from None
        return initiative_id

    async def send(self, initiative_id: str, command: AnyCommand,
                   request_id: str | None = None,
                   provenance: Provenance | None = None, *,
                   budget: Budget | None = None) -> list[Event]:
        """Records `command`; `budget` bounds the whole call (default: the client's own)."""
        envelope = _envelope(command, request_id, provenance)
        return await self._update(initiative_id, InitiativeWorkflow.execute, envelope, budget)

    async def send_answered(self, initiative_id: str, command: AnyCommand,
                            request_id: str | None = None,
                            provenance: Provenance | None = None, *,
                            budget: Budget | None = None) -> Answered:
        """`send`, answered with the initiative's version and phase right after as well."""
        envelope = _envelope(command, request_id, provenance)
        return await self._update(initiative_id, InitiativeWorkflow.execute_answered, envelope,
                                  budget)

    def _budget(self, given: Budget | None) -> Budget:
        return given or Budget.of(self._update_patience * policy.UPDATE_ATTEMPTS)

    async def _update(self, initiative_id: str,
                      update: UpdateMethodMultiParam[[InitiativeWorkflow, CommandEnvelope], R],
                      envelope: CommandEnvelope, budget: Budget | None) -> R:
        budget = self._budget(budget)  # from now: the wait for a turn is part of the call
        slots, waiting = self._in_flight.get(initiative_id) or (
            asyncio.Semaphore(UPDATES_IN_FLIGHT), 0)
        self._in_flight[initiative_id] = (slots, waiting + 1)
        try:
            async with slots:
                return await self._update_within(initiative_id, update, envelope, budget)
        finally:
            slots, waiting = self._in_flight[initiative_id]
            if waiting == 1:
                del self._in_flight[initiative_id]
            else:
                self._in_flight[initiative_id] = (slots, waiting - 1)

    async def _update_within(
        self, initiative_id: str,
        update: UpdateMethodMultiParam[[InitiativeWorkflow, CommandEnvelope], R],
        envelope: CommandEnvelope, budget: Budget,
    ) -> R:
        """The one retry loop of an update. An attempt waits for the workflow's answer for its
        share of what is left of `budget`; "not now" from the server or the workflow is asked
        again after a pause, while the pause ends within the budget. The same request id makes
        every retry safe: the workflow records the command at most once."""
        attempts_left = budget.attempts
        waits = policy.pauses()
        while attempts_left > 0:
            attempt = asyncio.timeout_at(budget.attempt_deadline(attempts_left))
            try:
                async with attempt:
                    return await self.handle(initiative_id).execute_update(
                        update, envelope, id=update_id(envelope.command, envelope.request_id))
            except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
                if not attempt.expired():
                    break  # the server's own deadline, or the caller gave up
                # The server can lose an update that lands as the workflow continues as new:
                # its caller would wait for an answer that never comes. Asking again is safe:
                # the live run answers with what was recorded, or records it once.
                attempts_left -= 1
            except WorkflowUpdateFailedError as error:
                refused = policy.workflow_refusal(error)
                if refused is None:
                    raise
                # Refused for now (the run is about to continue as new): the next run takes it.
                if refused.kind is not RejectionKind.UNAVAILABLE:
                    raise refused from None
                await policy.pause_within(budget, waits, refused)
            except RPCError as error:
                if not policy.update_held_back(error):
                    raise await self._closed_or_unknown(initiative_id, error) from None
                await policy.pause_within(budget, waits, policy.busy(initiative_id))
        raise policy.unconfirmed(initiative_id)

    def handle(self, initiative_id: str) -> WorkflowHandle[Any, InitiativeView]:
        return self._client.get_workflow_handle_for(
            InitiativeWorkflow.run, workflow_id_for(initiative_id))

    async def record_undelivered(self, initiative_id: str, undelivered: Undelivered) -> bool:
        """Tells the initiative who a notice could not reach; False when its workflow has
        ended (a closed initiative records nothing more). Sent again, it is recorded once."""
        try:
            await asyncio.wait_for(self.handle(initiative_id).execute_update(
                InitiativeWorkflow.record_undelivered, undelivered,
                id=f"undelivered-{undelivered.notification_id}-{undelivered.to}"),
                self._update_patience)
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                return False
            raise
        return True

    async def view(self, initiative_id: str, *, budget: Budget | None = None) -> InitiativeView:
        budget = self._budget(budget)
        waits = policy.pauses()
        while True:
            try:
                return await self.handle(initiative_id).query(InitiativeWorkflow.view)
            except RPCError as error:
                refused = self._not_found(initiative_id, error)
                if not policy.run_starting(error):
                    raise refused from None
                await policy.pause_within(budget, waits, refused)

    async def view_with_source(self, initiative_id: str, *,
                               budget: Budget | None = None) -> InitiativeView:
        """The view, plus, while the metric source is still being retried, its last failure:
        Temporal keeps that on the pending activity, where the workflow itself cannot see it."""
        view = await self.view(initiative_id, budget=budget)
        spec = view.state.spec
        due = [c.number for c in view.state.checks if c.status is CheckStatus.DUE]
        if spec is None or spec.metric.source is None or not due:
            return view
        description = await self.handle(initiative_id).describe()
        for pending in description.raw_description.pending_activities:
            if pending.activity_type.name == READ_METRIC and pending.HasField("last_failure"):
                tried = pending.last_attempt_complete_time.ToDatetime(tzinfo=UTC)
                problem = MetricSourceProblem(
                    check=due[0], error=for_one_line(pending.last_failure.message),
                    tried_at=tried, attempts=pending.attempt)
                return view.model_copy(update={"metric_source": problem})
        return view

    async def _closed_or_unknown(self, initiative_id: str, error: RPCError) -> Exception:
        """An update to a finished workflow is answered as if it did not exist (NOT_FOUND); a
        query still reaches it, and tells a closed initiative from an unknown one."""
        if error.status != RPCStatusCode.NOT_FOUND:
            return error
        try:
            state = (await self.view(initiative_id)).state
        except Rejected as unknown:
            return unknown
        if state.is_open:
            return error
        return Rejected(f"initiative {initiative_id} is {state.phase.value}; nothing more can be "
                        "recorded", RejectionKind.CLOSED)

    @staticmethod
    def _not_found(initiative_id: str, error: RPCError) -> Exception:
        return policy.unknown(initiative_id) if error.status == RPCStatusCode.NOT_FOUND else error
