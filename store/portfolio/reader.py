"""Reading the portfolio read model: the rows `baton list` shows and the states `baton portfolio`
turns into figures.

Reads never write, so they work on a read-only role: a row that is missing or behind its stream
is folded in memory for the answer, from the row onwards when it can be. Only the writer side
repairs rows (`catch_up`, which a worker runs when it starts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from domain import InitiativeState
from domain.portfolio import PortfolioEntry
from domain.pull_ideas import with_ideas
from domain.pull_stream import PULL_STREAMS_LIKE
from domain.state import IdeaState
from store.migrations import quote_schema
from store.models import Connection
from store.pull import PullIdeas
from store.rows import recorded_event
from store.statements import EVENT_COLUMNS

from .projection import PortfolioProjection, fold_onto, next_due_at


@dataclass(frozen=True)
class InitiativeSummary:
    initiative_id: str
    name: str
    phase: str
    owner: str
    version: int
    updated_at: datetime
    next_due_at: datetime | None

    def overdue(self, now: datetime) -> bool:
        return self.next_due_at is not None and self.next_due_at < now

    @classmethod
    def of(cls, state: InitiativeState) -> InitiativeSummary:
        assert state.updated_at is not None  # a launched initiative has recorded its launch
        return cls(state.initiative_id, state.require_spec().name, state.phase.value, state.owner,
                   state.version, state.updated_at, next_due_at(state))


class PortfolioReader:
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        s = quote_schema(schema)
        self._pool = pool
        self._projection = PortfolioProjection(schema)
        self._pull = PullIdeas(schema)
        self._stale = (
            f"SELECT s.stream_id FROM {s}.streams AS s LEFT JOIN {s}.portfolio_initiatives AS p "
            "ON p.initiative_id = s.stream_id WHERE (p.version IS NULL OR p.version < s.version) "
            f"AND s.stream_id NOT LIKE '{PULL_STREAMS_LIKE}'"
        )
        self._summaries = (
            "SELECT initiative_id, name, phase, owner, version, updated_at, next_due_at "
            f"FROM {s}.portfolio_initiatives WHERE ($1::text IS NULL OR phase = $1) "
            "AND ($2::text IS NULL OR owner = $2) "
            "AND ($3::timestamptz IS NULL OR next_due_at < $3) "
            "AND initiative_id <> ALL($4::text[]) ORDER BY updated_at DESC"
        )
        self._entries = (f"SELECT state, regressions FROM {s}.portfolio_initiatives "
                         "WHERE initiative_id <> ALL($1::text[])")
        self._rows_of = (f"SELECT initiative_id, version, regressions, state "
                         f"FROM {s}.portfolio_initiatives WHERE initiative_id = ANY($1::text[])")
        self._events_after = (f"SELECT {EVENT_COLUMNS} FROM {s}.events "
                              "WHERE stream_id = $1 AND version > $2 ORDER BY version")
        # The stream's version wins over a row that is behind it (or missing, or without one).
        self._versions = (
            "SELECT coalesce(p.initiative_id, s.stream_id) AS initiative_id, "
            "greatest(p.version, s.version) AS version "
            f"FROM {s}.portfolio_initiatives AS p FULL JOIN {s}.streams AS s "
            f"ON s.stream_id = p.initiative_id WHERE s.stream_id NOT LIKE '{PULL_STREAMS_LIKE}' "
            "OR s.stream_id IS NULL")
        self._entries_of = (f"SELECT state, regressions FROM {s}.portfolio_initiatives "
                            "WHERE initiative_id = ANY($1::text[])")
        # Ideas on either stream; and any initiative whose row is behind, which may hold more.
        self._submitted_to = (
            f"SELECT initiative_id FROM {s}.portfolio_ideas WHERE submitted_by = $1 UNION "
            f"({self._stale})")

    async def catch_up(self) -> int:
        """Rebuild the rows that are missing or behind their stream; returns how many.

        Appends keep the rows current; this covers streams recorded before the table existed,
        or by a worker that did not project. The writer's to run: it writes.
        """
        stale = await self._pool.fetch(self._stale)
        for row in stale:
            async with self._pool.acquire() as connection, connection.transaction():
                await self._projection.rebuild(connection, row["stream_id"])
        return len(stale)

    async def summaries(self, *, phase: str | None = None, owner: str | None = None,
                        overdue_at: datetime | None = None) -> list[InitiativeSummary]:
        """Newest first; `overdue_at` keeps only initiatives with a commitment past due then."""
        async with self._pool.acquire() as connection, connection.transaction(
                isolation="repeatable_read", readonly=True):
            stale = [row["stream_id"] for row in await connection.fetch(self._stale)]
            rows = await connection.fetch(self._summaries, phase, owner, overdue_at, stale)
            folded = [InitiativeSummary.of(state)
                      for state, _ in await self._folded(connection, stale)]
        found = [InitiativeSummary(**dict(row)) for row in rows] + [
            s for s in folded if (phase is None or s.phase == phase)
            and (owner is None or s.owner == owner)
            and (overdue_at is None or s.overdue(overdue_at))]
        return sorted(found, key=lambda s: s.updated_at, reverse=True)

    async def entries(self, *, pull_ideas: bool = True) -> list[PortfolioEntry]:
        """Every initiative's entry; without `pull_ideas`, its state holds only the ideas
        recorded with it, not those of its pull stream (which a reader then asks for apart)."""
        async with self._pool.acquire() as connection, connection.transaction(
                isolation="repeatable_read", readonly=True):
            stale = [row["stream_id"] for row in await connection.fetch(self._stale)]
            rows = await connection.fetch(self._entries, stale)
            folded = await self._folded(connection, stale)
            ideas = await self._pull.of_initiatives(connection) if pull_ideas else {}
        return _with_ideas(rows, folded, ideas)

    async def _folded(self, connection: Connection,
                      stale: Iterable[str]) -> list[tuple[InitiativeState, int]]:
        """The states of the streams whose rows are missing or behind, as their rows will be."""
        stale = list(stale)
        if not stale:
            return []
        rows = {row["initiative_id"]: row
                for row in await connection.fetch(self._rows_of, stale)}
        folded = []
        for stream_id in stale:
            row = rows.get(stream_id)
            if row is None:
                state, regressions = InitiativeState(initiative_id=stream_id), 0
            else:
                state = InitiativeState.model_validate(row["state"])
                regressions = row["regressions"]
            events = [recorded_event(r).event for r in await connection.fetch(
                self._events_after, stream_id, state.version)]
            state, regressions = fold_onto(state, regressions, events)
            if state.spec is not None:
                folded.append((state, regressions))
        return folded

    async def versions(self) -> dict[str, int]:
        """Each initiative's version: what a reader that keeps entries needs to refresh them.
        With its ideas on a stream of their own, that is the sum of both streams' versions,
        which moves whenever either does."""
        pull = await self._pull.versions(self._pool)
        return {row["initiative_id"]: row["version"] + pull.get(row["initiative_id"], 0)
                for row in await self._pool.fetch(self._versions)}

    async def submitted_to(self, person: str) -> list[str]:
        """The initiatives `person` may have submitted ideas to: all they did submit to, and
        any whose rows are behind."""
        return [row[0] for row in await self._pool.fetch(self._submitted_to, person)]

    async def entries_of(self, initiative_ids: Iterable[str], *,
                         pull_ideas: bool = True) -> list[PortfolioEntry]:
        """These initiatives' entries, a row that is behind folded in memory as in `entries`
        (and `pull_ideas` as there)."""
        wanted = set(initiative_ids)
        async with self._pool.acquire() as connection, connection.transaction(
                isolation="repeatable_read", readonly=True):
            stale = wanted & {row["stream_id"] for row in await connection.fetch(self._stale)}
            rows = await connection.fetch(self._entries_of, list(wanted - stale))
            folded = await self._folded(connection, stale)
            ideas = await self._pull.of_initiatives(connection, wanted) if pull_ideas else {}
        return _with_ideas(rows, folded, ideas)


def _with_ideas(rows: Iterable[asyncpg.Record], folded: Iterable[tuple[InitiativeState, int]],
                ideas: Mapping[str, tuple[IdeaState, ...]]) -> list[PortfolioEntry]:
    """Entries whose states carry their ideas from the pull stream too: the figures count
    them, though the initiative's own state (and its workflow) does not hold them."""
    states = [(InitiativeState.model_validate(row["state"]), row["regressions"]) for row in rows]
    return [PortfolioEntry(with_ideas(state, ideas.get(state.initiative_id, ())), count)
            for state, count in (*states, *folded)]
