"""The audit report laid out once as sections, then written as Markdown or as one self-contained
HTML file (inline style, no script, nothing fetched: it opens offline and prints as it shows).
Every door writes the report with these, so `baton audit report` and the HTTP API agree."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.presenter import NONE, money, percent, span, when
from audit.control_chart import ChartCheck, chart_of
from audit.control_chart_svg import control_chart_figure
from audit.report_document import (
    AuditReport,
    HeadRow,
    StepTakenOver,
    Verification,
    WitnessedHead,
)
from domain.spec import Metric
from domain.text import for_one_line

Report = AuditReport


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Any]]
    caption: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    facts: list[tuple[str, Any]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: bool = False  # the control chart of the readings goes after the tables


def cell(value: Any) -> str:
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(cell(item) for item in value)
    return str(value)


def _verdict(verification: Verification) -> str:
    broken = verification["first_break"]
    if broken is None:  # what `intact` says
        return "INTACT"
    where = f" at version {broken['version']}" if broken["version"] is not None else ""
    return f"ALTERED{where}: {broken['reason']}"


def sections(report: Report) -> list[Section]:
    initiative, spec, handoff = report["initiative"], report["spec"], report["handoff"]
    metric, sustainment = spec["metric"], spec["sustainment"]
    verification, commitments = report["verification"], report["commitments"]
    tally = commitments["tally"]
    return [
        Section("Summary", [
            ("Initiative", f"{initiative['name']} ({initiative['id']})"),
            ("Phase", f"{initiative['phase']} at version {initiative['version']}"),
            ("Launched", initiative["launched_at"]), ("Closed", initiative["closed_at"]),
            ("Close reason", initiative["close_reason"]),
            ("Record", _verdict(verification)), ("Head hash", verification["head_hash"]),
            ("Report generated", report["generated_at"])]),
        Section("Spec and roles", [
            ("Sponsor", spec["sponsor"]), ("PMO", spec["pmo"]), ("Expert", spec["expert"]),
            ("Owner at launch", spec["owner"]), ("Owner now", initiative["owner"]),
            ("Front line", spec["front_line"] or "anyone"),
            ("Metric", f"{metric['name']} ({metric['unit'] or 'no unit'}): baseline "
                       f"{metric['baseline']:g}, target {metric['target']:g}, "
                       f"{metric['direction']}"),
            ("Metric source", (metric.get("source") or {}).get("url")),
            ("Expert on call", spec["expert_on_call"]),
            ("Ideas triaged within", spec["ideas"]["triage_within"]),
            ("Checks after approval", sustainment["checks"]),
            ("Tolerance", percent(sustainment["tolerance"])),
            ("Response within", sustainment["response_within"])],
            [Table(["STEP", "TITLE", "ASSIGNEE", "DUE WITHIN"],
                   [[s["id"], s["title"], s["assignee"], s.get("due_in")]
                    for s in spec["handoff"]], "Handoff steps as specified")]),
        Section("Timeline", tables=[Table(
            ["#", "WHEN", "WHO", "WHAT", "HASH"],
            [[e["version"], e["at"], e["actor"], e["what"], e["hash"][:12]]
             for e in report["timeline"]])]),
        Section("Handoff evidence", [
            ("Improvement delivered", handoff["delivered_at"]),
            ("Delivered value", handoff["delivered_value"]),
            ("Ownership accepted", handoff["accepted_at"]),
            ("Handoff approved", handoff["approved_at"]),
            ("Expert on call until", handoff["expert_on_call_until"])], [
            Table(["STEP", "TITLE", "ASSIGNEE", "STATUS", "DUE", "DONE", "BY", "EVIDENCE"],
                  [[s["id"], s["title"], s["assignee"], s["status"], s["due_at"],
                    s["completed_at"], s["completed_by"], s["evidence"]]
                   for s in handoff["steps"]], "Steps"),
            Table(["WHEN", "BY", "REASON", "REOPENED"],
                  [[b["at"], b["by"], b["reason"], b["reopened"]]
                   for b in handoff["send_backs"]], "Sent back by the review"),
            Table(["WHEN", "BY", "STATEMENT ACCEPTED", "STEPS TAKEN OVER"],
                  [[a["at"], a["by"], a["statement"], _steps_taken_over(a["steps"])]
                   for a in report["acceptances"]], "Acceptances signed by the owner")]),
        Section("Sustainment checks", tables=[
            Table(["#", "DUE", "STATUS", "READING", "RETAINED", "RULES", "JUDGED"],
                  [[c["number"], c["due_at"], c["status"], c["reading"],
                    percent(c["retention"]), c["rules"], c["judged_at"]]
                   for c in report["checks"]], "Checks and judgements"),
            Table(["WHEN", "VALUE", "BY"],
                  [[r["at"], r["value"], r["actor"]] for r in report["readings"]], "Readings"),
            Table(["WHEN", "CHECK", "READING", "RETAINED", "REASON"],
                  [[r["at"], r["check"], r["reading"], percent(r["retention"]), r["reason"]]
                   for r in report["regressions"]], "Regressions"),
            Table(["WHEN", "BY", "ACTION", "DUE"],
                  [[p["at"], p["by"], p["action"], p["due_at"]]
                   for p in report["response_plans"]], "Response plans"),
            Table(["WHEN", "SUBJECT", "TO", "REASON"],
                  [[e["at"], e["subject"], e["to"], e["reason"]]
                   for e in report["escalations"]], "Escalations")], chart=True),
        benefit_section(report["benefit"]),
        Section("Ideas and triage", pull_facts(report["pull"]), [Table(
            ["IDEA", "FROM", "SUBMITTED", "STATUS", "SUPPORT", "TRIAGE DUE", "TRIAGED", "ON TIME",
             "REASON", "TEXT"],
            [[i["id"], i["submitted_by"], i["submitted_at"], i["status"], len(i["supporters"]),
              i["triage_due_at"], i["triaged_at"], i["triaged_on_time"], i["reason"], i["text"]]
             for i in report["ideas"]])]),
        Section("Commitments", [(verdict.capitalize(), count) for verdict, count in
                                tally.items()], [Table(
            ["KIND", "SUBJECT", "PERSON", "DUE", "DELIVERED", "VERDICT"],
            [[c["kind"], c["subject"], c["person"], c["due_at"], c["delivered_at"],
              f"settled: {c['settled']}" if c.get("settled") else c["verdict"]]
             for c in commitments["items"]])]),
        Section("Verification", [
            ("Result", _verdict(verification)),
            ("Events checked", verification["events_checked"]),
            ("Recomputed head hash", verification["head_hash"]),
            ("Head row", _head(verification["head_row"])),
            ("Workflow's head", _head(verification["workflow"]) if verification["workflow"]
             else verification["workflow_note"]),
            *(("Note", note) for note in verification["notes"])]),
    ]


def _steps_taken_over(steps: list[StepTakenOver] | None) -> str | None:
    if steps is None:
        return None  # recorded before acceptances named their steps
    return "; ".join(f"{s['step_id']} by {s['completed_by']}"
                     + (f" ({s['evidence']})" if s["evidence"] else "") for s in steps)


def benefit_section(figures: dict[str, Any] | None) -> Section:
    """Each figure with the periods it sums and the recorded judgement behind each period."""
    if figures is None:
        return Section("Benefit", [("Benefit", "the spec puts no value on the improvement")])
    currency = figures["currency"]
    return Section("Benefit", [
        ("Value of one unit of improvement", f"{money(figures['per_unit'], currency)} a year"),
        ("Improvement delivered", f"{figures['delivered_units']:g} units"),
        ("Claimed", f"{money(figures['claimed'], currency)} "
                    f"({money(figures['annual'], currency)} a year over the checks' periods)"),
        ("Verified", money(figures["verified"], currency)),
        ("Lost to regressions", money(figures["lost"], currency))], [Table(
            ["DELIVERY", "CHECK", "FROM", "TO", "DAYS", "STATUS", "RETAINED", "CREDITED",
             "REGRESSED DAYS", "CLAIMED", "VERIFIED", "LOST", "JUDGED BY EVENT"],
            [[p["delivery"], p["check"], p["starts_at"], p["ends_at"], round(p["days"], 2),
              p["status"], percent(p["retention"]), round(p["credited_units"], 4),
              round(p["regressed_days"], 2), money(p["claimed"], currency),
              money(p["verified"], currency), money(p["lost"], currency),
              p["judged_by_version"]] for p in figures["periods"]],
            "Periods closed by each sustainment check")])


def pull_facts(pull: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        ("Participation", f"{percent(pull['participation'])} ({pull['submitters']} of "
                          f"{pull['front_line']} on the front line submitted)"
         if pull["front_line"] else "anyone may submit"),
        ("Ideas per month", None if pull["ideas_per_month"] is None
         else f"{pull['ideas_per_month']:.1f}"),
        ("Median time to triage", f"{span(pull['median_triage_seconds'])} (service level "
                                  f"{span(pull['triage_within_seconds'])}; "
                                  f"{pull['triaged_within_service_level']} of "
                                  f"{pull['triaged']} within it)"),
        ("Adopted", f"{percent(pull['adoption_rate'])} of those answered; "
                    f"{pull['adopted_delivered']} of {pull['adopted']} delivered"),
        ("Oldest untriaged idea", span(pull["oldest_untriaged_seconds"])),
    ]


def _head(head: HeadRow | WitnessedHead | None) -> str | None:
    if head is None:
        return None
    source = f" ({head['source']})" if "source" in head else ""
    return f"version {head['version']}, hash {head['hash']}{source}"


# -- formats -----------------------------------------------------------------------------------


# What recorded text could use to format, link or embed HTML in a rendered record.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")


def escaped(value: Any) -> str:
    """A cell as Markdown shows it literally: on one line, controls spelled out, markup escaped."""
    return _MARKDOWN.sub(r"\\\1", for_one_line(cell(value).replace("\n", " ")))


def markdown(report: Report) -> str:
    initiative = report["initiative"]
    lines = [f"# Audit record: {escaped(initiative['name'])}", ""]
    for section in sections(report):
        lines += [f"## {section.title}", ""]
        lines += [f"- **{label}:** {escaped(value)}" for label, value in section.facts]
        if section.facts:
            lines.append("")
        for shown in section.tables:
            if shown.caption:
                lines += [f"**{shown.caption}**", ""]
            if not shown.rows:
                lines += ["None.", ""]
                continue
            lines += ["| " + " | ".join(shown.headers) + " |",
                      "|" + "---|" * len(shown.headers)]
            lines += ["| " + " | ".join(escaped(value) for value in row) + " |"
                      for row in shown.rows]
            lines.append("")
    return "\n".join(lines)


_STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2430;
       max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; border-bottom: 2px solid #d5dbe5; padding-bottom: .2rem;
     margin-top: 2rem; }
h3 { font-size: .95rem; color: #4a5568; margin: 1.2rem 0 .4rem; }
.verdict { display: inline-block; padding: .35rem .8rem; border-radius: 4px; font-weight: 600; }
.intact { background: #e3f4e8; color: #1b5e32; border: 1px solid #9fd4af; }
.altered { background: #fde8e8; color: #8a1c1c; border: 1px solid #f0a8a8; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1.2rem; }
dt { color: #4a5568; } dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e2e8f0;
         vertical-align: top; }
th { background: #f4f6fa; font-weight: 600; white-space: nowrap; }
td:first-child { white-space: nowrap; }
td.hash, dd.hash { font-family: ui-monospace, monospace; }
.good { color: #1b5e32; } .bad { color: #8a1c1c; font-weight: 600; }
p.none { color: #718096; font-style: italic; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
"""
_GOOD, _BAD = {"on time", "passed", "done", "adopted", "delivered", "yes", "INTACT"}, {
    "late", "overdue", "regressed", "no"}


def _td(value: Any, header: str = "") -> str:
    text = cell(value)
    kind = "good" if text in _GOOD else "bad" if text in _BAD else ""
    kind = "hash" if header == "HASH" else kind
    return f'<td class="{kind}">{html.escape(text)}</td>' if kind else (
        f"<td>{html.escape(text)}</td>")


def html_document(report: Report) -> str:
    initiative, verification = report["initiative"], report["verification"]
    verdict = _verdict(verification)
    title = html.escape(f"Audit record: {initiative['name']} ({initiative['id']})")
    parts = [f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">'
             f"<title>{title}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{title}</h1>",
             f'<p class="verdict {"intact" if verification["intact"] else "altered"}">'
             f"{html.escape(verdict)}</p>"]
    for section in sections(report):
        anchor = section.title.lower().replace(" ", "-")
        parts.append(f'<section id="{anchor}"><h2>{html.escape(section.title)}</h2>')
        if section.facts:
            parts.append("<dl>" + "".join(
                f"<dt>{html.escape(label)}</dt><dd{' class=hash' if 'hash' in label else ''}>"
                f"{html.escape(cell(value))}</dd>" for label, value in section.facts) + "</dl>")
        for shown in section.tables:
            if shown.caption:
                parts.append(f"<h3>{html.escape(shown.caption)}</h3>")
            if not shown.rows:
                parts.append('<p class="none">None.</p>')
                continue
            head = "".join(f"<th>{html.escape(h)}</th>" for h in shown.headers)
            body = "".join("<tr>" + "".join(_td(v, h) for v, h in zip(
                row, shown.headers, strict=True)) + "</tr>" for row in shown.rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        if section.chart:
            parts.append(f"<h3>Control chart</h3>{_chart(report)}")
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _chart(report: Report) -> str:
    """The report's readings as a control chart, each judged as the domain judged it then."""
    spec = report["spec"]
    chart = chart_of(
        Metric.model_validate(spec["metric"]), spec["sustainment"]["tolerance"],
        [(reading["at"], reading["value"]) for reading in report["readings"]],
        [ChartCheck(number=c["number"], due_at=c["due_at"], status=c["status"])
         for c in report["checks"]])
    return control_chart_figure(chart, "report-chart")
