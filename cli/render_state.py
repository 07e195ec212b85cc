"""One initiative as `baton show` prints it (its JSON is the presenter's, `app.presenter`)."""

from __future__ import annotations

from datetime import datetime

from app.presenter import check_status, deadline_text
from app.show import InitiativeView
from cli.output import money, percent, relative, span, table, when
from domain.benefits import benefit
from domain.pull import pull_figures, triage_queue
from domain.state import IdeaState, InitiativeState, StepStatus


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


def _short(text: str, limit: int = 60) -> str:
    single = " ".join(text.split())
    return single if len(single) <= limit else single[: limit - 1] + "…"

