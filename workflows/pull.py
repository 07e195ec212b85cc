"""The initiative workflow's hands on the pull stream, where the front line's ideas live.

The workflow keeps none of the ideas: a decision reads the few a command names from the store
(`read`), the append answers with the next triage due (`append`), and that, with the stream's
version, is all that is carried from one run to the next (`PullLedger`). So nothing in the
workflow's state, its continue-as-new input or its update answers grows with the ideas.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import commands as cmd
    from domain.deadlines import Deadline, reminder_at, untriaged
    from domain.envelope import Event
    from domain.pull_decide import ideas_created
    from domain.pull_ideas import IDEA_SUBJECT, idea_of_subject
    from domain.pull_rules import DAILY_WINDOW
    from domain.pull_stream import pull_stream_id
    from domain.spec import InitiativeSpec
    from workflows.activity_contracts import (
        APPEND_PULL_EVENTS,
        READ_PULL_SLICE,
        AppendRequest,
        Notification,
        PullAppendOutcome,
        PullRead,
        PullSliceRequest,
    )
    from workflows.contracts import PullLedger
    from workflows.outbox import ACTIVITY_TIMEOUT, PATIENT

# Runs begun before the ideas had a stream of their own keep them in the initiative's state.
PULL_STREAM = "pull-stream"
# Ideas carried over from the initiative's state per append: a few hundred kilobytes at most.
CARRY_OVER_BATCH = 50
_LOCAL_RETRY_THRESHOLD = timedelta(seconds=10)


class PullSide:
    def __init__(self, initiative_id: str, ledger: PullLedger) -> None:
        self._initiative_id = initiative_id
        self.ledger = ledger

    async def read(self, idea_ids: Sequence[str], actor: str) -> PullRead:
        """The ideas a decision names, the sender's submissions of the last day, and what the
        stream holds past the version this workflow knew (`PullRead.ahead`)."""
        read: PullRead = await workflow.execute_local_activity(
            READ_PULL_SLICE, PullSliceRequest(
                initiative_id=self._initiative_id, idea_ids=list(idea_ids), actor=actor,
                since=workflow.now() - DAILY_WINDOW, known_version=self.ledger.version),
            result_type=PullRead, start_to_close_timeout=ACTIVITY_TIMEOUT, retry_policy=PATIENT,
            local_retry_threshold=_LOCAL_RETRY_THRESHOLD)
        if read.dues_read:
            self.ledger = PullLedger(version=read.pull.version, next_triage=read.next_triage,
                                     next_reminder=read.next_reminder)
        self.ledger = self.ledger.model_copy(update={"ideas": read.pull.submitted})
        return read

    async def append(self, expected_version: int, events: list[Event],
                     request_key: str | None,
                     notices: list[Notification] | None = None) -> PullAppendOutcome:
        if self.ledger.ideas is not None:
            # Counted before the answer: an update judged meanwhile may name the new idea.
            self.ledger = self.ledger.model_copy(
                update={"ideas": self.ledger.ideas + ideas_created(events)})
        outcome: PullAppendOutcome = await workflow.execute_local_activity(
            APPEND_PULL_EVENTS, AppendRequest(
                initiative_id=pull_stream_id(self._initiative_id),
                expected_version=expected_version, events=events, request_id=request_key,
                notices=notices or []),
            result_type=PullAppendOutcome, start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=PATIENT, local_retry_threshold=_LOCAL_RETRY_THRESHOLD)
        self.ledger = PullLedger(version=outcome.version, next_triage=outcome.next_triage,
                                 next_reminder=outcome.next_reminder, ideas=self.ledger.ideas)
        return outcome

    def deadlines(self, spec: InitiativeSpec) -> list[Deadline]:
        """When the owner is next reminded of a triage, and when the next untriaged idea
        escalates to the sponsor."""
        found = []
        reminder = self.ledger.next_reminder
        if reminder is not None:
            at = reminder_at(spec, reminder.submitted_at or reminder.due_at, reminder.due_at)
            if at is not None:
                found.append(Deadline(at=at, command=cmd.RemindDueSoon(
                    actor=cmd.SYSTEM_ACTOR, subject=f"{IDEA_SUBJECT}{reminder.idea_id}",
                    due_at=reminder.due_at)))
        due = self.ledger.next_triage
        if due is not None:
            found.append(Deadline(at=due.due_at, command=cmd.Escalate(
                actor=cmd.SYSTEM_ACTOR, subject=f"{IDEA_SUBJECT}{due.idea_id}",
                reason=untriaged(due.idea_id, due.submitted_at or due.due_at))))
        return found


def pull_deadline(deadline: Deadline) -> tuple[str, bool] | None:
    """The idea a deadline is about, and whether it escalates (else it reminds); None for any
    other deadline."""
    command = deadline.command
    if not isinstance(command, (cmd.Escalate, cmd.RemindDueSoon)):
        return None
    idea = idea_of_subject(command.subject)
    return None if idea is None else (idea, isinstance(command, cmd.Escalate))
