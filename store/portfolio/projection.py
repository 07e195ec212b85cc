"""Keeping `portfolio_initiatives` in step with the event log, with the rows the portfolio's
figures are summed from (`figure_rows`), and, for a pull stream, the `pull_ideas` rows
(store/pull.py).

The projection runs inside the store's append transaction (the store's `project` hook): it folds
the new events onto the row's stored state with the domain's own `fold`, so the read model is
exactly the state the workflow holds, and commits or rolls back with the events themselves.
A row that is missing or behind (an initiative older than the table, a row someone deleted) is
rebuilt from the whole stream instead.

The states it last saved stay in memory for a while, each with the hash of the last event it
folded: an append that continues exactly that chain (the usual case, one worker per initiative)
folds onto the remembered state and moves the row on from that very version, without reading the
row back and validating its state again. Anything else, a row moved meanwhile included, takes the
reading way.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from domain import InitiativeState, fold
from domain import events as ev
from domain.commitments import commitments
from domain.envelope import Event
from domain.pull_stream import initiative_of_pull
from store import RecordedEvent
from store.figure_rows import FigureRows
from store.migrations import quote_schema
from store.models import Connection
from store.pull import PullIdeas
from store.rows import recorded_event
from store.statements import EVENT_COLUMNS
from store.work import WorkItems

REGRESSION_EVENT = ev.RegressionDetected.TYPE
REMEMBERED = 512  # states; a few MB of the worker's memory


class _Saved(NamedTuple):
    state: InitiativeState
    regressions: int
    head_hash: str  # of the last event folded into `state`


class PortfolioProjection:
    """The `project` callable for `EventStore.append`, bound to one schema."""

    def __init__(self, schema: str) -> None:
        s = quote_schema(schema)
        self._work = WorkItems(schema)
        self._figures = FigureRows(schema)
        self._current = (
            f"SELECT version, regressions, state FROM {s}.portfolio_initiatives "
            "WHERE initiative_id = $1 FOR UPDATE"
        )
        self._stream = (
            f"SELECT {EVENT_COLUMNS} FROM {s}.events WHERE stream_id = $1 ORDER BY version"
        )
        # The version guard keeps the row moving forward only, whichever of the append and a
        # reader's catch-up writes it first.
        self._save = (
            f"INSERT INTO {s}.portfolio_initiatives AS p (initiative_id, name, phase, owner, "
            "version, updated_at, regressions, next_due_at, state) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb) "
            "ON CONFLICT (initiative_id) DO UPDATE SET name = EXCLUDED.name, "
            "phase = EXCLUDED.phase, owner = EXCLUDED.owner, version = EXCLUDED.version, "
            "updated_at = EXCLUDED.updated_at, regressions = EXCLUDED.regressions, "
            "next_due_at = EXCLUDED.next_due_at, state = EXCLUDED.state "
            "WHERE p.version < EXCLUDED.version"
        )
        # From the remembered version only: a row that moved meanwhile is left to the above.
        self._advance = (
            f"UPDATE {s}.portfolio_initiatives SET name = $2, phase = $3, owner = $4, "
            "version = $5, updated_at = $6, regressions = $7, next_due_at = $8, "
            "state = $9::text::jsonb WHERE initiative_id = $1 AND version = $10"
        )
        self._saved: OrderedDict[str, _Saved] = OrderedDict()
        self._pull = PullIdeas(schema)

    async def __call__(
        self, connection: Connection, recorded: Sequence[RecordedEvent]
    ) -> None:
        if not recorded:
            return
        pulled_for = initiative_of_pull(recorded[0].stream_id)
        if pulled_for is not None:
            ideas = await self._pull.project(connection, recorded)
            await self._figures.pull_ideas_changed(connection, pulled_for, ideas,
                                                   recorded[-1].version)
            return
        events = [r.event for r in recorded]
        stream_id = events[0].initiative_id
        saved = self._saved.pop(stream_id, None)
        if (saved is not None and saved.state.version == events[0].sequence - 1
                and saved.head_hash == recorded[0].prev_hash):
            state, regressions = fold_onto(saved.state, saved.regressions, events)
            status = await connection.execute(self._advance, *row_values(state, regressions),
                                              saved.state.version)
            if status == "UPDATE 1":
                await self._work.save(connection, state)
                await self._figures.save(connection, state, regressions)
                self._remember(state, regressions, recorded[-1].hash)
                return
        row = await connection.fetchrow(self._current, stream_id)
        if row is not None and row["version"] >= events[-1].sequence:
            return  # already projected
        if row is not None and row["version"] == events[0].sequence - 1:
            state = InitiativeState.model_validate(row["state"])
            await self._save_fold(connection, state, row["regressions"], events,
                                  recorded[-1].hash)
        else:
            await self.rebuild(connection, stream_id)

    async def rebuild(self, connection: Connection, stream_id: str) -> None:
        """Fold the whole stream afresh and save it."""
        rows = await connection.fetch(self._stream, stream_id)
        events = [recorded_event(row).event for row in rows]
        if events:
            await self._save_fold(connection, InitiativeState(initiative_id=stream_id), 0, events,
                                  rows[-1]["hash"])

    async def _save_fold(self, connection: Connection, state: InitiativeState,
                         regressions: int, events: Sequence[Event], head_hash: str) -> None:
        state, regressions = fold_onto(state, regressions, events)
        await connection.execute(self._save, *row_values(state, regressions))
        await self._work.save(connection, state)
        await self._figures.save(connection, state, regressions)
        self._remember(state, regressions, head_hash)

    def _remember(self, state: InitiativeState, regressions: int, head_hash: str) -> None:
        self._saved[state.initiative_id] = _Saved(state, regressions, head_hash)
        if len(self._saved) > REMEMBERED:
            self._saved.popitem(last=False)


def fold_onto(state: InitiativeState, regressions: int,
              events: Sequence[Event]) -> tuple[InitiativeState, int]:
    """A row's state and regression count with `events` applied: what the row becomes."""
    state = fold(state.initiative_id, events, state)
    return state, regressions + sum(event.type == REGRESSION_EVENT for event in events)


def next_due_at(state: InitiativeState) -> datetime | None:
    """When the earliest open commitment falls due; None once closed or with nothing open."""
    if not state.is_open:
        return None
    open_dues = [c.due_at for c in commitments(state) if c.delivered_at is None]
    return min(open_dues, default=None)


def row_values(state: InitiativeState, regressions: int) -> tuple[Any, ...]:
    spec = state.require_spec()
    return (
        state.initiative_id, spec.name, state.phase.value, state.owner, state.version,
        state.updated_at, regressions, next_due_at(state), state.model_dump_json(),
    )
