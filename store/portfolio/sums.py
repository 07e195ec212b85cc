"""The portfolio's figures summed by PostgreSQL from the rows the projections keep (migration
0013, `store.figure_rows`): what `domain.portfolio.combine` computes from folded states, for any
filter, without reading a single state.

Every statement reads the initiatives a `Scope` chooses; the clock (`now`) decides only which
pending commitments are overdue and the pull figures' ages, so it is a parameter, never stored.
Lists come in the order the domain's fold gives them when the initiatives are taken newest
change first: ties on a date fall to the newer initiative, then to the initiative's own order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
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

_ROW_COLUMNS = "f.initiative_id, f.name, f.phase, f.pmo, f.sponsor, f.owner, f.updated_at"



def _matching(alias: str) -> str:
    """The page's filters and, for a sponsor, their own initiatives, on a table that carries
    the initiative's filter columns (`portfolio_figures` and the rows beside it)."""
    return (f"($1::text IS NULL OR {alias}.phase = $1) AND ($2::text IS NULL OR {alias}.pmo = $2) "
            f"AND ($3::text IS NULL OR {alias}.sponsor = $3) "
            f"AND ($4::text IS NULL OR {alias}.owner = $4) "
            f"AND ($5::text IS NULL OR {alias}.sponsor = $5)")


_COMMITMENTS = TypeAdapter(list[Commitment])

# Which initiatives.
_CHOSEN = ("WITH chosen AS NOT MATERIALIZED (SELECT * FROM {s}.portfolio_figures AS f WHERE "
           + _matching("f") + ") ")
# The ideas' triage still owed, as the commitments `domain.commitments` makes of it.
_OWED = ("(SELECT * FROM chosen WHERE is_open AND owed_triage_ideas <> '{{}}') AS f, "
         "unnest(f.owed_triage_ideas, f.owed_triage_dues, f.owed_triage_places) "
         "AS o (idea_id, due_at, position) WHERE true")


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
class Sums:
    figures: Portfolio  # every person's reliability: who may see which is the caller's to say
    sponsors_of: Mapping[str, frozenset[str]]  # each person's: see `ReliabilityFigure`


class PortfolioSums:
    def __init__(self, schema: str) -> None:
        s = quote_schema(schema)

        def chosen(statement: str) -> str:
            return _CHOSEN.format(s=s) + statement.format(s=s)

        self._stale = (
            f"SELECT EXISTS (SELECT 1 FROM {s}.streams AS s LEFT JOIN {s}.portfolio_figures AS f "
            "ON f.initiative_id = s.stream_id WHERE (f.version IS NULL OR f.version < s.version) "
            f"AND s.stream_id NOT LIKE '{PULL_STREAMS_LIKE}')")
        # One pass over the initiatives for all that adds up per initiative, by phase.
        self._totals = chosen(
            "SELECT phase, count(*), count(*) FILTER (WHERE held), sum(ideas_pending), "
            "sum(ideas_adopted), sum(ideas_declined), sum(ideas_delivered), "
            "sum(ideas_duplicate), sum(ideas_triaged), sum(ideas_within), sum(ideas_supports), "
            "min(oldest_pending_idea), min(triage_within_s), max(triage_within_s), "
            "min(launched_at), "
            "max(coalesce(closed_at, $6)) FILTER (WHERE launched_at IS NOT NULL) "
            "FROM chosen GROUP BY phase")
        self._benefits = chosen(
            "SELECT benefit_currency, count(*), sum(benefit_claimed), sum(benefit_verified), "
            "sum(benefit_lost) FROM chosen WHERE benefit_currency IS NOT NULL "
            "GROUP BY benefit_currency")
        self._troubles = chosen(
            "SELECT open_regression::text, stuck::text FROM chosen "
            "WHERE open_regression IS NOT NULL OR stuck IS NOT NULL "
            "ORDER BY updated_at DESC, initiative_id")
        self._months = chosen("SELECT m.key, sum(m.value::integer) FROM chosen, "
                              "jsonb_each_text(chosen.idea_months) AS m GROUP BY m.key")
        self._middle = chosen(
            "SELECT i.triage_seconds FROM {s}.portfolio_ideas AS i JOIN chosen AS f "
            "ON f.initiative_id = i.initiative_id WHERE i.triage_seconds IS NOT NULL "
            "ORDER BY i.triage_seconds OFFSET $6 LIMIT 2")
        self._people = (
            "SELECT count(DISTINCT l.person), count(DISTINCT l.person) FILTER (WHERE l.submitted) "
            f"FROM {s}.portfolio_front_line AS l WHERE {_matching('l')}")
        # on time, late, overdue, not yet due: the tally `domain.portfolio` keeps per person,
        # summed per person and sponsor first, so that only those few rows are sorted.
        self._reliability = chosen(
            "SELECT person, sum(on_time)::int, sum(late)::int, sum(overdue)::int, "
            "sum(open)::int, array_agg(sponsor) FROM (SELECT person, sponsor, "
            "sum(on_time) AS on_time, sum(late) AS late, sum(overdue) AS overdue, "
            "sum(open) AS open FROM ("
            "SELECT k.person, k.on_time, k.late, 0 AS overdue, 0 AS open, k.sponsor "
            f"FROM {{s}}.portfolio_kept AS k WHERE {_matching('k')} "
            "UNION ALL SELECT f.owner, f.triage_on_time, f.triage_late, 0, 0, f.sponsor "
            "FROM chosen AS f WHERE f.triage_on_time + f.triage_late > 0 "
            "UNION ALL SELECT p.person, 0, 0, (p.due_at < $6)::int, (p.due_at >= $6)::int, "
            f"p.sponsor FROM {{s}}.portfolio_pending AS p WHERE {_matching('p')} "
            "UNION ALL SELECT f.owner, 0, 0, (o.due_at < $6)::int, (o.due_at >= $6)::int, "
            f"f.sponsor FROM {_OWED}"
            ") AS tally GROUP BY person, sponsor) AS by_sponsor GROUP BY person")
        # As JSON: thousands of commitments are read faster so than row by row.
        self._overdue = chosen(
            "SELECT coalesce(json_agg(json_build_object('initiative_id', c.initiative_id, "
            "'kind', c.kind, 'subject', c.subject, 'person', c.person, 'due_at', c.due_at, "
            "'delivered_at', null) ORDER BY c.due_at, c.updated_at DESC, c.initiative_id, "
            "c.part, c.position), '[]')::text FROM ("
            "SELECT p.initiative_id, p.kind, p.subject, p.person, p.due_at, p.updated_at, "
            "0 AS part, p.position FROM {s}.portfolio_pending AS p "
            f"WHERE {_matching('p')} AND p.due_at < $6 "
            "UNION ALL SELECT f.initiative_id, 'idea_triage', o.idea_id, f.owner, o.due_at, "
            f"f.updated_at, 1, o.position FROM {_OWED} AND o.due_at < $6) AS c")
        next_due = ("LEAST(f.next_due_at, CASE WHEN f.is_open THEN f.next_triage_due END) "
                    "AS next_due_at")
        self._rows = chosen(
            f"SELECT {_ROW_COLUMNS}, {next_due} "
            "FROM chosen AS f ORDER BY f.updated_at DESC, f.initiative_id LIMIT $6")
        self._quiet = chosen(
            f"SELECT {_ROW_COLUMNS}, {next_due} FROM chosen AS f "
            "WHERE f.is_open AND f.updated_at < $6 "
            "ORDER BY f.updated_at, f.initiative_id DESC LIMIT $7")
        self._choices = (
            f"SELECT phase, pmo, sponsor, owner FROM {s}.portfolio_figures "
            "WHERE $1::text IS NULL OR sponsor = $1 "
            "GROUP BY GROUPING SETS ((phase), (pmo), (sponsor), (owner))")
        self._sponsors = f"SELECT EXISTS (SELECT 1 FROM {s}.portfolio_figures WHERE sponsor = $1)"

    @asynccontextmanager
    async def snapshot(self, pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
        """A connection whose reads all see one moment of the store. The statements' plans are
        made for their parameters each time: a plan made once for any filter (PostgreSQL's
        choice after a few runs) joins the ideas to every initiative and takes seconds."""
        async with pool.acquire() as connection, connection.transaction(
                isolation="repeatable_read", readonly=True):
            await connection.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            yield connection

    async def behind(self, connection: asyncpg.Connection) -> bool:
        """Whether some initiative recorded events its rows do not hold yet (a stream older
        than the tables, or recorded by a worker that did not project)."""
        return bool(await connection.fetchval(self._stale))

    async def sponsors_anything(self, connection: asyncpg.Connection, person: str) -> bool:
        return bool(await connection.fetchval(self._sponsors, person))

    async def sums(self, connection: asyncpg.Connection, scope: Scope, now: datetime) -> Sums:
        at = (*scope.parameters(), now)
        totals = [tuple(row) for row in await connection.fetch(self._totals, *at)]
        counts = {row[0]: row[1] for row in totals}
        troubles = await connection.fetch(self._troubles, *scope.parameters())
        sponsors_of: dict[str, frozenset[str]] = {}
        reliability = []
        for person, on_time, late, overdue, pending, sponsors in sorted(
                tuple(r) for r in await connection.fetch(self._reliability, *at)):
            sponsors_of[person] = frozenset(sponsors)
            reliability.append(Reliability(person=person, on_time=on_time, late=late,
                                           overdue=overdue, open=pending))
        figures = Portfolio(
            as_of=now, initiatives=sum(counts.values()),
            by_phase={phase.value: counts[phase.value] for phase in Phase
                      if counts.get(phase.value)},
            overdue_commitments=_COMMITMENTS.validate_json(
                await connection.fetchval(self._overdue, *at)),
            open_regressions=[OpenRegression.model_validate_json(r[0])
                              for r in troubles if r[0] is not None],
            stuck=[StuckInitiative.model_validate_json(r[1]) for r in troubles if r[1] is not None],
            sustained_gain=sustained_gain(counts.get(Phase.SUSTAINED.value, 0),
                                          counts.get(Phase.CLOSED_REGRESSED.value, 0),
                                          sum(row[2] for row in totals)),
            pull=await self._pull(connection, scope, now, totals),
            reliability=reliability,
            benefit=[BenefitTotal(currency=currency, initiatives=count, claimed=round(claimed, 2),
                                  verified=round(verified, 2), lost=round(lost, 2))
                     for currency, count, claimed, verified, lost in sorted(
                         tuple(r) for r in await connection.fetch(
                             self._benefits, *scope.parameters()))])
        return Sums(figures, sponsors_of)

    async def _pull(self, connection: asyncpg.Connection, scope: Scope, now: datetime,
                    totals: list[tuple[Any, ...]]) -> PullFigures:
        """From the totals by phase (`_totals`' columns), the ideas' times and people."""
        pending, adopted, declined, delivered, duplicate, triaged, within, supports = (
            sum(row[column] for row in totals) for column in range(3, 11))
        oldest = min((row[11] for row in totals if row[11] is not None), default=None)
        levels = {level for row in totals for level in row[12:14] if level is not None}
        launches = [row[14] for row in totals if row[14] is not None]
        ends = [row[15] for row in totals if row[15] is not None]
        middle = [r[0] for r in await connection.fetch(
            self._middle, *scope.parameters(), max(triaged - 1, 0) // 2)]
        front_line, submitters = await _one(connection, self._people, *scope.parameters())
        months = dict(sorted((r[0], r[1]) for r in await connection.fetch(
            self._months, *scope.parameters())))
        submitted = pending + adopted + declined + delivered + duplicate
        return PullFigures(
            submitted=submitted, adopted=adopted + delivered, declined=declined,
            duplicates=duplicate, awaiting_triage=pending, adopted_delivered=delivered,
            median_triage_seconds=_median(middle, triaged),
            triage_within_seconds=levels.pop() if len(levels) == 1 else None,
            triaged=triaged, triaged_within_service_level=within,
            oldest_untriaged_at=oldest,
            oldest_untriaged_seconds=(now - oldest).total_seconds() if oldest else None,
            ideas_by_month=months,
            ideas_per_month=monthly_rate(submitted, min(launches), max(ends))
            if launches else None,
            submitters=submitters, front_line=front_line, supports=supports)

    async def rows(self, connection: asyncpg.Connection, scope: Scope,
                   limit: int | None) -> list[PortfolioRow]:
        """The newest `limit` (all without one)."""
        return [_row(r) for r in await connection.fetch(self._rows, *scope.parameters(), limit)]

    async def quiet(self, connection: asyncpg.Connection, scope: Scope, before: datetime,
                    limit: int) -> list[PortfolioRow]:
        """Open initiatives with no event since `before`: the longest quiet first."""
        return [_row(r) for r in await connection.fetch(
            self._quiet, *scope.parameters(), before, limit)]

    async def choices(self, connection: asyncpg.Connection,
                      only_sponsor: str | None) -> dict[str, list[str]]:
        """The values each filter can take among the initiatives seen."""
        names = ("phase", "pmo", "sponsor", "owner")
        found: dict[str, list[str]] = {name: [] for name in names}
        for row in await connection.fetch(self._choices, only_sponsor):
            for name, value in zip(names, row, strict=True):
                if value is not None:
                    found[name].append(value)
        return {name: sorted(values) for name, values in found.items()}


async def _one(connection: asyncpg.Connection, statement: str,
               *arguments: object) -> asyncpg.Record:
    """The one row of a statement of aggregates, which always has it."""
    row = await connection.fetchrow(statement, *arguments)
    assert row is not None
    return row


def _median(middle: list[float], count: int) -> float | None:
    """`statistics.median` of `count` values, from the one or two in their middle."""
    if not count:
        return None
    return middle[0] if count % 2 else (middle[0] + middle[1]) / 2


def _row(record: asyncpg.Record) -> PortfolioRow:
    return PortfolioRow(initiative_id=record[0], name=record[1], phase=record[2], pmo=record[3],
                        sponsor=record[4], owner=record[5], updated_at=record[6],
                        next_due_at=record[7])
