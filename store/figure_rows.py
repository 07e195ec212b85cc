"""Writing what one initiative adds to the portfolio's figures (`domain.portfolio.entry_figures`)
into the rows the portfolio page sums with SQL (migration 0013): by the projections, in the
append's transaction, and once for every stored initiative when the tables are new.

An initiative's own stream writes its `portfolio_figures` row and the rows beside it; its ideas,
from either stream, go to `portfolio_ideas`, and whichever stream changed them sums them again
into the figures row (a statement over that initiative's ideas alone), so a request reads one
row per initiative for all that its ideas add, bar the median time to triage and what is owed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

from domain import InitiativeState
from domain.portfolio import EntryFigures, PortfolioEntry, entry_figures
from domain.pull import month_of
from domain.state import IdeaState, IdeaStatus

from .migrations import quote_schema
from .pull import idea_number

# The migration that creates the tables; the store fills them from the portfolio once applied.
PORTFOLIO_FIGURES_MIGRATION = "portfolio_figures"
PULL_POSITIONS = 1_000_000  # a pull stream's ideas come after those recorded with the initiative
_FIGURES_COLUMNS = (
    "initiative_id, version, name, phase, pmo, sponsor, owner, updated_at, is_open, next_due_at, "
    "held, open_regression, stuck, benefit_currency, benefit_claimed, benefit_verified, "
    "benefit_lost, triage_within_s, launched_at, closed_at")
_IDEA_COLUMNS = {
    "idea_id": "text", "position": "integer", "submitted_by": "text",
    "submitted_at": "timestamptz", "month": "text", "status": "text",
    "triage_due_at": "timestamptz", "triaged_at": "timestamptz", "owed": "boolean",
    "on_time": "boolean", "triage_seconds": "float8", "supporters": "integer"}
_KEY_TYPES = {"person": "text", "position": "integer"}
# The initiative's filters, repeated on the rows beside its own.
_SHARED = ("phase", "pmo", "sponsor", "owner")
_BACKFILL_BATCH = 500


class FigureRows:
    """The rows of one initiative, replaced whenever one of its streams records anything."""

    def __init__(self, schema: str) -> None:
        s = quote_schema(schema)
        updates = _updates(_FIGURES_COLUMNS.split(", ")[1:])
        self._figures = (
            f"INSERT INTO {s}.portfolio_figures AS f ({_FIGURES_COLUMNS}) VALUES ($1, $2, $3, "
            "$4, $5, $6, $7, $8, $9, $10, $11, $12::text::jsonb, $13::text::jsonb, $14, $15, "
            "$16, $17, $18, $19, $20) "
            f"ON CONFLICT (initiative_id) DO UPDATE SET {updates} "
            "WHERE f.version <= EXCLUDED.version")
        self._kept = _replacing(s, "portfolio_kept", "person", {
            "on_time": "integer", "late": "integer"}, _SHARED)
        self._pending = _replacing(s, "portfolio_pending", "position", {
            "kind": "text", "subject": "text", "person": "text", "due_at": "timestamptz"},
            (*_SHARED, "updated_at"))
        names = ", ".join(_IDEA_COLUMNS)
        arrays = ", ".join(f"${n}::{t}[]" for n, t in enumerate(_IDEA_COLUMNS.values(), start=3))
        ideas = f"SELECT * FROM unnest({arrays})"
        idea_updates = _updates(("source", "version", *_IDEA_COLUMNS))
        # Those recorded with the initiative ($2, their version, is 0): never over the pull's.
        self._state_ideas = (
            f"WITH given ({names}) AS ({ideas}), "
            f"gone AS (DELETE FROM {s}.portfolio_ideas AS t WHERE t.initiative_id = $1 "
            "AND t.source = 'state' AND NOT EXISTS "
            "(SELECT 1 FROM given WHERE given.idea_id = t.idea_id)) "
            f"INSERT INTO {s}.portfolio_ideas AS t (initiative_id, source, version, {names}) "
            "SELECT $1, 'state', $2, * FROM given ON CONFLICT (initiative_id, idea_id) "
            f"DO UPDATE SET {idea_updates} WHERE t.source = 'state'")
        # The pull stream's: they win over the initiative's own, and move forward only.
        self._pull_ideas = (
            f"INSERT INTO {s}.portfolio_ideas AS t (initiative_id, source, version, {names}) "
            f"SELECT $1, 'pull', $2, * FROM ({ideas}) AS given "
            f"ON CONFLICT (initiative_id, idea_id) DO UPDATE SET {idea_updates} "
            "WHERE t.source = 'state' OR t.version < EXCLUDED.version")
        shared = ", ".join(_SHARED)
        self._front_line = (
            "WITH given (person) AS (SELECT * FROM unnest($2::text[])), "
            f"gone AS (DELETE FROM {s}.portfolio_front_line AS t WHERE t.initiative_id = $1 "
            "AND NOT EXISTS (SELECT 1 FROM given WHERE given.person = t.person)) "
            f"INSERT INTO {s}.portfolio_front_line (initiative_id, person, submitted, {shared}) "
            f"SELECT $1, person, EXISTS (SELECT 1 FROM {s}.portfolio_ideas AS i "
            "WHERE i.initiative_id = $1 AND i.submitted_by = given.person), $3, $4, $5, $6 "
            "FROM given ON CONFLICT (initiative_id, person) DO UPDATE SET "
            f"submitted = EXCLUDED.submitted, {_updates(_SHARED)}")
        self._submitted = (f"UPDATE {s}.portfolio_front_line SET submitted = true "
                           "WHERE initiative_id = $1 AND person = ANY($2::text[]) "
                           "AND NOT submitted")
        status = {status: f"count(*) FILTER (WHERE status = '{status.value}')"
                  for status in IdeaStatus}
        self._summed = (
            f"UPDATE {s}.portfolio_figures SET (ideas_pending, ideas_adopted, ideas_declined, "
            "ideas_delivered, ideas_duplicate, ideas_triaged, ideas_within, ideas_supports, "
            "oldest_pending_idea, triage_on_time, triage_late, next_triage_due, idea_months, "
            "owed_triage_ideas, owed_triage_dues, owed_triage_places) = ("
            f"SELECT {status[IdeaStatus.PENDING]}, {status[IdeaStatus.ADOPTED]}, "
            f"{status[IdeaStatus.DECLINED]}, {status[IdeaStatus.DELIVERED]}, "
            f"{status[IdeaStatus.DUPLICATE]}, count(triaged_at), "
            "count(*) FILTER (WHERE triaged_at <= triage_due_at), coalesce(sum(supporters), 0), "
            f"min(submitted_at) FILTER (WHERE status = '{IdeaStatus.PENDING.value}'), "
            "count(*) FILTER (WHERE on_time), count(*) FILTER (WHERE NOT on_time), "
            "min(triage_due_at) FILTER (WHERE owed), "
            "coalesce((SELECT jsonb_object_agg(month, ideas) FROM (SELECT month, count(*) AS "
            f"ideas FROM {s}.portfolio_ideas WHERE initiative_id = $1 GROUP BY month) AS m), "
            "'{}'), "
            + ", ".join(f"coalesce(array_agg({column} ORDER BY position) FILTER (WHERE owed), "
                        "'{}')" for column in ("idea_id", "triage_due_at", "position"))
            + f" FROM {s}.portfolio_ideas WHERE initiative_id = $1) "
            "WHERE initiative_id = $1")
        self._filters = (
            f"UPDATE {s}.portfolio_ideas SET phase = $2, pmo = $3, sponsor = $4, owner = $5 "
            "WHERE initiative_id = $1 AND (phase, pmo, sponsor, owner) IS DISTINCT FROM "
            "($2, $3, $4, $5)")
        # A pull stream's new ideas take them from the initiative's row.
        self._pull_filters = (
            f"UPDATE {s}.portfolio_ideas AS i SET phase = f.phase, pmo = f.pmo, "
            f"sponsor = f.sponsor, owner = f.owner FROM {s}.portfolio_figures AS f "
            "WHERE i.initiative_id = $1 AND f.initiative_id = $1 AND i.idea_id = ANY($2) "
            "AND (i.phase, i.pmo, i.sponsor, i.owner) IS DISTINCT FROM "
            "(f.phase, f.pmo, f.sponsor, f.owner)")
        self._stored = (f"SELECT initiative_id, state::text, regressions "
                        f"FROM {s}.portfolio_initiatives WHERE initiative_id > $1 "
                        "ORDER BY initiative_id LIMIT $2")

    async def save(self, connection: asyncpg.Connection, state: InitiativeState,
                   regressions: int) -> None:
        """Replace the initiative's rows with what its state adds now (in the caller's
        transaction). The ideas of its pull stream are that stream's to write."""
        if state.spec is None:
            return
        iid = state.initiative_id
        # Without its ideas: what they add comes from their rows.
        part = entry_figures(PortfolioEntry(state.model_copy(update={"ideas": ()}), regressions))
        await connection.execute(self._figures, *figures_values(state, part))
        spec = state.require_spec()
        shared = (state.phase.value, spec.pmo, spec.sponsor, state.owner)
        await connection.execute(self._kept, iid, list(part.kept),
                                 [k[0] for k in part.kept.values()],
                                 [k[1] for k in part.kept.values()], *shared)
        pending = part.pending
        await connection.execute(
            self._pending, iid, list(range(len(pending))), [c.kind for c in pending],
            [c.subject for c in pending], [c.person for c in pending],
            [c.due_at for c in pending], *shared, state.updated_at)
        await connection.execute(self._state_ideas, iid, 0, *idea_columns(
            state.ideas, range(len(state.ideas))))
        await connection.execute(self._front_line, iid, sorted(set(state.front_line or ())),
                                 *shared)
        await connection.execute(self._filters, iid, *shared)
        await connection.execute(self._summed, iid)

    async def pull_ideas_changed(self, connection: asyncpg.Connection, initiative_id: str,
                                 ideas: Sequence[IdeaState], version: int) -> None:
        """The ideas an append to the initiative's pull stream changed, as they stand now."""
        if not ideas:
            return
        await connection.execute(self._pull_ideas, initiative_id, version,
                                 *idea_columns(ideas, [PULL_POSITIONS + idea_number(i.id)
                                                       for i in ideas]))
        await connection.execute(self._pull_filters, initiative_id, [i.id for i in ideas])
        await connection.execute(self._submitted, initiative_id,
                                 sorted({idea.submitted_by for idea in ideas}))
        await connection.execute(self._summed, initiative_id)

    async def backfill(self, connection: asyncpg.Connection) -> None:
        """Rows for every initiative the portfolio read model already folds, a batch at a time
        (in one transaction)."""
        async with connection.transaction():
            after = ""
            while batch := await connection.fetch(self._stored, after, _BACKFILL_BATCH):
                for _, state, regressions in batch:
                    await self.save(connection, InitiativeState.model_validate_json(state),
                                    regressions)
                after = batch[-1][0]


def _replacing(schema: str, table: str, key: str, columns: dict[str, str],
               shared: Sequence[str]) -> str:
    """One statement that leaves exactly the given rows of an initiative in `table`: $1 the
    initiative, $2 the keys, then one array per column, then one value per `shared` column (the
    same on every row). The rows no longer given are deleted; the others upserted (a deletion
    and an insert of one key in one statement would clash)."""
    names = [key, *columns]
    types = [_KEY_TYPES[key], *columns.values()]
    arrays = ", ".join(f"${n}::{t}[]" for n, t in enumerate(types, start=2))
    values = ", ".join(f"${n}" for n in range(len(types) + 2, len(types) + 2 + len(shared)))
    return (
        f"WITH given ({', '.join(names)}) AS (SELECT * FROM unnest({arrays})), "
        f"gone AS (DELETE FROM {schema}.{table} AS t WHERE t.initiative_id = $1 AND NOT EXISTS "
        f"(SELECT 1 FROM given WHERE given.{key} = t.{key})) "
        f"INSERT INTO {schema}.{table} (initiative_id, {', '.join(names)}, {', '.join(shared)}) "
        f"SELECT $1, *, {values} FROM given ON CONFLICT (initiative_id, {key}) DO UPDATE SET "
        f"{_updates([*columns, *shared])}")


def _updates(columns: Iterable[str]) -> str:
    return ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)


def idea_columns(ideas: Sequence[IdeaState], positions: Sequence[int]) -> list[list[Any]]:
    """The `portfolio_ideas` columns of these ideas, one list per column. An idea's triage is
    the owner's commitment (`domain.commitments`): made once it is answered."""
    made = [i.triaged_at if i.status is not IdeaStatus.PENDING else None for i in ideas]
    return [
        [i.id for i in ideas], list(positions),
        [i.submitted_by for i in ideas], [i.submitted_at for i in ideas],
        [month_of(i.submitted_at) for i in ideas], [i.status.value for i in ideas],
        [i.triage_due_at for i in ideas], [i.triaged_at for i in ideas],
        [at is None for at in made],
        [None if at is None else at <= i.triage_due_at for at, i in zip(made, ideas, strict=True)],
        [None if i.triaged_at is None else (i.triaged_at - i.submitted_at).total_seconds()
         for i in ideas],
        [len(i.supporters) for i in ideas]]


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
