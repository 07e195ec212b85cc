"""The portfolio's figures summed by PostgreSQL from the rows the projections keep (migration
0013, `store.figure_rows`): what `domain.portfolio.combine` computes from folded states, for any
filter, without reading a single state.

Every statement reads the initiatives a `Scope` chooses; the clock (`now`) decides only which
pending commitments are overdue and the pull figures' ages, so it is a parameter, never stored.
Lists come in the order the domain's fold gives them when the initiatives are taken newest
change first: ties on a date fall to the newer initiative, then to the initiative's own order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from domain.benefits import BenefitTotal
from domain.commitments import Commitment
from domain.portfolio import (
    OpenRegression,
    Portfolio,
    PortfolioRow,
    Reliability,
    StuckInitiative,
    sustained_gain,
)
from domain.pull import PullFigures, monthly_rate
from domain.pull_stream import PULL_STREAMS_LIKE
from domain.state import Phase
from store.migrations import quote_schema
from store.models import Connection

_ROW_COLUMNS = "f.initiative_id, f.name, f.phase, f.pmo, f.sponsor, f.owner, f.updated_at"


def _matching(alias: str) -> str:
    """The page's filters and, for a sponsor, their own initiatives, on a table that carries
    the initiative's filter columns (`portfolio_figures` and the rows beside it)."""
    return (f"($1::text IS NULL OR {alias}.phase = $1) AND ($2::text IS NULL OR {alias}.pmo = $2) "
            f"AND ($3::text IS NULL OR {alias}.sponsor = $3) "
            f"AND ($4::text IS NULL OR {alias}.owner = $4) "
            f"AND ($5::text IS NULL OR {alias}.sponsor = $5)")


_COMMITMENTS = TypeAdapter(list[Commitment])

# The triage owed on the ideas: while the initiative is open, and until answered.
_OWED = ("{s}.portfolio_ideas AS o JOIN chosen AS f ON f.initiative_id = o.initiative_id "
         "WHERE o.owed AND f.is_open")


@dataclass(frozen=True)
class Scope:
    """The initiatives a request is about: all its filters must match."""

    phase: str | None = None
    pmo: str | None = None
    sponsor: str | None = None
    owner: str | None = None
    only_sponsor: str | None = None  # the one sponsor whose initiatives the viewer may see

    def parameters(self) -> tuple[str | None, ...]:
        return self.phase, self.pmo, self.sponsor, self.owner, self.only_sponsor


@dataclass(frozen=True)
class Reading:
    """What one request of the portfolio page reads, in one statement."""

    behind: bool  # some initiative recorded events its rows do not hold yet: sums are not sure
    sponsors: bool  # the person asked about sponsors some initiative
    # Every person's reliability (who may see which is the caller's to say) and the longest
    # overdue commitments, as many as asked for.
    figures: Portfolio
    sponsors_of: Mapping[str, frozenset[str]]  # each person's: see `ReliabilityFigure`
    overdue: int  # commitments overdue in all
    rows: list[PortfolioRow]  # newest change first
    quiet: list[PortfolioRow]  # open and without an event since the moment asked: oldest first
    choices: dict[str, list[str]]  # each filter's values, over the initiatives the viewer sees


class PortfolioSums:
    """The one statement a portfolio page runs; see `read`."""

    def __init__(self, schema: str) -> None:
        s = quote_schema(schema)
        owed = _OWED.format(s=s)
        next_due = "LEAST(f.next_due_at, CASE WHEN f.is_open THEN f.next_triage_due END)"
        row = f"ROW({_ROW_COLUMNS}, {next_due})"
        # Each part is an array of rows (or one row), so that the page takes one round trip.
        parts = {
            "behind": (
                f"EXISTS (SELECT 1 FROM {s}.streams AS s LEFT JOIN {s}.portfolio_figures AS f "
                "ON f.initiative_id = s.stream_id WHERE (f.version IS NULL OR f.version < "
                f"s.version) AND s.stream_id NOT LIKE '{PULL_STREAMS_LIKE}')"),
            "sponsors": (f"$11::text IS NOT NULL AND EXISTS (SELECT 1 FROM {s}.portfolio_figures "
                         "WHERE sponsor = $11)"),
            # All that adds up per initiative, by phase.
            "totals": (
                "ARRAY(SELECT ROW(phase, count(*), count(*) FILTER (WHERE held), "
                "sum(ideas_pending), sum(ideas_adopted), sum(ideas_declined), "
                "sum(ideas_delivered), sum(ideas_duplicate), sum(ideas_triaged), "
                "sum(ideas_within), sum(ideas_supports), min(oldest_pending_idea), "
                "min(triage_within_s), max(triage_within_s), min(launched_at), "
                "max(coalesce(closed_at, $6)) FILTER (WHERE launched_at IS NOT NULL)) "
                "FROM chosen GROUP BY phase)"),
            "benefits": (
                "ARRAY(SELECT ROW(benefit_currency, count(*), sum(benefit_claimed), "
                "sum(benefit_verified), sum(benefit_lost)) FROM chosen "
                "WHERE benefit_currency IS NOT NULL GROUP BY benefit_currency)"),
            "troubles": (
                "ARRAY(SELECT ROW(open_regression::text, stuck::text) FROM chosen "
                "WHERE open_regression IS NOT NULL OR stuck IS NOT NULL "
                "ORDER BY updated_at DESC, initiative_id)"),
            "months": ("ARRAY(SELECT ROW(m.key, sum(m.value::integer)) FROM (SELECT * FROM chosen "
                       "WHERE idea_months <> '{}') AS f, jsonb_each_text(f.idea_months) AS m "
                       "GROUP BY m.key)"),
            # The one or two times to triage in the middle, for the median.
            "middle": (
                f"ARRAY(SELECT i.triage_seconds FROM {s}.portfolio_ideas AS i "
                f"WHERE {_matching('i')} AND i.triage_seconds IS NOT NULL "
                "ORDER BY i.triage_seconds OFFSET (SELECT (greatest(sum(ideas_triaged), 1) - 1) "
                "/ 2 FROM chosen) LIMIT 2)"),
            "people": (
                "(SELECT ROW(count(DISTINCT l.person), count(DISTINCT l.person) FILTER "
                f"(WHERE l.submitted)) FROM {s}.portfolio_front_line AS l "
                f"WHERE {_matching('l')})"),
            # on time, late, overdue, not yet due: the tally `domain.portfolio` keeps per
            # person, summed per person and sponsor first, so that only those few rows sort.
            "reliability": (
                "ARRAY(SELECT ROW(person, sum(on_time), sum(late), sum(overdue), sum(open), "
                "array_agg(sponsor)) FROM (SELECT person, sponsor, sum(on_time) AS on_time, "
                "sum(late) AS late, sum(overdue) AS overdue, sum(open) AS open FROM ("
                "SELECT k.person, k.on_time, k.late, 0 AS overdue, 0 AS open, k.sponsor "
                f"FROM {s}.portfolio_kept AS k WHERE {_matching('k')} "
                "UNION ALL SELECT f.owner, f.triage_on_time, f.triage_late, 0, 0, f.sponsor "
                "FROM chosen AS f WHERE f.triage_on_time + f.triage_late > 0 "
                "UNION ALL SELECT p.person, 0, 0, (p.due_at < $6)::int, (p.due_at >= $6)::int, "
                f"p.sponsor FROM {s}.portfolio_pending AS p WHERE {_matching('p')} "
                "UNION ALL SELECT f.owner, 0, 0, (o.triage_due_at < $6)::int, "
                f"(o.triage_due_at >= $6)::int, f.sponsor FROM {owed}) AS tally "
                "GROUP BY person, sponsor) AS by_sponsor GROUP BY person)"),
            # As JSON: when thousands are asked for, they are read faster so than row by row.
            "longest_overdue": (
                "(SELECT coalesce(json_agg(json_build_object('initiative_id', c.initiative_id, "
                "'kind', c.kind, 'subject', c.subject, 'person', c.person, 'due_at', c.due_at, "
                "'delivered_at', null) ORDER BY c.due_at, c.updated_at DESC, c.initiative_id, "
                "c.part, c.position), '[]')::text FROM (SELECT * FROM overdue ORDER BY due_at, "
                "updated_at DESC, initiative_id, part, position LIMIT $8) AS c)"),
            "rows": (f"ARRAY(SELECT {row} FROM chosen AS f "
                     "ORDER BY f.updated_at DESC, f.initiative_id LIMIT $7)"),
            "quiet": (f"ARRAY(SELECT {row} FROM chosen AS f WHERE f.is_open AND f.updated_at < $9 "
                      "ORDER BY f.updated_at, f.initiative_id DESC LIMIT $10)"),
            "choices": (
                f"ARRAY(SELECT ROW(phase, pmo, sponsor, owner) FROM {s}.portfolio_figures "
                "WHERE $5::text IS NULL OR sponsor = $5 "
                "GROUP BY GROUPING SETS ((phase), (pmo), (sponsor), (owner)))"),
        }
        overdue = (
            "SELECT p.initiative_id, p.kind, p.subject, p.person, p.due_at, p.updated_at, "
            f"0 AS part, p.position FROM {s}.portfolio_pending AS p "
            f"WHERE {_matching('p')} AND p.due_at < $6 "
            "UNION ALL SELECT f.initiative_id, 'idea_triage', o.idea_id, f.owner, "
            f"o.triage_due_at, f.updated_at, 1, o.position FROM {owed} "
            "AND o.triage_due_at < $6")
        self._sponsoring = (f"SELECT {parts['behind']}, " + parts["sponsors"].replace(
            "$11", "$1"))
        self._read = (
            f"WITH chosen AS NOT MATERIALIZED (SELECT * FROM {s}.portfolio_figures AS f WHERE "
            f"{_matching('f')}), overdue AS ({overdue}) SELECT "
            + ", ".join(f"{part} AS {name}" for name, part in parts.items()))

    @asynccontextmanager
    async def snapshot(self, pool: asyncpg.Pool) -> AsyncIterator[Connection]:
        """A connection whose reads all see one moment of the store. The statement's plan is
        made for its parameters each time: a plan made once for any filter (PostgreSQL's
        choice after a few runs) reads far more than one filter needs."""
        async with pool.acquire() as connection, connection.transaction(
                isolation="repeatable_read", readonly=True):
            await connection.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            yield connection

    async def sponsors(self, pool: asyncpg.Pool, person: str) -> bool | None:
        """Whether `person` sponsors some initiative; None when the rows are not sure."""
        behind, sponsors = await _one(pool, self._sponsoring, person)
        return None if behind else bool(sponsors)

    async def read(self, connection: Connection, scope: Scope, now: datetime, *,
                   rows: int | None, overdue: int | None, quiet_before: datetime,
                   quiet: int, sponsor: str | None) -> Reading:
        """The page's figures at `now`: the newest `rows` initiatives and the `overdue`
        commitments overdue longest (all of either without a number), the `quiet` open ones
        longest without an event since `quiet_before`, and whether `sponsor` sponsors any."""
        found = await connection.fetchrow(self._read, *scope.parameters(), now, rows, overdue,
                                          quiet_before, quiet, sponsor)
        assert found is not None  # a SELECT of subqueries always has its one row
        totals = [tuple(row) for row in found["totals"]]
        counts = {row[0]: row[1] for row in totals}
        sponsors_of = {r[0]: frozenset(r[5]) for r in found["reliability"]}
        figures = Portfolio(
            as_of=now, initiatives=sum(counts.values()),
            by_phase={phase.value: counts[phase.value] for phase in Phase
                      if counts.get(phase.value)},
            overdue_commitments=_COMMITMENTS.validate_json(found["longest_overdue"]),
            open_regressions=[OpenRegression.model_validate_json(r[0])
                              for r in found["troubles"] if r[0] is not None],
            stuck=[StuckInitiative.model_validate_json(r[1])
                   for r in found["troubles"] if r[1] is not None],
            sustained_gain=sustained_gain(counts.get(Phase.SUSTAINED.value, 0),
                                          counts.get(Phase.CLOSED_REGRESSED.value, 0),
                                          sum(row[2] for row in totals)),
            pull=_pull(found, totals, now),
            reliability=[Reliability(person=r[0], on_time=r[1], late=r[2], overdue=r[3],
                                     open=r[4]) for r in sorted(found["reliability"])],
            benefit=[BenefitTotal(currency=currency, initiatives=count, claimed=round(claimed, 2),
                                  verified=round(verified, 2), lost=round(lost, 2))
                     for currency, count, claimed, verified, lost in sorted(
                         tuple(r) for r in found["benefits"])])
        return Reading(
            behind=found["behind"], sponsors=found["sponsors"], figures=figures,
            # Every overdue commitment is someone's: the tally counts them all.
            sponsors_of=sponsors_of, overdue=sum(r[3] for r in found["reliability"]),
            rows=[_row(r) for r in found["rows"]], quiet=[_row(r) for r in found["quiet"]],
            choices=_choices(found["choices"]))


def _pull(found: asyncpg.Record, totals: list[tuple[Any, ...]], now: datetime) -> PullFigures:
    """From the totals by phase (see "totals" above), the ideas' times and people."""
    pending, adopted, declined, delivered, duplicate, triaged, within, supports = (
        sum(row[column] for row in totals) for column in range(3, 11))
    oldest = min((row[11] for row in totals if row[11] is not None), default=None)
    levels = {level for row in totals for level in row[12:14] if level is not None}
    launches = [row[14] for row in totals if row[14] is not None]
    ends = [row[15] for row in totals if row[15] is not None]
    front_line, submitters = found["people"]
    submitted = pending + adopted + declined + delivered + duplicate
    return PullFigures(
        submitted=submitted, adopted=adopted + delivered, declined=declined,
        duplicates=duplicate, awaiting_triage=pending, adopted_delivered=delivered,
        median_triage_seconds=_median(found["middle"], triaged),
        triage_within_seconds=levels.pop() if len(levels) == 1 else None,
        triaged=triaged, triaged_within_service_level=within,
        oldest_untriaged_at=oldest,
        oldest_untriaged_seconds=(now - oldest).total_seconds() if oldest else None,
        ideas_by_month=dict(sorted((r[0], r[1]) for r in found["months"])),
        ideas_per_month=monthly_rate(submitted, min(launches), max(ends)) if launches else None,
        submitters=submitters, front_line=front_line, supports=supports)


async def _one(pool: asyncpg.Pool, statement: str, *arguments: object) -> asyncpg.Record:
    found = await pool.fetchrow(statement, *arguments)
    assert found is not None  # a SELECT of subqueries always has its one row
    return found


def _choices(found: Sequence[asyncpg.Record]) -> dict[str, list[str]]:
    names = ("phase", "pmo", "sponsor", "owner")
    values: dict[str, list[str]] = {name: [] for name in names}
    for row in found:
        for name, value in zip(names, row, strict=True):
            if value is not None:
                values[name].append(value)
    return {name: sorted(each) for name, each in values.items()}


def _median(middle: list[float], count: int) -> float | None:
    """`statistics.median` of `count` values, from the one or two in their middle."""
    if not count:
        return None
    return middle[0] if count % 2 else (middle[0] + middle[1]) / 2


def _row(record: asyncpg.Record) -> PortfolioRow:
    return PortfolioRow(initiative_id=record[0], name=record[1], phase=record[2], pmo=record[3],
                        sponsor=record[4], owner=record[5], updated_at=record[6],
                        next_due_at=record[7])
