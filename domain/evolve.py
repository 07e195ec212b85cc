"""evolve(state, event) -> state: the only way an initiative's state changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from domain import events as ev
from domain.bounds import (
    ESCALATIONS_KEPT,
    FRONT_LINE_LIMIT,
    READINGS_KEPT,
    REGRESSIONS_KEPT,
    REMINDERS_KEPT,
    ROUNDS_KEPT,
    SETTLED_REASON_KEPT,
    STUCK_COMMAND_KEPT,
    UNDELIVERED_KEPT,
    kept,
)
from domain.corrections import undo_latest_reading
from domain.envelope import Event
from domain.pull_ideas import apply_to_ideas, ideas_named, merged
from domain.pydantic_shortcuts import update_in_place
from domain.state import (
    CheckState,
    CheckStatus,
    Escalation,
    IdeaState,
    InitiativeState,
    Phase,
    Reading,
    RegressionRecord,
    ResponsePlan,
    StepState,
    StepStatus,
    Stuck,
    SustainmentRound,
    Undelivered,
    reminder_key,
)
from domain.text import excerpt
from domain.upcasting import upcast

Changes = dict[str, object]
_Model = TypeVar("_Model", bound=BaseModel)
_Key = TypeVar("_Key")


def _replace(items: tuple[_Model, ...], index: int, changes: Changes) -> tuple[_Model, ...]:
    if index < 0:
        return items
    return (*items[:index], items[index].model_copy(update=changes), *items[index + 1:])


def _replace_step(state: InitiativeState, step_id: str, **changes: object) -> tuple[StepState, ...]:
    return _replace(state.steps, _index([s.id for s in state.steps], step_id), changes)


def _replace_check(state: InitiativeState, number: int,
                   **changes: object) -> tuple[CheckState, ...]:
    return _replace(state.checks, _index([c.number for c in state.checks], number), changes)


def _replace_idea(state: InitiativeState, idea_id: str, **changes: object) -> tuple[IdeaState, ...]:
    return _replace(state.ideas, _index([i.id for i in state.ideas], idea_id), changes)


def _index(keys: list[_Key], key: _Key) -> int:
    """The first position of `key`, -1 when it is not there."""
    try:
        return keys.index(key)
    except ValueError:
        return -1


def _launched(s: InitiativeState, p: ev.InitiativeLaunched, e: Event) -> Changes:
    at = e.occurred_at
    steps = tuple(StepState(id=x.id, title=x.title, assignee=x.assignee) for x in p.spec.handoff)
    return {"spec": p.spec, "owner": p.spec.owner, "phase": Phase.PROPOSED, "launched_at": at,
            "steps": steps}


def _delivered(s: InitiativeState, p: ev.ImprovementDelivered, e: Event) -> Changes:
    at = e.occurred_at
    spec = s.require_spec()
    due = {x.id: (at + x.due_in if x.due_in else None) for x in spec.handoff}
    steps = tuple(
        StepState(id=x.id, title=x.title, assignee=x.assignee, due_at=due[x.id])
        for x in spec.handoff
    )
    return {"phase": Phase.HANDING_OFF, "delivered_at": at, "delivered_value": p.value,
            "earlier_rounds": _earlier_rounds(s),
            "steps": steps,
            "readings": _kept_readings(s, Reading(value=p.value, at=at, actor=e.actor)),
            "accepted_at": None, "approved_at": None, "checks": (), "regressed_at": None,
            "response_plan": None, "response_escalated": False}


def _earlier_rounds(s: InitiativeState) -> tuple[SustainmentRound, ...]:
    if s.delivered_value is None or s.delivered_at is None or not s.checks:
        return s.earlier_rounds
    return kept((*s.earlier_rounds, SustainmentRound(
        delivered_value=s.delivered_value, delivered_at=s.delivered_at, checks=s.checks)),
        ROUNDS_KEPT)


def _kept_escalations(s: InitiativeState, escalation: Escalation) -> tuple[Escalation, ...]:
    return kept((*s.escalations, escalation), ESCALATIONS_KEPT)


def _kept_readings(s: InitiativeState, reading: Reading) -> tuple[Reading, ...]:
    return kept((*s.readings, reading), READINGS_KEPT)


def _kept_undelivered(s: InitiativeState, undelivered: Undelivered) -> tuple[Undelivered, ...]:
    return kept((*s.undelivered, undelivered), UNDELIVERED_KEPT)


def _ideas(s: InitiativeState, p: ev.Payload, e: Event) -> Changes:
    """An idea event recorded with the initiative, before pull had a stream of its own."""
    named = {idea.id: idea for idea in s.ideas if idea.id in ideas_named(p)}
    changed = apply_to_ideas(named, p, e, s.require_spec().ideas.triage_within)
    return {"ideas": merged(s.ideas, changed)}


def _front_line(s: InitiativeState, person: str, add: bool) -> Changes:
    current = s.front_line or ()
    return {"front_line_now": (*current, person) if add
            else tuple(p for p in current if p != person)}


def _reopened_step(s: InitiativeState, p: ev.StepReopened, e: Event) -> Changes:
    at = e.occurred_at
    spec_step = s.require_spec().step(p.step_id)
    due_at = at + spec_step.due_in if spec_step and spec_step.due_in else None
    return {"steps": _replace_step(
        s, p.step_id, status=StepStatus.PENDING, completed_at=None, completed_by=None,
        evidence="", due_at=due_at, reminded=False, escalated=False)}


def _escalated(s: InitiativeState, p: ev.Escalated, e: Event) -> Changes:
    at = e.occurred_at
    changes: Changes = {"escalations": _kept_escalations(s, Escalation(
        subject=p.subject, reason=p.reason, to=p.to, at=at))}
    kind, _, key = p.subject.partition(":")
    if kind == "step":
        changes["steps"] = _replace_step(s, key, escalated=True)
    elif kind == "check":
        changes["checks"] = _replace_check(s, int(key), escalated=True)
    elif kind == "idea":
        changes["ideas"] = _replace_idea(s, key, escalated=True)
    elif kind == "response":
        changes["response_escalated"] = True
    elif kind == "plan" and s.response_plan is not None:
        changes["response_plan"] = s.response_plan.model_copy(update={"escalated": True})
    return changes


def _approved(s: InitiativeState, p: ev.ReviewApproved, e: Event) -> Changes:
    at = e.occurred_at
    spec = s.require_spec()
    checks = tuple(CheckState(number=n, due_at=at + offset)
                   for n, offset in enumerate(spec.sustainment.checks, start=1))
    return {"phase": Phase.SUSTAINING, "approved_at": at, "checks": checks}


def _judged(s: InitiativeState, check: int | None, status: CheckStatus, reading: float,
            retention: float, rules: tuple[str, ...], at: datetime) -> tuple[CheckState, ...]:
    if check is None:
        return s.checks
    return _replace_check(s, check, status=status, reading=reading, retention=retention,
                          rules=rules, judged_at=at)


def _regression(s: InitiativeState, p: ev.RegressionDetected, e: Event) -> Changes:
    at = e.occurred_at
    checks = _judged(
        s, p.check, CheckStatus.REGRESSED, p.reading, p.retention, tuple(p.rules), at)
    if s.phase is Phase.REGRESSED:
        return {"checks": checks}
    record = RegressionRecord(
        regressed_at=at, plan_due_at=at + s.require_spec().sustainment.response_within)
    return {"checks": checks, "phase": Phase.REGRESSED, "regressed_at": at,
            "response_plan": None, "response_escalated": False,
            "regressions": kept((*s.regressions, record), REGRESSIONS_KEPT)}


def _update_last_regression(s: InitiativeState, **changes: object) -> tuple[RegressionRecord, ...]:
    if not s.regressions:
        return s.regressions
    return (*s.regressions[:-1], s.regressions[-1].model_copy(update=changes))


def _closed(phase: Phase) -> Callable[[InitiativeState, Any, Event], Changes]:
    def apply(s: InitiativeState, p: Any, e: Event) -> Changes:
        reason = getattr(p, "reason", "")
        return {"phase": phase, "closed_at": e.occurred_at, "close_reason": reason}
    return apply


def _reading(s: InitiativeState, p: ev.ReadingRecorded, e: Event) -> Changes:
    return {"readings": _kept_readings(s, Reading(value=p.value, at=e.occurred_at, actor=e.actor,
                                              interim=bool(p.interim)))}


_APPLY: dict[type[ev.Payload], Callable[[InitiativeState, Any, Event], Changes]] = {
    ev.InitiativeLaunched: _launched,
    ev.LaunchApproved: lambda s, p, e: {"phase": Phase.IMPROVING},
    ev.LaunchRejected: _closed(Phase.REJECTED),
    ev.ImprovementDelivered: _delivered,
    ev.StepCompleted: lambda s, p, e: {"steps": _replace_step(
        s, p.step_id, status=StepStatus.DONE, completed_at=e.occurred_at, completed_by=e.actor,
        evidence=p.evidence)},
    ev.StepReopened: _reopened_step,
    ev.StepOverdue: lambda s, p, e: {"steps": _replace_step(s, p.step_id, reminded=True)},
    ev.Escalated: _escalated,
    ev.OwnershipAccepted: lambda s, p, e: {
        "phase": Phase.IN_REVIEW, "accepted_at": e.occurred_at, "owner_unaccepted": False,
        "accepted_statement": p.statement or "",
        "expert_on_call_until": s.expert_on_call_until
        or e.occurred_at + s.require_spec().expert_on_call},
    ev.ReviewApproved: _approved,
    ev.ReviewSentBack: lambda s, p, e: {
        "phase": Phase.HANDING_OFF, "accepted_at": None, "send_backs": s.send_backs + 1},
    ev.CheckDue: lambda s, p, e: {"checks": _replace_check(s, p.check, status=CheckStatus.DUE)},
    ev.ReadingRecorded: _reading,
    ev.CheckPassed: lambda s, p, e: {"checks": _judged(
        s, p.check, CheckStatus.PASSED, p.reading, p.retention, (), e.occurred_at)},
    ev.RegressionDetected: _regression,
    ev.ResponsePlanSubmitted: lambda s, p, e: {
        "response_plan": ResponsePlan(action=p.action, submitted_by=e.actor,
                                      submitted_at=e.occurred_at, due_at=p.due_at),
        "regressions": _update_last_regression(
            s, plan_submitted_at=e.occurred_at, plan_submitted_by=e.actor,
            recovery_due_at=p.due_at)},
    ev.RecoveryConfirmed: lambda s, p, e: {
        "phase": Phase.SUSTAINING, "regressed_at": None, "response_plan": None,
        "response_escalated": False,
        "regressions": _update_last_regression(s, recovered_at=e.occurred_at)},
    ev.IdeaSubmitted: _ideas,
    ev.IdeaAdopted: _ideas,
    ev.IdeaDeclined: _ideas,
    ev.IdeaDelivered: _ideas,
    ev.IdeaSupported: _ideas,
    ev.IdeaMarkedDuplicate: _ideas,
    ev.PullSeparated: lambda s, p, e: {"ideas": ()},
    ev.FrontLineAdded: lambda s, p, e: _front_line(s, p.person, add=True),
    ev.FrontLineRemoved: lambda s, p, e: _front_line(s, p.person, add=False),
    ev.OwnerReassigned: lambda s, p, e: {
        "owner": p.owner, "owner_unaccepted": s.phase is Phase.IN_REVIEW,
        "owners_before": kept(tuple(dict.fromkeys((*s.owners_before, p.previous))),
                              FRONT_LINE_LIMIT)},
    ev.ExpertOnCallEnded: lambda s, p, e: {"expert_on_call_ended": True},
    ev.Cancelled: _closed(Phase.CANCELLED),
    ev.Reopened: lambda s, p, e: {"phase": Phase.IMPROVING, "regressions": _update_last_regression(
        s, settled=f"reopened for improvement: {excerpt(p.reason, SETTLED_REASON_KEPT)}")},
    ev.DueSoon: lambda s, p, e: {
        "reminders_sent": kept((*s.reminders_sent, reminder_key(p.subject, p.due_at)),
                               REMINDERS_KEPT)},
    ev.NotificationUndelivered: lambda s, p, e: {"undelivered": _kept_undelivered(s, Undelivered(
        notification_id=p.notification_id, to=p.to, reason=p.reason, at=e.occurred_at))},
    ev.Sustained: _closed(Phase.SUSTAINED),
    ev.ClosedRegressed: _closed(Phase.CLOSED_REGRESSED),
    ev.ReadingCorrected: lambda s, p, e: undo_latest_reading(s, p.value),
    ev.InitiativeStuck: lambda s, p, e: {"stuck": (*s.stuck, Stuck(
        reason=p.reason, command=p.command[:STUCK_COMMAND_KEPT], at=e.occurred_at))},
}


def _changes(state: InitiativeState, event: Event) -> Changes:
    """What `event` changes in `state`: the one path every event takes, whether it is applied
    by `evolve` or folded in place by a `StateBuilder`."""
    if event.initiative_id != state.initiative_id:
        raise ValueError(f"event of {event.initiative_id} applied to {state.initiative_id}")
    if event.sequence != state.version + 1:
        raise ValueError(
            f"event {event.sequence} of {state.initiative_id} applied at version {state.version}")
    event = upcast(event)
    payload = ev.payload_of(event)
    changes = _APPLY[type(payload)](state, payload, event)
    changes.update(version=event.sequence, updated_at=event.occurred_at)
    return changes


def evolve(state: InitiativeState, event: Event) -> InitiativeState:
    return state.model_copy(update=_changes(state, event))


class StateBuilder:
    """Folds events into a private copy of a state, changed in place: `evolve` copies the whole
    state once per event, which is most of what replaying a long stream costs.

    Each event goes through the very handlers `evolve` uses and is set exactly as `model_copy`
    sets it, so `build()` equals the chain of `evolve` calls. The state is never shared while it
    changes: `build()` hands it out, and a later `apply` first takes a fresh copy, so a built
    state stays as it was built. An event that cannot be applied raises
    before anything changes.
    """

    __slots__ = ("_shared", "_state")

    def __init__(self, state: InitiativeState) -> None:
        self._state = state
        self._shared = True  # the caller holds it too: copy before the first change

    def apply(self, event: Event) -> None:
        changes = _changes(self._state, event)
        if self._shared:
            self._state = self._state.model_copy(update=changes)
            self._shared = False
            return
        update_in_place(self._state, changes)

    def build(self) -> InitiativeState:
        self._shared = True
        return self._state


def fold(initiative_id: str, events: Iterable[Event],
         state: InitiativeState | None = None) -> InitiativeState:
    builder = StateBuilder(state or InitiativeState(initiative_id=initiative_id))
    for event in events:
        builder.apply(event)
    return builder.build()
