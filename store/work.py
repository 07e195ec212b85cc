"""The `work_items` read model: written with the events (see the portfolio projection), read
by person for "my work"."""

from __future__ import annotations

import asyncpg

from domain.state import CLOSED_PHASES, InitiativeState
from domain.work import WorkItem, WorkKind, open_work

from .migrations import quote_schema
from .models import Connection

_COLUMNS = "initiative_id, initiative_name, person, kind, ref, title, due_at, action"
# More than anyone can work through; the list is about what is next.
MAX_ITEMS = 1000
# The migration that creates the table; the store fills it from the portfolio once applied.
WORK_ITEMS_MIGRATION = "work_items"
_TRIAGE = WorkKind.IDEA_TRIAGE.value


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
            f" settled AS (DELETE FROM {table} AS w WHERE w.initiative_id = $1"
            f" AND (w.kind <> '{_TRIAGE}' OR $10 OR $11) AND NOT EXISTS"
            " (SELECT 1 FROM owed WHERE owed.kind = w.kind AND owed.ref = w.ref)),"
            # Items for ideas on the pull stream are that stream's to write; whose they are and
            # the initiative's name follow the initiative.
            f" moved AS (UPDATE {table} SET person = $12, initiative_name = $13"
            f" WHERE initiative_id = $1 AND kind = '{_TRIAGE}' AND NOT $10 AND NOT $11"
            " AND (person <> $12 OR initiative_name <> $13))"
            f" INSERT INTO {table} ({_COLUMNS}) SELECT * FROM owed"
            " ON CONFLICT (initiative_id, kind, ref) DO UPDATE SET"
            " initiative_name = EXCLUDED.initiative_name, person = EXCLUDED.person,"
            " title = EXCLUDED.title, due_at = EXCLUDED.due_at, action = EXCLUDED.action")
        self._triage_owed = (
            f"INSERT INTO {table} ({_COLUMNS}) SELECT * FROM unnest($1::text[], $2::text[],"
            " $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])"
            " ON CONFLICT (initiative_id, kind, ref) DO UPDATE SET person = EXCLUDED.person,"
            " title = EXCLUDED.title, due_at = EXCLUDED.due_at")
        self._triage_done = (f"DELETE FROM {table} WHERE initiative_id = $1 AND kind = "
                             f"'{_TRIAGE}' AND ref = ANY($2::text[])")
        self._folded = (f"SELECT state FROM {quote_schema(schema)}.portfolio_initiatives "
                        "WHERE phase <> ALL($1::text[])")
        self._of_person = (f"SELECT {_COLUMNS} FROM {table} WHERE person = $1 "
                           "ORDER BY due_at NULLS LAST, initiative_id, kind, ref LIMIT $2")

    async def save(self, connection: Connection, state: InitiativeState) -> None:
        """Replace the initiative's items with what its state owes now (in the caller's
        transaction)."""
        items = open_work(state)
        await connection.execute(
            self._replace, state.initiative_id, [i.initiative_id for i in items],
            [i.initiative_name for i in items], [i.person for i in items],
            [i.kind.value for i in items], [i.ref for i in items],
            [i.title for i in items], [i.due_at for i in items],
            [i.action for i in items], bool(state.ideas), not state.is_open, state.owner,
            state.require_spec().name)

    async def save_triage(self, connection: Connection, owed: list[WorkItem],
                          answered: list[str], initiative_id: str) -> None:
        """The owner's items for ideas on the pull stream: `owed` kept, `answered` (idea ids)
        dropped (in the caller's transaction)."""
        if owed:
            await connection.execute(
                self._triage_owed, [i.initiative_id for i in owed],
                [i.initiative_name for i in owed], [i.person for i in owed],
                [i.kind.value for i in owed], [i.ref for i in owed], [i.title for i in owed],
                [i.due_at for i in owed], [i.action for i in owed])
        if answered:
            await connection.execute(self._triage_done, initiative_id, answered)

    async def backfill(self, connection: Connection) -> None:
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
