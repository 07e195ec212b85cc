"""Which recorded events someone must hear about, and what they are told. Pure and deterministic."""

from __future__ import annotations

from domain import events as ev
from domain.envelope import Event
from domain.spec import Role
from domain.state import InitiativeState
from workflows.activity_contracts import Notification

_CLOSING = {ev.Sustained.TYPE, ev.ClosedRegressed.TYPE, ev.Cancelled.TYPE, ev.LaunchRejected.TYPE}


def _message(state: InitiativeState, event: Event) -> tuple[list[str], str] | None:
    p = event.payload
    sponsor, owner, pmo = (state.holder_of(r) for r in (Role.SPONSOR, Role.OWNER, Role.PMO))
    if event.type == ev.StepOverdue.TYPE:
        step = state.step(p["step_id"])
        to = state.holder_of(step.assignee) if step else owner
        return [to], f"Reminder: handoff step '{p['step_id']}' is overdue."
    if event.type == ev.Escalated.TYPE:
        return [p["to"], pmo], f"Escalation: {p['reason']}."
    if event.type == ev.CheckDue.TYPE and state.require_spec().metric.source is None:
        return [owner], (f"Sustainment check {p['check']} is due: please record a reading of "
                         f"{state.require_spec().metric.name}.")
    if event.type == ev.RegressionDetected.TYPE:
        return [owner, sponsor], (f"Regression detected ({p['reason']}); a response plan is "
                                  "needed.")
    if event.type == ev.IdeaSubmitted.TYPE:
        return [owner], f"New idea {p['idea_id']} to triage: {p['text']}"
    if event.type == ev.InitiativeStuck.TYPE:
        return [pmo], (f"Initiative stuck: {p['reason']}. Nothing else is held up; cancel it "
                       "if it cannot go on.")
    if event.type in _CLOSING:
        return [pmo, sponsor], f"Initiative closed: {state.phase.value}."
    return None


def notifications_for(state: InitiativeState, events: list[Event]) -> list[Notification]:
    """`state` is the state after `events` were applied."""
    found = []
    for event in events:
        message = _message(state, event)
        if message is not None:
            to, text = message
            found.append(Notification(
                notification_id=str(event.event_id), initiative_id=state.initiative_id,
                initiative_name=state.require_spec().name, kind=event.type,
                to=sorted(set(to)), message=text))
    return found
