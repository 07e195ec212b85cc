"""The `work_items` read model: written with the events (see the portfolio projection), read
by person for "my work"."""

from __future__ import annotations

import asyncpg

from domain.state import CLOSED_PHASES, InitiativeState
from domain.work import WorkItem, WorkKind, open_work

from .migrations import quote_schema

_COLUMNS = "initiative_id, initiative_name, person, kind, ref, title, due_at, action"
# More than anyone can work through; the list is about what is next.
MAX_ITEMS = 1000
# The migration that creates the table; the store fills it from the portfolio once applied.
WORK_ITEMS_MIGRATION = "work_items"


class WorkItems:
    def __init__(self, schema: str) -> None:
        table = f"{quote_schema(schema)}.work_items"
        # One statement, so the append's transaction makes one round trip for it: the items
        # owed now are upserted, and the initiative's other rows deleted. The two touch
        # different rows, so they may run together.
        self._replace = (
            f"WITH owed ({_COLUMNS}) AS ("
            " SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
            " $7::text[], $8::timestamptz[], $9::text[])),"
            f" settled AS (DELETE FROM {table} AS w WHERE w.initiative_id = $1 AND NOT EXISTS"
            " (SELECT 1 FROM owed WHERE owed.kind = w.kind AND owed.ref = w.ref))"
            f" INSERT INTO {table} ({_COLUMNS}) SELECT * FROM owed"
            " ON CONFLICT (initiative_id, kind, ref) DO UPDATE SET"
            " initiative_name = EXCLUDED.initiative_name, person = EXCLUDED.person,"
            " title = EXCLUDED.title, due_at = EXCLUDED.due_at, action = EXCLUDED.action")
        self._folded = (f"SELECT state FROM {quote_schema(schema)}.portfolio_initiatives "
                        "WHERE phase <> ALL($1::text[])")
        self._of_person = (f"SELECT {_COLUMNS} FROM {table} WHERE person = $1 "
                           "ORDER BY due_at NULLS LAST, initiative_id, kind, ref LIMIT $2")

    async def save(self, connection: asyncpg.Connection, state: InitiativeState) -> None:
        """Replace the initiative's items with what its state owes now (in the caller's
        transaction)."""
        items = open_work(state)
        await connection.execute(
            self._replace, state.initiative_id, [i.initiative_id for i in items],
            [i.initiative_name for i in items], [i.person for i in items],
            [i.kind.value for i in items], [i.ref for i in items],
            [i.title for i in items], [i.due_at for i in items],
            [i.action for i in items])

    async def backfill(self, connection: asyncpg.Connection) -> None:
        """Items for every initiative the portfolio read model already folds."""
        async with connection.transaction():
            closed = [phase.value for phase in CLOSED_PHASES]
            for row in await connection.fetch(self._folded, closed):
                await self.save(connection, InitiativeState.model_validate(row[0]))

    async def of_person(self, pool: asyncpg.Pool, person: str,
                        limit: int = MAX_ITEMS) -> list[WorkItem]:
        rows = await pool.fetch(self._of_person, person, limit)
        return [WorkItem(initiative_id=r[0], initiative_name=r[1], person=r[2],
                         kind=WorkKind(r[3]), ref=r[4], title=r[5], due_at=r[6], action=r[7])
                for r in rows]
