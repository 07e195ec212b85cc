"""One initiative as `baton show` prints it, written from its JSON (`app.presenter.state_json`):
the same text whether the CLI asked the workflow itself or the HTTP API. Moments come as
datetimes from the presenter and as ISO 8601 from the API; both read the same here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cli.output import table
from domain.formatting import money, number, percent, relative, span, when
from domain.pull import monthly_rate

Shown = dict[str, Any]


def at(value: datetime | str | None) -> datetime | None:
    return value if value is None or isinstance(value, datetime) else datetime.fromisoformat(value)


def state_text(shown: Shown, now: datetime) -> str:
    metric = shown["metric"]
    unit = f" {metric['unit']}" if metric.get("unit") else ""
    delivered = shown["delivered_value"]
    lines = [
        f"{shown['name']}  ({shown['id']})",
        f"  phase     {shown['phase']}   (version {shown['version']}, "
        f"head {shown['head_hash'][:12]})",
        f"  owner     {shown['owner']}",
        f"  sponsor   {shown['sponsor']}   pmo {shown['pmo']}   expert {shown['expert']}",
        f"  metric    {metric['name']}: baseline {number(metric['baseline'])}{unit}, target "
        f"{number(metric['target'])}{unit} ({metric['direction']})"
        + (f", delivered {number(delivered)}" if delivered is not None else ""),
    ]
    if shown["close_reason"]:
        lines.append(f"  closed    {when(at(shown['closed_at']))}: {shown['close_reason']}")
    for stuck in shown["stuck"]:
        lines.append(f"  STUCK     since {when(at(stuck['since']))}: {stuck['reason']} (the PMO "
                     f"may cancel: baton cancel {shown['id']} --reason TEXT)")
    if source := shown["metric_source"]:
        lines.append(f"  source    check {source['check']}: {source['error']} (tried "
                     f"{relative(at(source['tried_at']), now)}"
                     + (f", attempt {source['attempts']})" if source["attempts"] else ")"))
    if plan := shown["response_plan"]:
        lines.append(f"  response  {plan['action']} (by {plan['submitted_by']}, "
                     f"due {relative(at(plan['due_at']), now)})")
    lines += ["", "Handoff steps", table(
        ["STEP", "STATUS", "ASSIGNEE", "DUE", "DONE BY", "TITLE"],
        [[s["id"], s["status"], s["assignee"],
          relative(at(s["due_at"]), now) if s["status"] == "pending" else "",
          s["completed_by"], s["title"]] for s in shown["steps"]], indent="  ")]
    if shown["checks"]:
        lines += ["", "Sustainment checks", table(
            ["#", "DUE", "STATUS", "READING", "RETAINED"],
            [[c["number"], relative(at(c["due_at"]), now), c["status"], c["reading"],
              percent(c["retention"])] for c in shown["checks"]], indent="  ")]
    if shown["accepted_statement"]:
        lines += ["", "Accepted by the owner", f"  {shown['accepted_statement']}"]
    lines += benefit_text(shown["benefit"])
    if shown["ideas"]:
        lines += ["", "Ideas (awaiting triage first, most supported first)", table(
            ["IDEA", "STATUS", "SUPPORT", "FROM", "TEXT"],
            [[i["id"], i["status"], len(i["supporters"]), i["submitted_by"], _short(i["text"])]
             for i in _ideas_in_triage_order(shown)], indent="  ")]
        lines += pull_text(shown["pull"], at(shown["launched_at"]), at(shown["closed_at"]) or now)
    if shown["undelivered"]:
        lines += ["", "Mail not delivered (refused by the mail server)", table(
            ["WHEN", "TO", "WHY"], [[when(at(u["at"])), u["to"], _short(u["reason"], 80)]
                                   for u in shown["undelivered"]], indent="  ")]
    if shown["deadlines"]:
        lines += ["", "Next deadlines", table(
            ["WHEN", "WHAT"],
            [[relative(at(d["at"]), now), d["what"]] for d in shown["deadlines"][:5]],
            indent="  ")]
    return "\n".join(lines)


def _ideas_in_triage_order(shown: Shown) -> list[dict[str, Any]]:
    queue = shown["triage_queue"]
    by_id = {idea["id"]: idea for idea in shown["ideas"]}
    return [*(by_id[iid] for iid in queue), *(i for i in shown["ideas"] if i["id"] not in queue)]


def benefit_text(figures: dict[str, Any] | None) -> list[str]:
    if figures is None:
        return []
    c = figures["currency"]
    return ["", f"Benefit  ({money(figures['per_unit'], c)} a year per unit of improvement; "
                f"{number(figures['delivered_units'])} delivered)",
            f"  claimed   {money(figures['claimed'], c)}",
            f"  verified  {money(figures['verified'], c)}   (periods that checks confirmed)",
            f"  lost      {money(figures['lost'], c)}   (during regressions)"]


def pull_text(pull: dict[str, Any], launched_at: datetime | None, now: datetime) -> list[str]:
    """The pull figures; the two that move with the clock alone are left out of a state's JSON,
    so they are worked out here, as of `now`, when they are missing."""
    oldest = pull.get("oldest_untriaged_seconds")
    if oldest is None and (waiting_since := at(pull["oldest_untriaged_at"])) is not None:
        oldest = (now - waiting_since).total_seconds()
    per_month = pull.get("ideas_per_month")
    if per_month is None and launched_at is not None:
        per_month = monthly_rate(pull["submitted"], launched_at, now)
    taking_part = (f"{pull['submitters']} of {pull['front_line']} on the front line submitted"
                   if pull["front_line"] else "anyone may submit")
    return [f"  participation {percent(pull['participation'])} ({taking_part}); "
            f"{per_month or 0:.1f} ideas a month",
            f"  triage: median {span(pull['median_triage_seconds'])} against "
            f"{span(pull['triage_within_seconds'])}; oldest waiting {span(oldest)}; adopted "
            f"{percent(pull['adoption_rate'])}, {pull['adopted_delivered']} of "
            f"{pull['adopted']} delivered"]


def _short(text: str, limit: int = 60) -> str:
    single = " ".join(text.split())
    return single if len(single) <= limit else single[: limit - 1] + "…"
