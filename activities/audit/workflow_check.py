"""Cross-checking the workflow's history against the store: every event the history appended is
stored as it was appended, each append's head is still the store's hash at that version, and the
store holds nothing else within the versions the history accounts for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from activities.store import RecordedEvent
from activities.store.canonical_json import canonical_json
from activities.store.chain import canonical_encoding, stored_event_encoding
from domain.envelope import Event

from .findings import Break
from .history import RunChain
from .history_replay import RunReplay

_COMPARED_FIELDS = ("event_id", "type", "schema_version", "actor", "occurred_at", "payload")


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: str
    failure: str | None
    appends: int
    versions: tuple[int, int] | None  # first and last version the run took as recorded


@dataclass(frozen=True, slots=True)
class WorkflowCheck:
    workflow_id: str
    runs: tuple[RunSummary, ...]
    complete: bool  # the histories reach back to the launch
    finished: bool
    matched: int  # stored events the history appended exactly so
    covered_from: int  # stored versions below this predate the oldest run Temporal holds
    stored: int
    in_flight: tuple[int, ...]  # stored after the history was read, by a workflow still running
    problems: tuple[Break, ...]

    @property
    def deterministic(self) -> bool:
        return all(run.failure is None for run in self.runs)

    @property
    def ok(self) -> bool:
        return self.deterministic and not self.problems


def cross_check(
    chain: RunChain, replays: Sequence[RunReplay], stored: Sequence[RecordedEvent]
) -> WorkflowCheck:
    by_version = {recorded.version: recorded for recorded in stored}
    taken: dict[int, tuple[Event, str]] = {}
    pending: dict[int, Event] = {}
    problems: list[Break] = []
    for replay in replays:
        for append in replay.appends:
            for event in append.taken:
                taken[event.sequence] = (event, replay.run_id)
            if append.outcome is None and not append.failed:
                pending.update((event.sequence, event) for event in append.request.events)
            elif append.outcome is not None:
                problems += _head_differs(append.outcome.version, append.outcome.head_hash,
                                          by_version)
    for version, (event, run_id) in sorted(taken.items()):
        problems += _compare(version, event, run_id, by_version.get(version))
    covered_from = 1 if chain.complete else min(taken, default=len(stored) + 1)
    last_taken = max(taken, default=covered_from - 1)
    in_flight = []
    for version, recorded in sorted(by_version.items()):
        if version < covered_from or version in taken:
            continue
        # A live workflow may have appended after its history was read, or be appending now.
        newer = version > last_taken and not chain.finished
        if newer or (version in pending and _same(pending[version], recorded)):
            in_flight.append(version)
        else:
            problems.append(Break(version, "stored, but no run of the workflow appended it"))
    problems += (Break(None, f"run {run.run_id} does not replay on the current code: "
                             f"{run.failure}") for run in replays if run.failure)
    matched = sum(1 for version in taken if _same(taken[version][0], by_version.get(version)))
    return WorkflowCheck(
        chain.workflow_id, tuple(_summary(replay) for replay in replays), chain.complete,
        chain.finished, matched, covered_from, len(stored), tuple(in_flight),
        tuple(sorted(problems, key=lambda b: (b.version is None, b.version or 0))))


def _compare(
    version: int, event: Event, run_id: str, recorded: RecordedEvent | None
) -> list[Break]:
    if recorded is None:
        return [Break(version, f"appended by run {run_id} but missing from the store")]
    if _same(event, recorded):
        return []
    differing = [name for name in _COMPARED_FIELDS
                 if _field(event, name) != _field(recorded.event, name)]
    return [Break(version, f"the stored event differs from what run {run_id} appended "
                           f"({', '.join(differing) or 'its encoding'})")]


def _head_differs(
    version: int, head_hash: str, by_version: dict[int, RecordedEvent]
) -> list[Break]:
    recorded = by_version.get(version)
    if recorded is None or recorded.hash == head_hash:
        return []  # a missing event is reported as such
    return [Break(version, "the stored hash is not the head this append returned to the "
                           "workflow: the chain was recomputed after it")]


def _summary(replay: RunReplay) -> RunSummary:
    versions = [event.sequence for append in replay.appends for event in append.taken]
    return RunSummary(replay.run_id, replay.failure, len(replay.appends),
                      (min(versions), max(versions)) if versions else None)


def _same(event: Event, recorded: RecordedEvent | None) -> bool:
    return recorded is not None and canonical_encoding(event) == stored_event_encoding(
        recorded.event)


def _field(event: Event, name: str) -> object:
    value = getattr(event, name)
    # Payloads are compared as the chain sees them: jsonb gives 1e20 back as an integer, so the
    # raw values of an untouched event may differ where its recorded form does not.
    return canonical_json(value) if name == "payload" else value
