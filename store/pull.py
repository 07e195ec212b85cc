"""The `pull_ideas` read model: one row per idea, written with the pull stream's events.

The projection reads back only the rows an append's events name and writes only the rows they
change, so recording the 5,000th idea of an initiative costs what recording the first did. The
readers answer the engine's questions (`slice` for a decision, `next_triage` for its timer) and
the doors' (an initiative's ideas, a person's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import asyncpg

from domain.envelope import Event
from domain.events import payload_of
from domain.pull_ideas import apply_to_ideas, ideas_named
from domain.pull_rules import PullSlice
from domain.pull_stream import PULL_STREAMS_LIKE, initiative_of_pull, pull_stream_id
from domain.state import IdeaState
from domain.upcasting import upcast
from domain.work import WorkItem, triage_item

from .migrations import quote_schema
from .models import Connection, RecordedEvent
from .work import WorkItems

_IDEA_COLUMNS = ("initiative_id, idea_id, number, submitted_by, submitted_at, status, "
                 "triage_due_at, escalated, version, state")


class TriageDue(NamedTuple):
    idea_id: str
    due_at: datetime
    submitted_at: datetime


def idea_number(idea_id: str) -> int:
    """Ideas are numbered as they come, "idea-1", "idea-2"...; 0 for any other name."""
    _, _, number = idea_id.rpartition("-")
    return int(number) if number.isdigit() else 0


class PullIdeas:
    """The projection (`project`, for the store's append of a pull stream) and its readers."""

    def __init__(self, schema: str) -> None:
        s = quote_schema(schema)
        self._work = WorkItems(schema)
        self._named = (f"SELECT state FROM {s}.pull_ideas WHERE initiative_id = $1 "
                       "AND idea_id = ANY($2::text[]) FOR UPDATE")
        # unnest of many arrays keeps them side by side; the state goes as text, cast per row.
        self._save = (
            f"INSERT INTO {s}.pull_ideas AS p ({_IDEA_COLUMNS}) "
            "SELECT $1, idea_id, number, submitted_by, submitted_at, status, triage_due_at, "
            "escalated, $9, state::jsonb FROM unnest($2::text[], $3::integer[], $4::text[], "
            "$5::timestamptz[], $6::text[], $7::timestamptz[], $8::boolean[], $10::text[]) "
            "AS t(idea_id, number, submitted_by, submitted_at, status, triage_due_at, "
            "escalated, state) ON CONFLICT (initiative_id, idea_id) DO UPDATE SET "
            "status = EXCLUDED.status, escalated = EXCLUDED.escalated, "
            "triage_due_at = EXCLUDED.triage_due_at, version = EXCLUDED.version, "
            "state = EXCLUDED.state WHERE p.version < EXCLUDED.version")
        self._initiative = (f"SELECT name, owner, phase FROM {s}.portfolio_initiatives "
                            "WHERE initiative_id = $1")
        self._slice = (
            f"SELECT (SELECT version FROM {s}.streams WHERE stream_id = $2) AS version, "
            f"(SELECT max(number) FROM {s}.pull_ideas WHERE initiative_id = $1) AS submitted, "
            f"ARRAY(SELECT state::text FROM {s}.pull_ideas WHERE initiative_id = $1 "
            "AND idea_id = ANY($3::text[])) AS ideas, "
            f"ARRAY(SELECT submitted_at FROM {s}.pull_ideas WHERE submitted_by = $4 "
            "AND submitted_at > $5 AND initiative_id = $1 ORDER BY submitted_at) AS recent")
        # Both of the engine's next dues in one round trip: the idea whose triage falls due
        # first, of those not yet answered or escalated, and of those the owner was not yet
        # reminded of; each as (idea_id, triage_due_at, submitted_at).
        waiting = (f"FROM {s}.pull_ideas WHERE initiative_id = $1 AND status = 'pending' "
                   "AND NOT escalated")
        self._next_dues = (
            f"SELECT (SELECT ROW(idea_id, triage_due_at, submitted_at) {waiting} "
            "ORDER BY triage_due_at, number LIMIT 1) AS triage, "
            f"(SELECT ROW(idea_id, triage_due_at, submitted_at) {waiting} "
            "AND (state->>'reminded')::boolean IS NOT TRUE ORDER BY triage_due_at, number "
            "LIMIT 1) AS reminder")
        self._of_initiatives = (
            f"SELECT initiative_id, state::text FROM {s}.pull_ideas "
            "WHERE initiative_id = ANY($1::text[]) ORDER BY initiative_id, number")
        self._all = (f"SELECT initiative_id, state::text FROM {s}.pull_ideas "
                     "ORDER BY initiative_id, number")
        # Figures need what became of each idea, not what it says: the text is left out.
        self._facts = (f"SELECT initiative_id, jsonb_set(state, '{{text}}', '\"\"')::text "
                       f"FROM {s}.pull_ideas WHERE initiative_id = $1 ORDER BY number")
        # A page: the pending ideas the owner should see first, and the newest answered ones.
        self._page = (
            f"(SELECT number, state::text FROM {s}.pull_ideas WHERE initiative_id = $1 "
            "AND status = 'pending' ORDER BY jsonb_array_length(state->'supporters') DESC, "
            f"number LIMIT $2) UNION ALL (SELECT number, state::text FROM {s}.pull_ideas "
            "WHERE initiative_id = $1 AND status <> 'pending' ORDER BY number DESC LIMIT $2) "
            "ORDER BY number")
        # One page of all of them, in the order they came, from after a number.
        self._listing = (
            f"SELECT state::text FROM {s}.pull_ideas WHERE initiative_id = $1 AND number > $2 "
            "AND ($3::text[] IS NULL OR status = ANY($3::text[])) ORDER BY number LIMIT $4")
        # The best of many initiatives' ideas for a list across them (most supported, then the
        # oldest), with how many there are in all; `$3` is left out as their submitter.
        self._best_across = (
            f"SELECT initiative_id, state::text, count(*) OVER () FROM {s}.pull_ideas "
            "WHERE initiative_id = ANY($1::text[]) AND status = ANY($2::text[]) "
            "AND submitted_by <> $3 ORDER BY jsonb_array_length(state->'supporters') DESC, "
            "submitted_at, initiative_id, number LIMIT $4")
        self._of_person = (f"SELECT initiative_id, state::text FROM {s}.pull_ideas "
                           "WHERE submitted_by = $1 ORDER BY initiative_id, number")
        self._versions = (f"SELECT stream_id, version FROM {s}.streams "
                          f"WHERE stream_id LIKE '{PULL_STREAMS_LIKE}'")

    # -- the projection ----------------------------------------------------------------------

    async def project(self, connection: Connection,
                      recorded: Sequence[RecordedEvent]) -> list[IdeaState]:
        """Returns the ideas the events changed, as they stand now."""
        if not recorded:
            return []
        initiative_id = initiative_of_pull(recorded[0].stream_id)
        if initiative_id is None:
            raise ValueError(f"{recorded[0].stream_id!r} is not a pull stream")
        changed = await self._fold(connection, initiative_id, [r.event for r in recorded])
        if not changed:
            return []
        ideas = list(changed.values())
        await connection.execute(
            self._save, initiative_id, [i.id for i in ideas],
            [idea_number(i.id) for i in ideas], [i.submitted_by for i in ideas],
            [i.submitted_at for i in ideas], [i.status.value for i in ideas],
            [i.triage_due_at for i in ideas], [i.escalated for i in ideas],
            recorded[-1].version, [i.model_dump_json() for i in ideas])
        await self._save_work(connection, initiative_id, ideas)
        return ideas

    async def _fold(self, connection: Connection, initiative_id: str,
                    events: Sequence[Event]) -> dict[str, IdeaState]:
        payloads = [payload_of(upcast(event)) for event in events]
        named = sorted({idea for payload in payloads for idea in ideas_named(payload)})
        known = {idea.id: idea for idea in (
            IdeaState.model_validate(row["state"])
            for row in await connection.fetch(self._named, initiative_id, named))}
        changed: dict[str, IdeaState] = {}
        for payload, event in zip(payloads, events, strict=True):
            now_changed = apply_to_ideas(known, payload, event)
            known.update(now_changed)
            changed.update(now_changed)
        return changed

    async def _save_work(self, connection: Connection, initiative_id: str,
                         ideas: Iterable[IdeaState]) -> None:
        row = await connection.fetchrow(self._initiative, initiative_id)
        if row is None:
            return
        owed: list[WorkItem] = []
        answered: list[str] = []
        for idea in ideas:
            item = triage_item(initiative_id, row["name"], row["owner"], idea)
            if item is None:
                answered.append(idea.id)
            else:
                owed.append(item)
        await self._work.save_triage(connection, owed, answered, initiative_id)

    # -- readers -----------------------------------------------------------------------------

    async def slice(self, pool: asyncpg.Pool, initiative_id: str, idea_ids: Sequence[str],
                    actor: str, since: datetime) -> PullSlice:
        """What a decision on the pull stream reads: see `PullSlice`."""
        row = await pool.fetchrow(self._slice, initiative_id, pull_stream_id(initiative_id),
                                  list(idea_ids), actor, since)
        assert row is not None  # a SELECT of subqueries always has its one row
        return PullSlice(version=row["version"] or 0, submitted=row["submitted"] or 0,
                         ideas=tuple(IdeaState.model_validate_json(s) for s in row["ideas"]),
                         recent=tuple(row["recent"]))

    async def next_dues(self, pool: asyncpg.Pool,
                        initiative_id: str) -> tuple[TriageDue | None, TriageDue | None]:
        """The idea whose triage falls due first, of those not yet answered or escalated; and
        the same of those whose owner was not yet reminded."""
        row = await pool.fetchrow(self._next_dues, initiative_id)
        assert row is not None  # a SELECT of subqueries always has its one row
        return _triage_due(row["triage"]), _triage_due(row["reminder"])

    async def of_initiatives(self, pool: asyncpg.Pool | Connection,
                             initiative_ids: Iterable[str] | None = None,
                             ) -> dict[str, tuple[IdeaState, ...]]:
        """Each initiative's ideas in the order they came; every initiative's without ids."""
        if initiative_ids is None:
            rows = await pool.fetch(self._all)
        else:
            rows = await pool.fetch(self._of_initiatives, list(initiative_ids))
        return _grouped(rows)

    async def facts(self, pool: asyncpg.Pool, initiative_id: str) -> tuple[IdeaState, ...]:
        """Every idea of the initiative without its text: what the pull figures count."""
        return _grouped(await pool.fetch(self._facts, initiative_id)).get(initiative_id, ())

    async def page(self, pool: asyncpg.Pool, initiative_id: str,
                   limit: int) -> tuple[IdeaState, ...]:
        """At most `limit` pending ideas (most supported, then oldest) and `limit` answered
        ones (newest), in the order they came."""
        rows = await pool.fetch(self._page, initiative_id, limit)
        return tuple(IdeaState.model_validate_json(row[1]) for row in rows)

    async def listing(self, pool: asyncpg.Pool, initiative_id: str, after: int, limit: int,
                      statuses: Sequence[str] | None = None) -> tuple[IdeaState, ...]:
        """At most `limit` ideas numbered after `after`, in the order they came; of the given
        statuses only, when some are given."""
        rows = await pool.fetch(self._listing, initiative_id, after,
                                None if statuses is None else list(statuses), limit)
        return tuple(IdeaState.model_validate_json(row[0]) for row in rows)

    async def best_across(self, pool: asyncpg.Pool, initiative_ids: Sequence[str],
                          statuses: Sequence[str], excluding: str,
                          limit: int) -> tuple[list[tuple[str, IdeaState]], int]:
        """At most `limit` ideas of these initiatives and statuses, not submitted by
        `excluding`, most supported first, then the oldest, each with its initiative; and how
        many there are in all."""
        rows = await pool.fetch(self._best_across, list(initiative_ids), list(statuses),
                                excluding, limit)
        found = [(row[0], IdeaState.model_validate_json(row[1])) for row in rows]
        return found, rows[0][2] if rows else 0

    async def of_person(self, pool: asyncpg.Pool,
                        person: str) -> dict[str, tuple[IdeaState, ...]]:
        """The ideas `person` submitted, by initiative."""
        return _grouped(await pool.fetch(self._of_person, person))

    async def versions(self, pool: asyncpg.Pool | Connection) -> dict[str, int]:
        """Each initiative's pull stream version, for readers that keep what they read."""
        found = {}
        for row in await pool.fetch(self._versions):
            initiative_id = initiative_of_pull(row["stream_id"])
            if initiative_id is not None:
                found[initiative_id] = row["version"]
        return found


def _triage_due(found: asyncpg.Record | None) -> TriageDue | None:
    return None if found is None else TriageDue(found[0], found[1], found[2])


def _grouped(rows: Iterable[Any]) -> dict[str, tuple[IdeaState, ...]]:
    found: dict[str, list[IdeaState]] = {}
    for initiative_id, state in rows:
        found.setdefault(initiative_id, []).append(IdeaState.model_validate_json(state))
    return {initiative_id: tuple(ideas) for initiative_id, ideas in found.items()}
