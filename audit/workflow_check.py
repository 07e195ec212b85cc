"""Cross-checking the workflow's history against the store: every event the history appended is
stored as it was appended, each append's head is still the store's hash at that version, and the
store holds nothing else within the versions the history accounts for.

Two records of each append are compared. The history keeps the head the append returned (its
marker), which vouches, through the chain, for every stored event up to it. The replay rebuilds
the events themselves by running today's code, which names the field that differs when one does.
They can disagree without anyone tampering: when a workflow task ends before its append does (a
query arriving meanwhile is enough), the replay decides that append with the clock of a later
task, so its events carry another time than the ones stored. Where the history vouches for the
stored event, such a difference is reported as a replay difference, not as an alteration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.envelope import Event
from store import RecordedEvent
from store.canonical_json import canonical_json
from store.chain import canonical_encoding, stored_event_encoding

from .findings import Break, chain_break
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
    matched: int  # stored events the replay rebuilt exactly
    covered_from: int  # stored versions below this predate the oldest run Temporal holds
    stored: int
    in_flight: tuple[int, ...]  # stored after the history was read, by a workflow still running
    replay_differences: tuple[Break, ...]  # vouched for by the history, rebuilt otherwise
    problems: tuple[Break, ...]

    @property
    def deterministic(self) -> bool:
        return all(run.failure is None for run in self.runs)

    @property
    def ok(self) -> bool:
        return self.deterministic and not self.problems


@dataclass
class _Appended:
    """What the runs appended, by version, and the heads their appends returned."""

    events: dict[int, tuple[Event, str]]  # version -> (event as replayed, run id)
    pending: dict[int, Event]  # appends whose outcome the history has not recorded yet
    heads: dict[int, str]  # version -> head hash the append returned

    @classmethod
    def of(cls, replays: Sequence[RunReplay]) -> _Appended:
        appended = cls({}, {}, {})
        for replay in replays:
            for append in replay.appends:
                appended.events.update(
                    (event.sequence, (event, replay.run_id)) for event in append.taken)
                if append.outcome is not None:
                    appended.heads[append.outcome.version] = append.outcome.head_hash
                elif not append.failed:
                    appended.pending.update((e.sequence, e) for e in append.request.events)
        return appended


def cross_check(
    initiative_id: str, chain: RunChain, replays: Sequence[RunReplay],
    stored: Sequence[RecordedEvent],
) -> WorkflowCheck:
    by_version = {recorded.version: recorded for recorded in stored}
    appended = _Appended.of(replays)
    problems = [Break(version, "the stored hash is not the head this append returned to the "
                               "workflow: the chain was recomputed after it")
                for version, head in sorted(appended.heads.items())
                if version in by_version and by_version[version].hash != head]
    vouched = _vouched_up_to(initiative_id, stored, appended.heads)
    differences, matched = [], 0
    for version, (event, run_id) in sorted(appended.events.items()):
        recorded = by_version.get(version)
        if recorded is None:
            problems.append(Break(version, f"appended by run {run_id} but missing from the store"))
        elif _same(event, recorded):
            matched += 1
        elif version <= vouched:
            differing = _differing(event, recorded)
            differences.append(Break(version, "the history vouches for the stored event, but "
                                              f"today's replay decides its {differing} otherwise"))
        else:
            problems.append(Break(version, f"the stored event differs from what run {run_id} "
                                           f"appended ({_differing(event, recorded)})"))
    covered_from = 1 if chain.complete else min(appended.events, default=len(stored) + 1)
    in_flight = _unaccounted(by_version, appended, covered_from, chain.finished, problems)
    problems += (Break(None, f"run {run.run_id} does not replay on the current code: "
                             f"{run.failure}") for run in replays if run.failure)
    return WorkflowCheck(
        chain.workflow_id, tuple(_summary(replay) for replay in replays), chain.complete,
        chain.finished, matched, covered_from, len(stored), tuple(in_flight),
        tuple(differences),
        tuple(sorted(problems, key=lambda b: (b.version is None, b.version or 0))))


def _vouched_up_to(
    initiative_id: str, stored: Sequence[RecordedEvent], heads: dict[int, str]
) -> int:
    """The last version up to which the store holds exactly what the appends returned: the
    chain holds there, and its hash is the head an append gave back."""
    _, found = chain_break(initiative_id, stored, None)
    holding = len(stored) if found is None or found.version is None else found.version - 1
    hashes = {recorded.version: recorded.hash for recorded in stored}
    return max((version for version, head in heads.items()
                if version <= holding and hashes.get(version) == head), default=0)


def _unaccounted(
    by_version: dict[int, RecordedEvent], appended: _Appended, covered_from: int,
    finished: bool, problems: list[Break],
) -> list[int]:
    """Stored versions no run appended: still being recorded by a live workflow, or not its
    own (added to `problems`)."""
    last_appended = max(appended.events, default=covered_from - 1)
    in_flight = []
    for version, recorded in sorted(by_version.items()):
        if version < covered_from or version in appended.events:
            continue
        # A live workflow may have appended after its history was read, or be appending now.
        newer = version > last_appended and not finished
        pending = appended.pending.get(version)
        if newer or (pending is not None and _same(pending, recorded)):
            in_flight.append(version)
        else:
            problems.append(Break(version, "stored, but no run of the workflow appended it"))
    return in_flight


def _summary(replay: RunReplay) -> RunSummary:
    versions = [event.sequence for append in replay.appends for event in append.taken]
    return RunSummary(replay.run_id, replay.failure, len(replay.appends),
                      (min(versions), max(versions)) if versions else None)


def _same(event: Event, recorded: RecordedEvent) -> bool:
    return canonical_encoding(event) == stored_event_encoding(recorded.event)


def _differing(event: Event, recorded: RecordedEvent) -> str:
    names = [name for name in _COMPARED_FIELDS
             if _field(event, name) != _field(recorded.event, name)]
    return ", ".join(names) or "encoding"


def _field(event: Event, name: str) -> object:
    value = getattr(event, name)
    # Payloads are compared as the chain sees them: jsonb gives 1e20 back as an integer, so the
    # raw values of an untouched event may differ where its recorded form does not.
    return canonical_json(value) if name == "payload" else value
