"""The audit report laid out once as sections, then written as Markdown or as one self-contained
HTML file (inline style, no script, nothing fetched: it opens offline and prints as it shows).
Every door writes the report with these, so `baton audit report` and the HTTP API agree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from activities.templating import environment
from audit.control_chart import ChartCheck, chart_of
from audit.control_chart_svg import control_chart_figure
from audit.report_document import (
    AuditReport,
    HeadRow,
    StepTakenOver,
    Verification,
    WitnessedHead,
)
from domain.formatting import money, number, percent, shown, span
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
                       f"{number(metric['baseline'])}, target {number(metric['target'])}, "
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
        ("Improvement delivered", f"{number(figures['delivered_units'])} units"),
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
    return _MARKDOWN.sub(r"\\\1", for_one_line(shown(value).replace("\n", " ")))


def markdown(report: Report) -> str:
    initiative = report["initiative"]
    lines = [f"# Audit record: {escaped(initiative['name'])}", ""]
    for section in sections(report):
        lines += [f"## {section.title}", ""]
        lines += [f"- **{label}:** {escaped(value)}" for label, value in section.facts]
        if section.facts:
            lines.append("")
        for table in section.tables:
            if table.caption:
                lines += [f"**{table.caption}**", ""]
            if not table.rows:
                lines += ["None.", ""]
                continue
            lines += ["| " + " | ".join(table.headers) + " |",
                      "|" + "---|" * len(table.headers)]
            lines += ["| " + " | ".join(escaped(value) for value in row) + " |"
                      for row in table.rows]
            lines.append("")
    return "\n".join(lines)


_GOOD, _BAD = {"on time", "passed", "done", "adopted", "delivered", "yes", "INTACT"}, {
    "late", "overdue", "regressed", "no"}


def _kind(text: str, header: str) -> str:
    """How a table cell is marked: a hash in monospace, good and bad outcomes in colour."""
    if header == "HASH":
        return "hash"
    return "good" if text in _GOOD else "bad" if text in _BAD else ""


_TEMPLATES = environment("app")
_TEMPLATES.globals["kind"] = _kind


def html_document(report: Report) -> str:
    """One self-contained page (templates/audit_report.html): inline style, no script."""
    initiative, verification = report["initiative"], report["verification"]
    return _TEMPLATES.get_template("audit_report.html").render(
        title=f"Audit record: {initiative['name']} ({initiative['id']})",
        intact=verification["intact"], verdict=_verdict(verification),
        sections=sections(report), chart=_chart(report)) + "\n"


def _chart(report: Report) -> Markup:
    """The report's readings as a control chart, each judged as the domain judged it then."""
    spec = report["spec"]
    chart = chart_of(
        Metric.model_validate(spec["metric"]), spec["sustainment"]["tolerance"],
        [(reading["at"], reading["value"]) for reading in report["readings"]],
        [ChartCheck(number=c["number"], due_at=c["due_at"], status=c["status"])
         for c in report["checks"]])
    return control_chart_figure(chart, "report-chart")
