"""Writing what one initiative adds to the portfolio's figures (`domain.portfolio.entry_figures`)
into the rows the portfolio page sums with SQL (migration 0013): by the projections, in the
append's transaction, and once for every stored initiative when the tables are new.

An initiative's own stream writes its `portfolio_figures` row and the rows beside it; its ideas,
from either stream, go to `portfolio_ideas`. The figures row also holds its ideas' sums: the
pull stream moves them by what each append changed, the initiative's own stream (whose ideas
date from before pull had a stream) sums them again. So a request reads one row per initiative
for all its ideas add, bar the median time to triage and the triage still owed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from domain import InitiativeState
from domain.portfolio import EntryFigures, PortfolioEntry, entry_figures
from domain.pull import month_of
from domain.state import IdeaState, IdeaStatus

from .migrations import quote_schema
from .models import Connection
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
        figures = ", ".join(f"${n}" for n in range(1, 21)).replace(
            "$12", "$12::text::jsonb").replace("$13", "$13::text::jsonb")
        # The initiative's own rows, in one statement: one round trip in the append. The
        # filters repeated beside the row are its own ($4 to $7: phase, PMO, sponsor, owner).
        shared = "$4, $5, $6, $7"
        kept, after = _replacing(s, "portfolio_kept", "person", {
            "on_time": "integer", "late": "integer"}, _SHARED, shared, 21)
        pending, after = _replacing(s, "portfolio_pending", "position", {
            "kind": "text", "subject": "text", "person": "text", "due_at": "timestamptz"},
            (*_SHARED, "updated_at"), f"{shared}, $8", after)
        state_ideas = ", ".join(f"${n}::{t}[]" for n, t in enumerate(_IDEA_COLUMNS.values(),
                                                                        start=after + 2))
        names = ", ".join(_IDEA_COLUMNS)
        idea_updates = _updates(("source", "version", *_IDEA_COLUMNS, *_SHARED))
        # An idea the pull stream holds keeps its own, and takes only the filters.
        state_updates = ", ".join(
            [f"{c} = CASE WHEN t.source = 'state' THEN EXCLUDED.{c} ELSE t.{c} END"
             for c in ("version", *_IDEA_COLUMNS)] + [f"{c} = EXCLUDED.{c}" for c in _SHARED])
        self._own = (
            f"WITH figures AS (INSERT INTO {s}.portfolio_figures AS f ({_FIGURES_COLUMNS}) "
            f"VALUES ({figures}) ON CONFLICT (initiative_id) DO UPDATE SET "
            f"{_updates(_FIGURES_COLUMNS.split(', ')[1:])} WHERE f.version <= EXCLUDED.version "
            f"RETURNING xmax = 0 AS inserted), {kept}, {pending}, "
            # Its front line, and whether each of them submitted an idea to it (the parameter
            # after the front line: who did so on the initiative's own stream).
            f"front_line (person) AS (SELECT * FROM unnest(${after}::text[])), "
            f"front_line_gone AS (DELETE FROM {s}.portfolio_front_line AS t "
            "WHERE t.initiative_id = $1 AND NOT EXISTS (SELECT 1 FROM front_line AS g "
            "WHERE g.person = t.person)), "
            f"front_line_put AS (INSERT INTO {s}.portfolio_front_line AS t (initiative_id, "
            f"person, submitted, {', '.join(_SHARED)}) SELECT $1, g.person, "
            f"g.person = ANY(${after + 1}::text[]) OR EXISTS (SELECT 1 "
            f"FROM {s}.portfolio_ideas AS i WHERE i.submitted_by = g.person "
            f"AND i.initiative_id = $1), {shared} FROM front_line AS g "
            "ON CONFLICT (initiative_id, person) DO UPDATE SET submitted = EXCLUDED.submitted, "
            f"{_updates(_SHARED)}), "
            # Ideas recorded with the initiative itself: never over the pull stream's.
            f"state_ideas ({names}) AS (SELECT * FROM unnest({state_ideas})), "
            f"state_ideas_gone AS (DELETE FROM {s}.portfolio_ideas AS t "
            "WHERE t.initiative_id = $1 AND t.source = 'state' AND NOT EXISTS "
            "(SELECT 1 FROM state_ideas AS g WHERE g.idea_id = t.idea_id) RETURNING 1), "
            f"state_ideas_put AS (INSERT INTO {s}.portfolio_ideas AS t (initiative_id, source, "
            f"version, {names}, {', '.join(_SHARED)}) SELECT $1, 'state', 0, g.*, {shared} "
            "FROM state_ideas AS g ON CONFLICT (initiative_id, idea_id) "
            f"DO UPDATE SET {state_updates} RETURNING 1), "
            # The pull stream's other ideas follow the initiative's filters too (one statement
            # may change a row once: those above already do).
            f"pull_ideas AS (UPDATE {s}.portfolio_ideas SET phase = $4, pmo = $5, "
            "sponsor = $6, owner = $7 WHERE initiative_id = $1 AND source = 'pull' "
            "AND (phase, pmo, sponsor, owner) IS DISTINCT FROM ($4, $5, $6, $7) "
            f"AND idea_id <> ALL(${after + 2}::text[])) "
            "SELECT coalesce((SELECT bool_or(inserted) FROM figures), false) "
            "OR EXISTS (SELECT 1 FROM state_ideas_gone) OR EXISTS (SELECT 1 FROM state_ideas_put)")
        # The pull stream's: they win over the initiative's own, and move forward only; the
        # initiative's filters come from its row. Its sums move by what the written ideas
        # changed, and its earliest dates are read by index: an idea's append costs the same
        # beside five thousand ideas as beside ten.
        pulled = ", ".join(f"${n}::{t}[]" for n, t in enumerate(_IDEA_COLUMNS.values(), start=3))
        counted = ", ".join(
            [f"count(*) FILTER (WHERE status = '{status.value}') AS {status.value}"
             for status in IdeaStatus]
            + ["count(triaged_at) AS triaged",
               "count(*) FILTER (WHERE triaged_at <= triage_due_at) AS within",
               "coalesce(sum(supporters), 0) AS supports",
               "count(*) FILTER (WHERE on_time) AS on_time",
               "count(*) FILTER (WHERE NOT on_time) AS late"])
        moved = {f"ideas_{status.value}": status.value for status in IdeaStatus} | {
            "ideas_triaged": "triaged", "ideas_within": "within", "ideas_supports": "supports",
            "triage_on_time": "on_time", "triage_late": "late"}
        pending = IdeaStatus.PENDING.value
        self._pull_ideas = (
            f"WITH given ({names}) AS (SELECT * FROM unnest({pulled})), "
            f"old AS (SELECT i.* FROM {s}.portfolio_ideas AS i WHERE i.initiative_id = $1 "
            "AND i.idea_id IN (SELECT idea_id FROM given)), "
            f"put AS (INSERT INTO {s}.portfolio_ideas AS t (initiative_id, source, version, "
            f"{names}, {', '.join(_SHARED)}) SELECT $1, 'pull', $2, g.*, f.phase, f.pmo, "
            f"f.sponsor, f.owner FROM given AS g LEFT JOIN {s}.portfolio_figures AS f "
            "ON f.initiative_id = $1 "
            f"ON CONFLICT (initiative_id, idea_id) DO UPDATE SET {idea_updates} "
            "WHERE t.source = 'state' OR t.version < EXCLUDED.version RETURNING t.*), "
            "was AS (SELECT * FROM old WHERE idea_id IN (SELECT idea_id FROM put)), "
            "new_months AS (SELECT month, count(*) AS ideas FROM put "
            "WHERE idea_id NOT IN (SELECT idea_id FROM old) GROUP BY month), "
            f"submitted AS (UPDATE {s}.portfolio_front_line SET submitted = true "
            "WHERE initiative_id = $1 AND person IN (SELECT submitted_by FROM put) "
            "AND NOT submitted) "
            f"UPDATE {s}.portfolio_figures AS f SET "
            + ", ".join(f"{column} = f.{column} + d.{delta} - w.{delta}"
                        for column, delta in moved.items())
            + ", oldest_pending_idea = LEAST((SELECT min(i.submitted_at) "
            f"FROM {s}.portfolio_ideas AS i WHERE i.initiative_id = $1 "
            f"AND i.status = '{pending}' AND i.idea_id NOT IN (SELECT idea_id FROM put)), "
            f"(SELECT min(submitted_at) FROM put WHERE status = '{pending}')), "
            f"next_triage_due = LEAST((SELECT min(i.triage_due_at) FROM {s}.portfolio_ideas "
            "AS i WHERE i.initiative_id = $1 AND i.owed AND i.idea_id NOT IN "
            "(SELECT idea_id FROM put)), (SELECT min(triage_due_at) FROM put WHERE owed)), "
            "idea_months = f.idea_months || coalesce((SELECT jsonb_object_agg(m.month, "
            "coalesce((f.idea_months->>m.month)::integer, 0) + m.ideas) FROM new_months AS m), "
            f"'{{}}') FROM (SELECT {counted} FROM put) AS d, (SELECT {counted} FROM was) AS w "
            "WHERE f.initiative_id = $1")
        status = {status: f"count(*) FILTER (WHERE status = '{status.value}')"
                  for status in IdeaStatus}
        self._summed = (
            f"UPDATE {s}.portfolio_figures SET (ideas_pending, ideas_adopted, ideas_declined, "
            "ideas_delivered, ideas_duplicate, ideas_triaged, ideas_within, ideas_supports, "
            "oldest_pending_idea, triage_on_time, triage_late, next_triage_due, idea_months) = ("
            f"SELECT {status[IdeaStatus.PENDING]}, {status[IdeaStatus.ADOPTED]}, "
            f"{status[IdeaStatus.DECLINED]}, {status[IdeaStatus.DELIVERED]}, "
            f"{status[IdeaStatus.DUPLICATE]}, count(triaged_at), "
            "count(*) FILTER (WHERE triaged_at <= triage_due_at), coalesce(sum(supporters), 0), "
            f"min(submitted_at) FILTER (WHERE status = '{IdeaStatus.PENDING.value}'), "
            "count(*) FILTER (WHERE on_time), count(*) FILTER (WHERE NOT on_time), "
            "min(triage_due_at) FILTER (WHERE owed), "
            "coalesce((SELECT jsonb_object_agg(month, ideas) FROM (SELECT month, count(*) AS "
            f"ideas FROM {s}.portfolio_ideas WHERE initiative_id = $1 GROUP BY month) AS m), "
            f"'{{}}') FROM {s}.portfolio_ideas WHERE initiative_id = $1) "
            "WHERE initiative_id = $1")
        self._stored = (f"SELECT initiative_id, state::text, regressions "
                        f"FROM {s}.portfolio_initiatives WHERE initiative_id > $1 "
                        "ORDER BY initiative_id LIMIT $2")

    async def save(self, connection: Connection, state: InitiativeState,
                   regressions: int) -> None:
        """Replace the initiative's rows with what its state adds now (in the caller's
        transaction). The ideas of its pull stream are that stream's to write."""
        if state.spec is None:
            return
        iid = state.initiative_id
        # Without its ideas: what they add comes from their rows.
        part = entry_figures(PortfolioEntry(state.model_copy(update={"ideas": ()}), regressions))
        pending, ideas = part.pending, state.ideas
        sums_moved = await connection.fetchval(
            self._own, *figures_values(state, part),
            list(part.kept), [k[0] for k in part.kept.values()],
            [k[1] for k in part.kept.values()],
            list(range(len(pending))), [c.kind for c in pending], [c.subject for c in pending],
            [c.person for c in pending], [c.due_at for c in pending],
            sorted(set(state.front_line or ())), sorted({i.submitted_by for i in ideas}),
            *idea_columns(ideas, range(len(ideas))))
        if sums_moved:  # a new row, or ideas of its own that changed: their sums, again
            await connection.execute(self._summed, iid)

    async def pull_ideas_changed(self, connection: Connection, initiative_id: str,
                                 ideas: Sequence[IdeaState], version: int) -> None:
        """The ideas an append to the initiative's pull stream changed, as they stand now."""
        if not ideas:
            return
        await connection.execute(self._pull_ideas, initiative_id, version,
                                 *idea_columns(ideas, [PULL_POSITIONS + idea_number(i.id)
                                                       for i in ideas]))

    async def backfill(self, connection: Connection) -> None:
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
               shared: Sequence[str], shared_values: str, first: int) -> tuple[str, int]:
    """Common table expressions that leave exactly the given rows of the initiative ($1) in
    `table`: one array parameter per column from `first` on, the key's first; the `shared`
    columns take `shared_values`, the same on every row. The rows no longer given are deleted,
    the others upserted (a deletion and an insert of one key in one statement would clash).
    Returns them and the next parameter's number."""
    names = [key, *columns]
    types = [_KEY_TYPES[key], *columns.values()]
    arrays = ", ".join(f"${n}::{t}[]" for n, t in enumerate(types, start=first))
    return (
        f"{table}_given ({', '.join(names)}) AS (SELECT * FROM unnest({arrays})), "
        f"{table}_gone AS (DELETE FROM {schema}.{table} AS t WHERE t.initiative_id = $1 "
        f"AND NOT EXISTS (SELECT 1 FROM {table}_given AS g WHERE g.{key} = t.{key})), "
        f"{table}_put AS (INSERT INTO {schema}.{table} (initiative_id, {', '.join(names)}, "
        f"{', '.join(shared)}) SELECT $1, g.*, {shared_values} FROM {table}_given AS g "
        f"ON CONFLICT (initiative_id, {key}) DO UPDATE SET {_updates([*columns, *shared])})",
        first + len(types))


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
