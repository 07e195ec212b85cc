"""Every decision or commitment that falls to someone, announced to whoever must act, with what is
asked, by when and the page where it is done. Pure and deterministic: the workflow runs it on the
events it records (`workflows.notifications` keeps the older, shorter set for runs begun before).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain import events as ev
from domain import evolve, fold
from domain.envelope import Event
from domain.pull_ideas import folded_ideas, with_ideas
from domain.spec import Role
from domain.state import InitiativeState, Phase, StepStatus
from domain.text import excerpt
from domain.upcasting import upcast
from workflows.activity_contracts import Notification
from workflows.notifications import notifications_for

# The web pages a message links to, relative to BATON_PUBLIC_URL.
MY_WORK = "/"


def initiative_page(initiative_id: str) -> str:
    return f"/initiatives/{initiative_id}"


def idea_form(initiative_id: str) -> str:
    return f"/initiatives/{initiative_id}/ideas/new"


def audit_page(initiative_id: str) -> str:
    return f"/initiatives/{initiative_id}/audit"


class _Notice:
    """One announcement before it becomes a Notification: who, what, by when, where."""

    def __init__(self, to: list[str], subject: str, message: str, *,
                 due_at: datetime | None = None, page: str = "", key: str = "",
                 details: list[str] | None = None) -> None:
        self.to, self.subject, self.message = to, subject, message
        self.due_at, self.page, self.key, self.details = due_at, page, key, details or []


def _metric(s: InitiativeState) -> str:
    metric = s.require_spec().metric
    unit = f" {metric.unit}" if metric.unit else ""
    return f"{metric.name} (baseline {metric.baseline:g}{unit}, target {metric.target:g}{unit})"


def _step_line(s: InitiativeState, step_id: str) -> str:
    step = s.step(step_id)
    if step is None:
        return step_id
    holder = s.holder_of(step.assignee)
    return f"'{step.title}', for the {step.assignee.value}: {holder}"


def commitment_of(s: InitiativeState, subject: str) -> tuple[str, str]:
    """(whose, what) of a commitment named as Escalated and DueSoon name them."""
    kind, _, key = subject.partition(":")
    if kind == "step":
        step = s.step(key)
        if step is not None:
            return s.holder_of(step.assignee), f"handoff step '{step.title}'"
    if kind == "check":
        return s.owner, f"a reading of {s.require_spec().metric.name} for check {key}"
    if kind == "response":
        return s.owner, "a response plan for the regression"
    if kind == "plan":
        return s.owner, "the recovery promised by the response plan"
    return s.owner, f"the triage of idea {key}"


def _opened_steps(s: InitiativeState, p: ev.ImprovementDelivered) -> list[_Notice]:
    unit = s.require_spec().metric.unit
    return [_Notice(
        [s.holder_of(step.assignee)], f"Handoff step to complete: {step.title}",
        f"The improvement is delivered ({p.value:g} {unit}). Complete the handoff step "
        f"'{step.title}' and record its evidence.",
        due_at=step.due_at, page=initiative_page(s.initiative_id), key=f"step:{step.id}")
        for step in s.steps if step.status is StepStatus.PENDING]


def _step_done(s: InitiativeState, p: ev.StepCompleted) -> list[_Notice]:
    if s.phase is not Phase.HANDING_OFF or any(x.status is not StepStatus.DONE for x in s.steps):
        return []
    return [_Notice([s.owner], f"Accept ownership: {s.require_spec().name}",
                    f"Every handoff step is done. As the owner, accept accountability for "
                    f"{_metric(s)}; the PMO then reviews the handoff.",
                    page=initiative_page(s.initiative_id))]


def _sent_back(s: InitiativeState, p: ev.ReviewSentBack) -> list[_Notice]:
    reopened = [s.step(step_id) for step_id in p.reopened]
    dues = [step.due_at for step in reopened if step is not None and step.due_at is not None]
    return [_Notice(
        [s.holder_of(Role.EXPERT), s.owner], f"Handoff sent back: {s.require_spec().name}",
        f"The PMO sent the handoff back: {p.reason}. Complete the reopened steps, then the "
        "owner accepts ownership again.", due_at=min(dues, default=None),
        page=initiative_page(s.initiative_id),
        details=[f"Reopened: {_step_line(s, step_id)}" for step_id in p.reopened])]


def _check_due(s: InitiativeState, p: ev.CheckDue) -> list[_Notice]:
    spec = s.require_spec()
    if spec.metric.source is not None:
        return []  # the worker reads the source itself
    check = next(c for c in s.checks if c.number == p.check)
    return [_Notice([s.owner], f"Reading due: check {p.check} of {spec.name}",
                    f"Sustainment check {p.check} is due: record a reading of {_metric(s)}.",
                    due_at=check.due_at + spec.sustainment.response_within,
                    page=initiative_page(s.initiative_id))]


def _regression(s: InitiativeState, p: ev.RegressionDetected) -> list[_Notice]:
    due = s.regressed_at + s.require_spec().sustainment.response_within if (
        s.regressed_at is not None and s.response_plan is None) else None
    return [_Notice([s.owner, s.holder_of(Role.SPONSOR)],
                    f"Regression: {s.require_spec().name}",
                    f"Regression detected ({p.reason}). The owner owes a response plan: what "
                    "action, and by when the gain is back; unanswered, it escalates to the "
                    "sponsor.", due_at=due, page=initiative_page(s.initiative_id))]


def _idea_outcome(s: InitiativeState, idea_id: str, outcome: str, reason: str) -> list[_Notice]:
    idea = s.idea(idea_id)
    if idea is None:
        return []
    because = [f"The owner's reason: {reason}"] if reason else []
    # The submitter reads what became of each idea on My work.
    return [_Notice([idea.submitted_by], f"Your idea was {outcome}: {s.require_spec().name}",
                    f"Your idea {idea.id} was {outcome}:",
                    details=[f"“{excerpt(idea.text)}”", *because], page=MY_WORK)]


def _closed(s: InitiativeState, p: ev.Payload) -> list[_Notice]:
    reason = getattr(p, "reason", "")
    subject = f"Closed ({s.phase.value}): {s.require_spec().name}"
    message = f"Initiative closed: {s.phase.value}." + (f" {reason}." if reason else "")
    # The PMO audits what closed; the sponsor and the owner read the initiative, whose audit
    # trail is not theirs to open.
    return [_Notice([s.holder_of(Role.PMO)], subject, message, page=audit_page(s.initiative_id)),
            _Notice([s.holder_of(Role.SPONSOR), s.owner], subject, message, key="readers",
                    page=initiative_page(s.initiative_id))]


def _simple(s: InitiativeState, p: ev.Payload) -> list[_Notice]:
    spec, page = s.require_spec(), initiative_page(s.initiative_id)
    if isinstance(p, ev.InitiativeLaunched):
        return [_Notice([spec.sponsor], f"Launch to approve: {spec.name}",
                        f"{spec.pmo} launched '{spec.name}', to improve {_metric(s)}. As its "
                        "sponsor, approve the launch, or reject it with a reason.", page=page)]
    if isinstance(p, ev.LaunchApproved):
        return [_Notice([spec.expert], f"Result to deliver: {spec.name}",
                        f"The sponsor approved the launch. As the expert, improve {_metric(s)} "
                        "and record the result you delivered; the handoff starts then.",
                        page=page)]
    if isinstance(p, ev.Reopened):
        return [_Notice([spec.expert], f"Result to deliver again: {spec.name}",
                        f"The sponsor reopened the initiative for improvement: {p.reason}. As "
                        f"the expert, improve {_metric(s)} again and record the result.",
                        page=page)]
    if isinstance(p, ev.OwnerReassigned):
        accept = " Accept ownership once the handoff steps are done." if s.phase in (
            Phase.HANDING_OFF, Phase.IN_REVIEW) else ""
        return [_Notice([p.owner], f"You are the owner: {spec.name}",
                        f"The PMO made you the owner of '{spec.name}', accountable for "
                        f"{_metric(s)} (previously {p.previous}).{accept}", page=page)]
    if isinstance(p, ev.OwnershipAccepted):
        return [_Notice([spec.pmo], f"Handoff to review: {spec.name}",
                        f"{s.owner} accepted ownership. Approve the handoff, or send it back "
                        "with reasons and the steps to reopen.", page=page)]
    if isinstance(p, ev.StepOverdue):
        step = s.step(p.step_id)
        whose = s.holder_of(step.assignee) if step else s.owner
        title = step.title if step else p.step_id
        return [_Notice([whose], f"Overdue: handoff step '{title}' of {spec.name}",
                        f"Reminder: the handoff step '{title}' is overdue.",
                        due_at=step.due_at if step else None, page=page)]
    if isinstance(p, ev.DueSoon):
        whose, what = commitment_of(s, p.subject)
        return [_Notice([whose], f"Reminder: {what} ({spec.name})",
                        f"Reminder: {what} falls due soon.", due_at=p.due_at, page=page)]
    if isinstance(p, ev.Escalated):
        return [_Notice([p.to, spec.pmo], f"Escalation: {spec.name}",
                        f"Escalation: {p.reason}.", page=page)]
    if isinstance(p, ev.IdeaSubmitted):
        idea = s.idea(p.idea_id)
        return [_Notice([s.owner], f"Idea to triage: {spec.name}",
                        f"{idea.submitted_by if idea else 'Someone'} submitted idea {p.idea_id}:",
                        details=[f"“{excerpt(p.text)}”",
                                 "As the owner, adopt it or decline it with a reason."],
                        due_at=idea.triage_due_at if idea else None, page=page)]
    return []


_ANNOUNCE: dict[type[ev.Payload], Callable[[InitiativeState, Any], list[_Notice]]] = {
    ev.ImprovementDelivered: _opened_steps,
    ev.StepCompleted: _step_done,
    ev.ReviewSentBack: _sent_back,
    ev.CheckDue: _check_due,
    ev.RegressionDetected: _regression,
    ev.IdeaAdopted: lambda s, p: _idea_outcome(s, p.idea_id, "adopted", p.reason),
    ev.IdeaDeclined: lambda s, p: _idea_outcome(s, p.idea_id, "declined", p.reason),
    ev.IdeaDelivered: lambda s, p: _idea_outcome(s, p.idea_id, "delivered", ""),
    ev.IdeaMarkedDuplicate: lambda s, p: _idea_outcome(
        s, p.idea_id, "marked a duplicate", f"it repeats {p.duplicate_of}."),
    **{kind: _closed for kind in (ev.Sustained, ev.ClosedRegressed, ev.Cancelled,
                                  ev.LaunchRejected)},
}


def announcements_for(state: InitiativeState, events: list[Event]) -> list[Notification]:
    """`state` is the state after `events` were applied."""
    found = []
    for event in events:
        payload = ev.payload_of(upcast(event))
        notices = _ANNOUNCE.get(type(payload), _simple)(state, payload)
        if not notices and type(payload) not in _ANNOUNCE:
            # What the older set says of an event this one does not describe.
            found += notifications_for(state, [event])
        for notice in notices:
            suffix = f":{notice.key}" if notice.key else ""
            found.append(Notification(
                notification_id=f"{event.event_id}{suffix}", initiative_id=state.initiative_id,
                initiative_name=state.require_spec().name, kind=event.type,
                to=sorted({person for person in notice.to if person}), message=notice.message,
                subject=notice.subject, due_at=notice.due_at, page=notice.page,
                details=notice.details))
    return found


def owed_by(events: list[Event], ideas: list[Event]) -> dict[str, Notification]:
    """The notices an initiative's recorded events called for, by id, as its workflow announced
    them: its own stream's `events` one by one, and its pull stream's `ideas`, all recorded while
    it was open, before its last event. For checking and measuring, outside workflows."""
    state = InitiativeState(initiative_id=events[0].initiative_id)
    owed: dict[str, Notification] = {}
    for event in events:
        state = evolve(state, event)
        owed.update((n.notification_id, n) for n in announcements_for(state, [event]))
    open_state = fold(state.initiative_id, events[:-1])
    for number, event in enumerate(ideas, start=1):
        seen = with_ideas(open_state, folded_ideas((), ideas[:number]))
        owed.update((n.notification_id, n) for n in announcements_for(seen, [event]))
    return owed
