"""After a run under faults: does the store hold exactly what the clients were told and what the
workflows ended with, once each, on intact chains?"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from domain import InitiativeState, fold
from domain.envelope import Event
from domain.pull_stream import initiative_of_pull, pull_stream_id
from store import EventStore, RecordedEvent
from store.migrations import quote_schema

from .lifecycles import Ledger


@dataclass
class Integrity:
    initiatives: int = 0
    events: int = 0
    lost: int = 0  # events the lifecycle must record that the store lacks
    duplicated: int = 0  # events the store holds beyond what the lifecycle records
    problems: list[str] = field(default_factory=list)  # one line per broken rule

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.problems)


async def check_integrity(store: EventStore, ledger: Ledger, record: Counter[str]) -> Integrity:
    """Every initiative in `ledger` must have finished, each recording `record` (event type ->
    how many times) in a contiguous stream with a valid chain, holding verbatim every event its
    clients were told of, and folding to exactly the state its workflow ended with."""
    integrity = Integrity()
    for iid, acknowledged in ledger.acknowledged.items():
        # The ideas are on the initiative's pull stream, beside its own.
        recorded = await store.read_stream(iid) + await store.read_stream(pull_stream_id(iid))
        integrity.initiatives += 1
        integrity.events += len(recorded)
        recorded_types = Counter(r.event.type for r in recorded)
        integrity.lost += (record - recorded_types).total()
        integrity.duplicated += (recorded_types - record).total()
        integrity.problems += [f"{iid}: {problem}" for problem in await _stream_problems(
            store, iid, recorded, ledger, acknowledged)]
    return integrity


async def _stream_problems(store: EventStore, iid: str, recorded: list[RecordedEvent],
                           ledger: Ledger, acknowledged: list[Event]) -> list[str]:
    problems = []
    for stream_id in (iid, pull_stream_id(iid)):
        versions = [r.version for r in recorded if r.stream_id == stream_id]
        if versions != list(range(1, len(versions) + 1)):
            problems.append(f"{stream_id}: versions are not contiguous: {versions}")
        verification = await store.verify_stream(stream_id)
        if not verification.ok:
            problems.append(f"chain: {verification.reason}")
    by_place = {(r.stream_id, r.version): r.event for r in recorded}
    problems += [f"told a client of {e.type} at version {e.sequence}; the store holds "
                 f"{getattr(by_place.get((e.initiative_id, e.sequence)), 'type', 'nothing')} "
                 "there" for e in acknowledged if by_place.get((e.initiative_id, e.sequence)) != e]
    own = [r for r in recorded if r.stream_id == iid]
    view = ledger.finished.get(iid)
    if view is None:
        problems.append("did not finish")
    elif (fold(iid, [r.event for r in own]) != view.state
          or (own[-1].hash if own else None) != view.head_hash):
        problems.append("the workflow's final state is not the fold of the store")
    return problems


async def read_model_disagreements(store: EventStore) -> list[str]:
    """Streams whose portfolio row is missing, behind, ahead, or holds another state than the
    fold of the stream. Read directly: the reader would repair what it finds behind."""
    s = quote_schema(store.schema)
    streams = await store.pool.fetch(f"SELECT stream_id, version FROM {s}.streams")
    rows = {row["initiative_id"]: row for row in await store.pool.fetch(
        f"SELECT initiative_id, version, state FROM {s}.portfolio_initiatives")}
    disagreements = []
    for stream in streams:
        if initiative_of_pull(stream["stream_id"]) is not None:
            continue  # ideas: their rows are the pull read model's
        iid, row = stream["stream_id"], rows.pop(stream["stream_id"], None)
        folded = fold(iid, [r.event for r in await store.read_stream(iid)])
        if row is None or row["version"] != stream["version"] or (
                InitiativeState.model_validate(row["state"]) != folded):
            disagreements.append(f"{iid}: stream at {stream['version']}, row "
                                 f"{'missing' if row is None else row['version']}")
    disagreements += [f"{iid}: a row without a stream" for iid in rows]
    return disagreements

