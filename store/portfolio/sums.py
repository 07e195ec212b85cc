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

# Which initiatives: the page's filters and, for a sponsor, their own.
_CHOSEN = (
    "WITH chosen AS (SELECT * FROM {s}.portfolio_figures WHERE ($1::text IS NULL OR phase = $1) "
    "AND ($2::text IS NULL OR pmo = $2) AND ($3::text IS NULL OR sponsor = $3) "
    "AND ($4::text IS NULL OR owner = $4) AND ($5::text IS NULL OR sponsor = $5)) ")
# The ideas' triage still owed, as the commitments `domain.commitments` makes of it.
_OWED_IDEAS = ("{s}.portfolio_ideas AS i JOIN chosen AS f ON f.initiative_id = i.initiative_id "
               "WHERE i.owed AND f.is_open")


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

        owed = _OWED_IDEAS.format(s=s)
        self._stale = (
            f"SELECT EXISTS (SELECT 1 FROM {s}.streams AS s LEFT JOIN {s}.portfolio_figures AS f "
            "ON f.initiative_id = s.stream_id WHERE (f.version IS NULL OR f.version < s.version) "
            f"AND s.stream_id NOT LIKE '{PULL_STREAMS_LIKE}')")
        # One pass over the initiatives for all that adds up per initiative, by phase.
        self._totals = chosen(
            "SELECT phase, count(*), count(*) FILTER (WHERE held), sum(ideas_pending), "
            "sum(ideas_adopted), sum(ideas_declined), sum(ideas_delivered), "
            "sum(ideas_duplicate), sum(ideas_triaged), sum(ideas_within), sum(ideas_supports), "
            "min(oldest_pending_idea), array_agg(DISTINCT triage_within_s), min(launched_at), "
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
        self._people = chosen(
            "SELECT count(DISTINCT l.person), count(DISTINCT l.person) FILTER (WHERE l.submitted) "
            "FROM {s}.portfolio_front_line AS l JOIN chosen AS f "
            "ON f.initiative_id = l.initiative_id")
        # on time, late, overdue, not yet due: the tally `domain.portfolio` keeps per person.
        self._reliability = chosen(
            "SELECT person, sum(on_time)::int, sum(late)::int, sum(overdue)::int, "
            "sum(open)::int, array_agg(DISTINCT sponsor) FROM ("
            "SELECT k.person, k.on_time, k.late, 0 AS overdue, 0 AS open, f.sponsor "
            "FROM {s}.portfolio_kept AS k JOIN chosen AS f ON f.initiative_id = k.initiative_id "
            "UNION ALL SELECT f.owner, f.triage_on_time, f.triage_late, 0, 0, f.sponsor "
            "FROM chosen AS f WHERE f.triage_on_time + f.triage_late > 0 "
            "UNION ALL SELECT p.person, 0, 0, (p.due_at < $6)::int, (p.due_at >= $6)::int, "
            "f.sponsor FROM {s}.portfolio_pending AS p "
            "JOIN chosen AS f ON f.initiative_id = p.initiative_id "
            "UNION ALL SELECT f.owner, 0, 0, (i.triage_due_at < $6)::int, "
            f"(i.triage_due_at >= $6)::int, f.sponsor FROM {owed}"
            ") AS tally GROUP BY person")
        self._overdue = chosen(
            "SELECT c.initiative_id, c.kind, c.subject, c.person, c.due_at FROM ("
            "SELECT p.initiative_id, p.kind, p.subject, p.person, p.due_at, f.updated_at, "
            "0 AS part, p.position FROM {s}.portfolio_pending AS p "
            "JOIN chosen AS f ON f.initiative_id = p.initiative_id WHERE p.due_at < $6 "
            "UNION ALL SELECT i.initiative_id, 'idea_triage', i.idea_id, f.owner, "
            f"i.triage_due_at, f.updated_at, 1, i.position FROM {owed} "
            "AND i.triage_due_at < $6) AS c "
            "ORDER BY c.due_at, c.updated_at DESC, c.initiative_id, c.part, c.position")
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
            "SELECT array_agg(DISTINCT phase), array_agg(DISTINCT pmo), "
            f"array_agg(DISTINCT sponsor), array_agg(DISTINCT owner) FROM {s}.portfolio_figures "
            "WHERE $1::text IS NULL OR sponsor = $1")
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
            overdue_commitments=[
                Commitment(initiative_id=r[0], kind=r[1], subject=r[2], person=r[3],
                           due_at=r[4], delivered_at=None)
                for r in await connection.fetch(self._overdue, *at)],
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
        levels = {level for row in totals for level in row[12] if level is not None}
        launches = [row[13] for row in totals if row[13] is not None]
        ends = [row[14] for row in totals if row[14] is not None]
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
        row = await _one(connection, self._choices, only_sponsor)
        names = ("phase", "pmo", "sponsor", "owner")
        return {name: sorted(row[index] or ()) for index, name in enumerate(names)}


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
