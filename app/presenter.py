"""One initiative as every door shows it: the JSON of `baton show --json` (and of the HTTP API),
and recorded events as sentences. Pure: state in, plain data out."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from domain import events as ev
from domain.benefits import benefit
from domain.envelope import Event
from domain.formatting import number, percent, when
from domain.pull import NOW_DEPENDENT, PullFigures, pull_figures, triage_queue
from domain.state import CheckState, CheckStatus, IdeaState, InitiativeState
from workflows.contracts import InitiativeView

# Figures from the record alone are the same whenever they are rebuilt: a moment before any.
START = datetime.min.replace(tzinfo=UTC)

# People see a check as pending until it is judged; "scheduled" and "due" only tell the engine
# whether to wait for the clock or for a reading.
_CHECK_STATUS = {CheckStatus.SCHEDULED: "pending", CheckStatus.DUE: "pending"}


def check_status(check: CheckState) -> str:
    return _CHECK_STATUS.get(check.status, check.status.value)


def pull_moment(state: InitiativeState) -> datetime:
    """When the pull figures of a state are taken: nothing that moves with the clock."""
    return state.closed_at or state.updated_at or START


def state_json(view: InitiativeView, pull: PullFigures | None = None,
               ideas: int | None = None) -> dict[str, Any]:
    """`pull`: the figures of every idea, where the state holds a page of them (`ideas` in
    all); without, the figures of the ideas the state holds."""
    state = view.state
    spec = state.require_spec()
    figures = benefit(state)
    pull = pull or pull_figures([state], pull_moment(state))
    return {
        "id": state.initiative_id, "name": spec.name, "phase": state.phase.value,
        "version": state.version, "head_hash": view.head_hash, "owner": state.owner,
        "sponsor": spec.sponsor, "pmo": spec.pmo, "expert": spec.expert,
        "metric": spec.metric.model_dump(mode="json"),
        "delivered_value": state.delivered_value,
        "launched_at": state.launched_at, "updated_at": state.updated_at,
        "closed_at": state.closed_at, "close_reason": state.close_reason or None,
        "steps": [{"id": s.id, "title": s.title, "status": s.status.value,
                   "assignee": s.assignee.value, "due_at": s.due_at,
                   "completed_at": s.completed_at, "completed_by": s.completed_by,
                   "evidence": s.evidence or None} for s in state.steps],
        "checks": [{"number": c.number, "due_at": c.due_at, "status": check_status(c),
                    "reading": c.reading, "retention": c.retention, "rules": list(c.rules)}
                   for c in state.checks],
        "ideas": [idea_json(i) for i in state.ideas],
        "triage_queue": [i.id for i in triage_queue(state)],
        "front_line": None if state.front_line is None else list(state.front_line),
        "accepted_statement": state.accepted_statement or None,
        "benefit": figures.model_dump(mode="json") if figures else None,
        # The same whenever it is rebuilt from the record: nothing that moves with the clock.
        "pull": pull.model_dump(mode="json", exclude=set(NOW_DEPENDENT)),
        "ideas_total": len(state.ideas) if ideas is None else ideas,
        "response_plan": state.response_plan.model_dump(mode="json")
        if state.response_plan else None,
        "escalations": [e.model_dump(mode="json") for e in state.escalations],
        "deadlines": [{"at": d.at, "what": deadline_text(d.command)} for d in view.deadlines],
        "undelivered": [u.model_dump(mode="json") for u in state.undelivered],
        "run_id": view.run_id,
        "stuck": [{"reason": s.reason, "since": s.at} for s in state.stuck],
        "metric_source": view.metric_source.model_dump(mode="json")
        if view.metric_source else None,
    }


def idea_json(idea: IdeaState) -> dict[str, Any]:
    return {"id": idea.id, "status": idea.status.value, "text": idea.text,
            "submitted_by": idea.submitted_by, "submitted_at": idea.submitted_at,
            "triage_due_at": idea.triage_due_at, "reason": idea.reason or None,
            "supporters": list(idea.supporters), "duplicate_of": idea.duplicate_of}


def deadline_text(command: Any) -> str:
    kind = command.kind
    if kind == "step_overdue":
        return f"step {command.step_id} falls due (reminder)"
    if kind == "open_check":
        return f"check {command.check} falls due"
    if kind == "end_expert_on_call":
        return "the expert's on-call period ends"
    if kind == "remind_due_soon":
        return f"reminder: {command.subject} falls due {when(command.due_at)}"
    return f"escalation: {command.reason}"


def json_default(value: Any) -> Any:
    """How every door writes what JSON has no type for: moments in ISO 8601."""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


_SENTENCES: dict[str, Callable[[dict[str, Any]], str]] = {
    ev.StepCompleted.TYPE: lambda p: f"step {p.get('step_id')} completed",
    ev.StepReopened.TYPE: lambda p: f"step {p.get('step_id')} reopened",
    ev.CheckPassed.TYPE: lambda p: f"check {p.get('check')} passed "
    f"(retains {percent(p.get('retention'))} of the gain)",
    ev.RegressionDetected.TYPE: lambda p: f"regression detected: {p.get('reason')}",
    ev.RecoveryConfirmed.TYPE: lambda p: "recovery confirmed "
    f"(retains {percent(p.get('retention'))} of the gain)",
    ev.IdeaSubmitted.TYPE: lambda p: f"idea {p.get('idea_id')} submitted",
    ev.IdeaAdopted.TYPE: lambda p: f"idea {p.get('idea_id')} adopted",
    ev.IdeaDeclined.TYPE: lambda p: f"idea {p.get('idea_id')} declined",
    ev.IdeaDelivered.TYPE: lambda p: f"idea {p.get('idea_id')} delivered",
    ev.IdeaMarkedDuplicate.TYPE: lambda p: f"idea {p.get('idea_id')} marked a duplicate of "
    f"{p.get('duplicate_of')}",
    ev.FrontLineAdded.TYPE: lambda p: f"{p.get('person')} joined the front line",
    ev.FrontLineRemoved.TYPE: lambda p: f"{p.get('person')} left the front line",
    ev.ReadingRecorded.TYPE: lambda p: f"reading {number(p.get('value'))} recorded" + (
        " as an interim reading: no check is due yet, and the next one still waits for "
        "its reading" if p.get("interim") else ""),
    ev.ReadingCorrected.TYPE: lambda p: f"reading {number(p.get('previous'))} corrected to "
    f"{number(p.get('value'))} ({p.get('reason')})",
    ev.InitiativeStuck.TYPE: lambda p: f"initiative flagged stuck: {p.get('reason')}",
    ev.ImprovementDelivered.TYPE: lambda p: f"improvement delivered at {number(p.get('value'))}",
    ev.OwnerReassigned.TYPE: lambda p: f"owner is now {p.get('owner')}",
    ev.DueSoon.TYPE: lambda p: f"reminder sent: {p.get('subject')} falls due soon",
    ev.NotificationUndelivered.TYPE: lambda p: f"mail to {p.get('to')} refused: "
    f"{p.get('reason')}",
}


def describe_event(event: Event) -> str:
    """`check 1 passed (retains 99% of the gain)` rather than `CheckPassed`."""
    if event.type == ev.IdeaSupported.TYPE:
        return f"idea {event.payload.get('idea_id')} supported by {event.actor}"
    sentence = _SENTENCES.get(event.type)
    return sentence(event.payload) if sentence else _words(event.type)


def _words(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", camel).lower()


def submitted_idea(events: list[Event]) -> str | None:
    """The id of the idea these events submitted, if they did."""
    return next((str(e.payload["idea_id"]) for e in events
                 if e.type == ev.IdeaSubmitted.TYPE), None)


def event_json(event: Event) -> dict[str, Any]:
    """An event as every door shows it; `provenance` only where it was recorded."""
    data = event.model_dump(mode="json")
    if data.get("provenance") is None:
        data.pop("provenance", None)
    return data


def recorded_json(initiative_id: str, events: list[Event], phase: str,
                  version: int) -> dict[str, Any]:
    """What an action answers: the events it recorded and where the initiative stands now."""
    data: dict[str, Any] = {
        "initiative_id": initiative_id, "phase": phase, "version": version,
        "events": [event_json(e) for e in events]}
    idea_id = submitted_idea(events)
    if idea_id is not None:
        data["idea_id"] = idea_id
    return data
