"""`baton portfolio`: the figures a PMO watches, from the read model."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cli.args import CommandTable
from cli.errors import ExitCode
from cli.output import table
from cli.session import Session
from domain.formatting import money, percent, relative, span, when

if TYPE_CHECKING:
    from domain.portfolio import CommitmentTally, Portfolio


def register(commands: CommandTable) -> None:
    commands.add("Initiatives", "portfolio",
                 "phases, overdue, regressions, sustained gains, benefit, pull, reliability",
                 show_portfolio)


async def show_portfolio(args: argparse.Namespace, session: Session) -> int:
    from app.portfolio import figures as portfolio_figures
    from domain.visibility import THE_OPERATOR

    remote = session.remote()
    if remote is not None:
        from domain.portfolio import Portfolio

        figures = Portfolio.model_validate(await remote.call("GET", "/portfolio"))
    else:
        figures = await portfolio_figures(session.context(), THE_OPERATOR, datetime.now(UTC))
    session.out.result(figures.model_dump(mode="json"), lambda: portfolio_text(figures))
    return ExitCode.OK


def portfolio_text(p: Portfolio) -> str:
    gain, pull = p.sustained_gain, p.pull
    lines = [f"Portfolio: {p.initiatives} initiative(s), as of {when(p.as_of)}", ""]
    lines += ["By phase", table(["PHASE", "COUNT"], list(p.by_phase.items()), indent="  ")
              if p.by_phase else "  none yet", ""]
    lines += [
        "Sustained-gain rate",
        f"  {percent(gain.rate)}: {gain.held} of {gain.finished} initiative(s) that finished "
        f"sustainment held the gain at every check ({gain.sustained_after_recovery} sustained "
        f"after a recovery, {gain.closed_regressed} closed regressed)", ""]
    lines += ["Benefit (claimed: as booked at close; verified: kept at the checks)", table(
        ["CURRENCY", "INITIATIVES", "CLAIMED", "VERIFIED", "LOST"],
        [[b.currency, b.initiatives, money(b.claimed, b.currency),
          money(b.verified, b.currency), money(b.lost, b.currency)] for b in p.benefit],
        indent="  ") if p.benefit else "  no spec puts a value on its improvement", ""]
    lines += ["Open regressions", table(
        ["INITIATIVE", "OWNER", "SINCE", "RESPONSE PLAN", "PLAN DUE", "ESCALATED"],
        [[r.initiative_id, r.owner, relative(r.regressed_at, p.as_of), r.response_plan,
          relative(r.plan_due_at, p.as_of), "yes" if r.escalated else "no"]
         for r in p.open_regressions], indent="  ") if p.open_regressions else "  none", ""]
    if p.stuck:
        lines += ["Stuck: the engine could not record what it decided", table(
            ["INITIATIVE", "SINCE", "WHY"],
            [[x.initiative_id, relative(x.since, p.as_of), x.reason] for x in p.stuck],
            indent="  "), ""]
    lines += ["Overdue commitments", table(
        ["INITIATIVE", "KIND", "SUBJECT", "PERSON", "DUE"],
        [[c.initiative_id, c.kind, c.subject, c.person, relative(c.due_at, p.as_of)]
         for c in p.overdue_commitments], indent="  ") if p.overdue_commitments else "  none", ""]
    lines += ["Pull", *_aligned([
        ("participation", f"{percent(pull.participation)} ({pull.submitters} of "
                          f"{pull.front_line} on named front lines submitted)"),
        ("ideas submitted", f"{pull.submitted} ({pull.ideas_per_month or 0:.1f} a month; "
                            f"{pull.supports} supports)"),
        ("adopted", f"{pull.adopted} ({percent(pull.adoption_rate)} of those answered; "
                    f"{pull.declined} declined, {pull.duplicates} duplicates, "
                    f"{pull.awaiting_triage} awaiting triage)"),
        ("median time to triage", f"{span(pull.median_triage_seconds)} "
                                  f"({pull.triaged_within_service_level} of {pull.triaged} "
                                  "within their service level)"),
        ("oldest untriaged idea", span(pull.oldest_untriaged_seconds)),
        ("adopted ideas delivered", f"{pull.adopted_delivered} of {pull.adopted}"),
    ]), ""]
    others = p.reliability_of_others
    # Whose own figure the reader may not see is counted in one line, never named.
    counted: list[tuple[str, CommitmentTally]] = [(r.person, r) for r in p.reliability] + (
        [] if others is None else [(f"{others.people} other(s), together", others)])
    lines += ["Commitment reliability (share delivered on time)", table(
        ["PERSON", "ON TIME", "LATE", "OVERDUE", "NOT YET DUE", "RELIABILITY"],
        [[who, r.on_time, r.late, r.overdue, r.open, percent(r.rate)]
         for who, r in counted], indent="  ") if counted else "  no dated commitments yet"]
    return "\n".join(lines)


def _aligned(pairs: list[tuple[str, str]]) -> list[str]:
    width = max(len(label) for label, _ in pairs)
    return [f"  {label.ljust(width)}  {value}" for label, value in pairs]
