"""One initiative as `baton show` prints it, and recorded events as sentences."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from cli.output import money, percent, relative, span, table, when
from domain.benefits import benefit
from domain.envelope import Event
from domain.pull import NOW_DEPENDENT, pull_figures, triage_queue
from domain.state import CheckState, CheckStatus, IdeaState, InitiativeState, StepStatus
from workflows.contracts import InitiativeView

# People see a check as pending until it is judged; "scheduled" and "due" only tell the engine
# whether to wait for the clock or for a reading.
_CHECK_STATUS = {CheckStatus.SCHEDULED: "pending", CheckStatus.DUE: "pending"}


def check_status(check: CheckState) -> str:
    return _CHECK_STATUS.get(check.status, check.status.value)


def state_json(view: InitiativeView) -> dict[str, Any]:
    state = view.state
    spec = state.require_spec()
    figures = benefit(state)
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
        "ideas": [{"id": i.id, "status": i.status.value, "text": i.text,
                   "submitted_by": i.submitted_by, "submitted_at": i.submitted_at,
                   "triage_due_at": i.triage_due_at, "reason": i.reason or None,
                   "supporters": list(i.supporters), "duplicate_of": i.duplicate_of}
                  for i in state.ideas],
        "triage_queue": [i.id for i in triage_queue(state)],
        "front_line": None if state.front_line is None else list(state.front_line),
        "accepted_statement": state.accepted_statement or None,
        "benefit": figures.model_dump(mode="json") if figures else None,
        # The same whenever it is rebuilt from the record: nothing that moves with the clock.
        "pull": pull_figures([state], state.closed_at or state.updated_at or START).model_dump(
            mode="json", exclude=set(NOW_DEPENDENT)),
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


def state_text(view: InitiativeView, now: datetime) -> str:
    state = view.state
    spec = state.require_spec()
    metric = spec.metric
    unit = f" {metric.unit}" if metric.unit else ""
    lines = [
        f"{spec.name}  ({state.initiative_id})",
        f"  phase     {state.phase.value}   (version {state.version}, head {view.head_hash[:12]})",
        f"  owner     {state.owner}",
        f"  sponsor   {spec.sponsor}   pmo {spec.pmo}   expert {spec.expert}",
        f"  metric    {metric.name}: baseline {metric.baseline:g}{unit}, target "
        f"{metric.target:g}{unit} ({metric.direction.value})"
        + (f", delivered {state.delivered_value:g}" if state.delivered_value is not None else ""),
    ]
    if state.close_reason:
        lines.append(f"  closed    {when(state.closed_at)}: {state.close_reason}")
    for stuck in state.stuck:
        lines.append(f"  STUCK     since {when(stuck.at)}: {stuck.reason} (the PMO may "
                     f"cancel: baton cancel {state.initiative_id} --reason TEXT)")
    if view.metric_source:
        source = view.metric_source
        lines.append(f"  source    check {source.check}: {source.error} (tried "
                     f"{relative(source.tried_at, now)}"
                     + (f", attempt {source.attempts})" if source.attempts else ")"))
    if state.response_plan:
        plan = state.response_plan
        lines.append(f"  response  {plan.action} (by {plan.submitted_by}, "
                     f"due {relative(plan.due_at, now)})")
    lines += ["", "Handoff steps", table(
        ["STEP", "STATUS", "ASSIGNEE", "DUE", "DONE BY", "TITLE"],
        [[s.id, s.status.value, s.assignee.value,
          relative(s.due_at, now) if s.status is StepStatus.PENDING else "",
          s.completed_by, s.title] for s in state.steps], indent="  ")]
    if state.checks:
        lines += ["", "Sustainment checks", table(
            ["#", "DUE", "STATUS", "READING", "RETAINED"],
            [[c.number, relative(c.due_at, now), check_status(c), c.reading, percent(c.retention)]
             for c in state.checks], indent="  ")]
    if state.accepted_statement:
        lines += ["", "Accepted by the owner", f"  {state.accepted_statement}"]
    lines += benefit_text(state)
    if state.ideas:
        lines += ["", "Ideas (awaiting triage first, most supported first)", table(
            ["IDEA", "STATUS", "SUPPORT", "FROM", "TEXT"],
            [[i.id, i.status.value, len(i.supporters), i.submitted_by, _short(i.text)]
             for i in _ideas_in_triage_order(state)], indent="  ")]
        lines += pull_text(state, now)
    if state.undelivered:
        lines += ["", "Mail not delivered (refused by the mail server)", table(
            ["WHEN", "TO", "WHY"], [[when(u.at), u.to, _short(u.reason, 80)]
                                   for u in state.undelivered], indent="  ")]
    if view.deadlines:
        lines += ["", "Next deadlines", table(
            ["WHEN", "WHAT"],
            [[relative(d.at, now), deadline_text(d.command)] for d in view.deadlines[:5]],
            indent="  ")]
    return "\n".join(lines)


START = datetime.min.replace(tzinfo=UTC)


def _ideas_in_triage_order(state: InitiativeState) -> list[IdeaState]:
    queue = triage_queue(state)
    return [*queue, *(i for i in state.ideas if i not in queue)]


def benefit_text(state: InitiativeState) -> list[str]:
    figures = benefit(state)
    if figures is None:
        return []
    c = figures.currency
    return ["", f"Benefit  ({money(figures.per_unit, c)} a year per unit of improvement; "
                f"{figures.delivered_units:g} delivered)",
            f"  claimed   {money(figures.claimed, c)}",
            f"  verified  {money(figures.verified, c)}   (periods that checks confirmed)",
            f"  lost      {money(figures.lost, c)}   (during regressions)"]


def pull_text(state: InitiativeState, now: datetime) -> list[str]:
    pull = pull_figures([state], state.closed_at or now)
    taking_part = (f"{pull.submitters} of {pull.front_line} on the front line submitted"
                   if pull.front_line else "anyone may submit")
    return [f"  participation {percent(pull.participation)} ({taking_part}); "
            f"{pull.ideas_per_month or 0:.1f} ideas a month",
            f"  triage: median {span(pull.median_triage_seconds)} against "
            f"{span(pull.triage_within_seconds)}; oldest waiting "
            f"{span(pull.oldest_untriaged_seconds)}; adopted {percent(pull.adoption_rate)}, "
            f"{pull.adopted_delivered} of {pull.adopted} delivered"]


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


def describe_event(event: Event) -> str:
    """`check 1 passed (retains 99% of the gain)` rather than `CheckPassed`."""
    p = event.payload
    described = {
        "StepCompleted": lambda: f"step {p.get('step_id')} completed",
        "StepReopened": lambda: f"step {p.get('step_id')} reopened",
        "CheckPassed": lambda: f"check {p.get('check')} passed "
        f"(retains {percent(p.get('retention'))} of the gain)",
        "RegressionDetected": lambda: f"regression detected: {p.get('reason')}",
        "RecoveryConfirmed": lambda: f"recovery confirmed "
        f"(retains {percent(p.get('retention'))} of the gain)",
        "IdeaSubmitted": lambda: f"idea {p.get('idea_id')} submitted",
        "IdeaAdopted": lambda: f"idea {p.get('idea_id')} adopted",
        "IdeaDeclined": lambda: f"idea {p.get('idea_id')} declined",
        "IdeaDelivered": lambda: f"idea {p.get('idea_id')} delivered",
        "IdeaSupported": lambda: f"idea {p.get('idea_id')} supported by {event.actor}",
        "IdeaMarkedDuplicate": lambda: f"idea {p.get('idea_id')} marked a duplicate of "
        f"{p.get('duplicate_of')}",
        "FrontLineAdded": lambda: f"{p.get('person')} joined the front line",
        "FrontLineRemoved": lambda: f"{p.get('person')} left the front line",
        "ReadingRecorded": lambda: f"reading {p.get('value'):g} recorded" + (
            " as an interim reading: no check is due yet, and the next one still waits for "
            "its reading" if p.get("interim") else ""),
        "ReadingCorrected": lambda: f"reading {p.get('previous'):g} corrected to "
        f"{p.get('value'):g} ({p.get('reason')})",
        "InitiativeStuck": lambda: f"initiative flagged stuck: {p.get('reason')}",
        "ImprovementDelivered": lambda: f"improvement delivered at {p.get('value'):g}",
        "OwnerReassigned": lambda: f"owner is now {p.get('owner')}",
        "DueSoon": lambda: f"reminder sent: {p.get('subject')} falls due soon",
        "NotificationUndelivered": lambda: f"mail to {p.get('to')} refused: {p.get('reason')}",
    }.get(event.type)
    return described() if described else _words(event.type)


def _words(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", " ", camel).lower()


def _short(text: str, limit: int = 60) -> str:
    single = " ".join(text.split())
    return single if len(single) <= limit else single[: limit - 1] + "…"

