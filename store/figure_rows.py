"""Writing what one initiative adds to the portfolio's figures (`domain.portfolio.entry_figures`)
into the rows the portfolio page aggregates with SQL (migration 0013): by the portfolio
projection, in the append's transaction, and once for every stored row when the tables are new.

The ideas' part is the pull stream's rows (`pull_ideas`) and, for ideas recorded with the
initiative itself, `portfolio_state_ideas`; the page joins them with the initiative's row, so an
idea's change never rewrites its initiative's figures, nor the other way round.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from domain import InitiativeState
from domain.portfolio import EntryFigures, PortfolioEntry, entry_figures
from domain.pull import month_of

from .migrations import quote_schema

# The migration that creates the tables; the store fills them from the portfolio once applied.
PORTFOLIO_FIGURES_MIGRATION = "portfolio_figures"
IDEA_TRIAGE = "idea_triage"  # the commitments the ideas' rows stand for
_FIGURES_COLUMNS = (
    "initiative_id, version, name, phase, pmo, sponsor, owner, updated_at, is_open, next_due_at, "
    "held, open_regression, stuck, benefit_currency, benefit_claimed, benefit_verified, "
    "benefit_lost, triage_within_s, launched_at, closed_at")
_BACKFILL_BATCH = 500


class FigureRows:
    """The rows of one initiative, replaced whenever its stream records anything."""

    def __init__(self, schema: str) -> None:
        s = quote_schema(schema)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _FIGURES_COLUMNS.split(", ")[1:])
        self._figures = (
            f"INSERT INTO {s}.portfolio_figures AS f ({_FIGURES_COLUMNS}) VALUES ($1, $2, $3, "
            "$4, $5, $6, $7, $8, $9, $10, $11, $12::text::jsonb, $13::text::jsonb, $14, $15, "
            "$16, $17, $18, $19, $20) "
            f"ON CONFLICT (initiative_id) DO UPDATE SET {updates} "
            "WHERE f.version <= EXCLUDED.version")
        self._kept = _replacing(s, "portfolio_kept", "person", {
            "on_time": "integer", "late": "integer"})
        self._pending = _replacing(s, "portfolio_pending", "position", {
            "kind": "text", "subject": "text", "person": "text", "due_at": "timestamptz"})
        self._front_line = _replacing(s, "portfolio_front_line", "person", {})
        self._ideas = _replacing(s, "portfolio_state_ideas", "idea_id", {
            "position": "integer", "submitted_by": "text", "submitted_at": "timestamptz",
            "month": "text", "status": "text", "triage_due_at": "timestamptz",
            "triaged_at": "timestamptz", "supporters": "integer"})
        self._stored = (f"SELECT initiative_id, state, regressions "
                        f"FROM {s}.portfolio_initiatives WHERE initiative_id > $1 "
                        "ORDER BY initiative_id LIMIT $2")

    async def save(self, connection: asyncpg.Connection, state: InitiativeState,
                   regressions: int) -> None:
        """Replace the initiative's rows with what its state adds now (in the caller's
        transaction). The ideas of its pull stream are that stream's to write."""
        if state.spec is None:
            return
        iid = state.initiative_id
        # Without its ideas: their commitments and pull figures come from the ideas' rows.
        part = entry_figures(PortfolioEntry(state.model_copy(update={"ideas": ()}), regressions))
        await connection.execute(self._figures, *figures_values(state, part))
        await connection.execute(self._kept, iid, list(part.kept),
                                 [k[0] for k in part.kept.values()],
                                 [k[1] for k in part.kept.values()])
        pending = part.pending
        await connection.execute(
            self._pending, iid, list(range(len(pending))), [c.kind for c in pending],
            [c.subject for c in pending], [c.person for c in pending],
            [c.due_at for c in pending])
        await connection.execute(self._front_line, iid, sorted(set(state.front_line or ())))
        ideas = state.ideas
        await connection.execute(
            self._ideas, iid, [i.id for i in ideas], list(range(len(ideas))),
            [i.submitted_by for i in ideas], [i.submitted_at for i in ideas],
            [month_of(i.submitted_at) for i in ideas], [i.status.value for i in ideas],
            [i.triage_due_at for i in ideas], [i.triaged_at for i in ideas],
            [len(i.supporters) for i in ideas])

    async def backfill(self, connection: asyncpg.Connection) -> None:
        """Rows for every initiative the portfolio read model already folds, a batch at a time
        (in one transaction)."""
        async with connection.transaction():
            after = ""
            while batch := await connection.fetch(self._stored, after, _BACKFILL_BATCH):
                for _, state, regressions in batch:
                    await self.save(connection, InitiativeState.model_validate(state),
                                    regressions)
                after = batch[-1][0]


_KEY_TYPES = {"person": "text", "position": "integer", "idea_id": "text"}


def _replacing(schema: str, table: str, key: str, columns: dict[str, str]) -> str:
    """One statement that leaves exactly the given rows of an initiative in `table`: $1 the
    initiative, $2 the keys, then one array per column. The rows no longer given are deleted;
    the others upserted (a deletion and an insert of one key in one statement would clash)."""
    names = [key, *columns]
    types = [_KEY_TYPES[key], *columns.values()]
    arrays = ", ".join(f"${n}::{t}[]" for n, t in enumerate(types, start=2))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    return (
        f"WITH given ({', '.join(names)}) AS (SELECT * FROM unnest({arrays})), "
        f"gone AS (DELETE FROM {schema}.{table} AS t WHERE t.initiative_id = $1 AND NOT EXISTS "
        f"(SELECT 1 FROM given WHERE given.{key} = t.{key})) "
        f"INSERT INTO {schema}.{table} (initiative_id, {', '.join(names)}) "
        f"SELECT $1, * FROM given ON CONFLICT (initiative_id, {key}) DO "
        + (f"UPDATE SET {updates}" if columns else "NOTHING"))


def figures_values(state: InitiativeState, part: EntryFigures) -> tuple[Any, ...]:
    """The `portfolio_figures` row of an initiative: `part` is what it adds without its ideas."""
    spec = state.require_spec()
    gain = part.benefit
    return (
        state.initiative_id, state.version, spec.name, state.phase.value, spec.pmo, spec.sponsor,
        state.owner, state.updated_at, state.is_open,
        min((c.due_at for c in part.pending), default=None), part.held,
        part.open_regression.model_dump_json() if part.open_regression else None,
        part.stuck.model_dump_json() if part.stuck else None,
        gain.currency if gain else None, gain.claimed if gain else None,
        gain.verified if gain else None, gain.lost if gain else None,
        spec.ideas.triage_within.total_seconds(), state.launched_at, state.closed_at)
