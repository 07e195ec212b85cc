"""What the clock owes an initiative: each dated commitment that, once passed, makes the engine act.

The workflow sleeps until the earliest deadline and then issues its command; `decide` accepts a
timed command only while this module still lists it as due, so a late or repeated timer is harmless.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from domain.commands import (
    SYSTEM_ACTOR,
    EndExpertOnCall,
    Escalate,
    MarkStepOverdue,
    OpenCheck,
    RemindDueSoon,
    TimedCommand,
)
from domain.formatting import when
from domain.spec import InitiativeSpec
from domain.state import (
    CheckStatus,
    IdeaStatus,
    InitiativeState,
    Phase,
    StepStatus,
    reminder_key,
)

REMINDER_FLOOR = timedelta(hours=1)


class Deadline(BaseModel):
    model_config = ConfigDict(frozen=True)
    at: datetime
    command: TimedCommand


def untriaged(idea_id: str, submitted_at: datetime) -> str:
    """Why an idea's triage escalates: the one wording, whichever stream holds the idea."""
    return f"idea {idea_id} has not been triaged since {when(submitted_at)}"


def _escalate(at: datetime, subject: str, reason: str) -> Deadline:
    return Deadline(at=at, command=Escalate(actor=SYSTEM_ACTOR, subject=subject, reason=reason))


def _handoff_deadlines(state: InitiativeState) -> list[Deadline]:
    spec = state.require_spec()
    found = []
    for step in state.steps:
        if step.status is not StepStatus.PENDING or step.due_at is None:
            continue
        if not step.reminded:
            found.append(Deadline(at=step.due_at, command=MarkStepOverdue(
                actor=SYSTEM_ACTOR, step_id=step.id)))
        elif not step.escalated:
            spec_step = spec.step(step.id)
            grace = spec.handoff_grace or (spec_step.due_in if spec_step else None)
            if grace is not None:
                found.append(_escalate(
                    step.due_at + grace, f"step:{step.id}",
                    f"handoff step '{step.title}' is overdue since {when(step.due_at)}"))
    return found


def _sustainment_deadlines(state: InitiativeState) -> list[Deadline]:
    spec = state.require_spec()
    found = []
    for check in state.checks:
        if check.status is CheckStatus.SCHEDULED:
            found.append(Deadline(at=check.due_at, command=OpenCheck(
                actor=SYSTEM_ACTOR, check=check.number)))
        elif check.status is CheckStatus.DUE and not check.escalated:
            found.append(_escalate(
                check.due_at + spec.sustainment.response_within, f"check:{check.number}",
                f"no reading for check {check.number}, due {when(check.due_at)}"))
    if state.phase is Phase.REGRESSED and state.regressed_at is not None:
        plan = state.response_plan
        if plan is None and not state.response_escalated:
            found.append(_escalate(
                state.regressed_at + spec.sustainment.response_within, "response",
                f"no response plan after the regression of {when(state.regressed_at)}"))
        elif plan is not None and not plan.escalated:
            found.append(_escalate(
                plan.due_at, "plan",
                f"the response plan due {when(plan.due_at)} has not restored the gain"))
    return found


def open_windows(state: InitiativeState) -> list[tuple[str, datetime, datetime]]:
    """(subject, opened, due) of each commitment a person still owes, before it is late."""
    spec = state.require_spec()
    found = []
    if state.phase is Phase.HANDING_OFF:
        for step in state.steps:
            spec_step = spec.step(step.id)
            if step.status is StepStatus.PENDING and step.due_at and spec_step and spec_step.due_in:
                found.append((f"step:{step.id}", step.due_at - spec_step.due_in, step.due_at))
    if state.phase in (Phase.SUSTAINING, Phase.REGRESSED) and spec.metric.source is None:
        found += [(f"check:{c.number}", c.due_at, c.due_at + spec.sustainment.response_within)
                  for c in state.checks if c.status is CheckStatus.DUE and not c.escalated]
    if state.phase is Phase.REGRESSED and state.regressed_at is not None:
        plan = state.response_plan
        if plan is None and not state.response_escalated:
            found.append(("response", state.regressed_at,
                          state.regressed_at + spec.sustainment.response_within))
        elif plan is not None and not plan.escalated:
            found.append(("plan", plan.submitted_at, plan.due_at))
    found += [(f"idea:{i.id}", i.submitted_at, i.triage_due_at) for i in state.ideas
              if i.status is IdeaStatus.PENDING and not i.escalated]
    return found


def _reminders(state: InitiativeState) -> list[Deadline]:
    """One reminder per commitment, `reminders.before` its due date (default: a fifth of its
    window, at least an hour); none when that would fall before the window opened, since the
    announcement that opened it said when it is due."""
    spec = state.require_spec()
    found = []
    for subject, opened, due in open_windows(state):
        at = reminder_at(spec, opened, due)
        if at is not None and reminder_key(subject, due) not in state.reminders_sent:
            found.append(Deadline(at=at, command=RemindDueSoon(
                actor=SYSTEM_ACTOR, subject=subject, due_at=due)))
    return found


def reminder_at(spec: InitiativeSpec, opened: datetime, due: datetime) -> datetime | None:
    """When a commitment open from `opened` and due at `due` is reminded of, if at all."""
    before = spec.reminders.before if spec.reminders else None
    at = due - (before or max((due - opened) / 5, REMINDER_FLOOR))
    return at if at > opened else None


def pending_deadlines(state: InitiativeState) -> list[Deadline]:
    """Every deadline still ahead (or passed but not yet acted on), earliest first."""
    if not state.is_open:
        return []
    found: list[Deadline] = []
    if state.phase is Phase.HANDING_OFF:
        found += _handoff_deadlines(state)
    if state.phase in (Phase.SUSTAINING, Phase.REGRESSED):
        found += _sustainment_deadlines(state)
    if state.expert_on_call_until is not None and not state.expert_on_call_ended:
        found.append(Deadline(at=state.expert_on_call_until,
                              command=EndExpertOnCall(actor=SYSTEM_ACTOR)))
    found += [
        _escalate(idea.triage_due_at, f"idea:{idea.id}", untriaged(idea.id, idea.submitted_at))
        for idea in state.ideas
        if idea.status is IdeaStatus.PENDING and not idea.escalated
    ]
    found += _reminders(state)
    if state.stuck:  # what could not be recorded would fail again, and again
        stuck = {s.command for s in state.stuck}
        found = [d for d in found if d.command.model_dump_json() not in stuck]
    return sorted(found, key=lambda d: d.at)


def moot(deadline: Deadline, now: datetime) -> bool:
    """A reminder woken only after its due date has nothing left to remind of."""
    return isinstance(deadline.command, RemindDueSoon) and deadline.command.due_at <= now


def due_deadlines(state: InitiativeState, now: datetime) -> list[Deadline]:
    return [d for d in pending_deadlines(state) if d.at <= now and not moot(d, now)]
