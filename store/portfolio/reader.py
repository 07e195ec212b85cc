"""Reading the portfolio read model: the rows `baton list` shows and the states `baton portfolio`
turns into figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from domain import InitiativeState
from domain.portfolio import PortfolioEntry
from store.migrations import quote_schema

from .projection import PortfolioProjection


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


class PortfolioReader:
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        s = quote_schema(schema)
        self._pool = pool
        self._projection = PortfolioProjection(schema)
        self._stale = (
            f"SELECT s.stream_id FROM {s}.streams AS s LEFT JOIN {s}.portfolio_initiatives AS p "
            "ON p.initiative_id = s.stream_id WHERE p.version IS NULL OR p.version < s.version"
        )
        self._summaries = (
            "SELECT initiative_id, name, phase, owner, version, updated_at, next_due_at "
            f"FROM {s}.portfolio_initiatives WHERE ($1::text IS NULL OR phase = $1) "
            "AND ($2::text IS NULL OR owner = $2) "
            "AND ($3::timestamptz IS NULL OR next_due_at < $3) ORDER BY updated_at DESC"
        )
        self._entries = f"SELECT state, regressions FROM {s}.portfolio_initiatives"

    async def catch_up(self) -> int:
        """Rebuild the rows that are missing or behind their stream; returns how many.

        Appends keep the rows current; this covers streams recorded before the table existed,
        or by a worker that did not project.
        """
        stale = await self._pool.fetch(self._stale)
        for row in stale:
            async with self._pool.acquire() as connection, connection.transaction():
                await self._projection.rebuild(connection, row["stream_id"])
        return len(stale)

    async def summaries(self, *, phase: str | None = None, owner: str | None = None,
                        overdue_at: datetime | None = None) -> list[InitiativeSummary]:
        """Newest first; `overdue_at` keeps only initiatives with a commitment past due then."""
        await self.catch_up()
        rows = await self._pool.fetch(self._summaries, phase, owner, overdue_at)
        return [InitiativeSummary(**dict(row)) for row in rows]

    async def entries(self) -> list[PortfolioEntry]:
        await self.catch_up()
        rows = await self._pool.fetch(self._entries)
        return [PortfolioEntry(InitiativeState.model_validate(row["state"]), row["regressions"])
                for row in rows]
