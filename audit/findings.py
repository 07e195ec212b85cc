"""Judging one stream: its recomputed chain against the two witnesses of where it should end.

Pure. The hash chain shows an altered, deleted, inserted or reordered event by itself, but a
truncated tail or a chain recomputed from some event onwards leaves a chain that holds; only a
head kept elsewhere shows those. There are two such witnesses: the stream's head row, written in
the append's transaction, and the head the workflow was told after each append (its `view`, or
the results of its appends in the Temporal history). Whoever rewrites the events and the head row
still cannot reach into Temporal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from domain.envelope import EVENT_ID_NAMESPACE
from store import ChainVerification, RecordedEvent, StreamHead
from store.verification import links_of, verify_chain

# uuid5 as `domain.envelope.event_id_for` makes it, compared as an integer: building the UUID
# object costs four times the hash, and the check runs on every event of every audit.
_UUID_VERSION_AND_VARIANT = (0xF000 << 64) | (0xC000 << 48)
_UUID5_BITS = (5 << 76) | (0x8000 << 48)


@dataclass(frozen=True, slots=True)
class Break:
    """The first event found not as it was recorded. `version` is None only when the evidence
    says the stream was rewritten but nothing tells from where (no per-append witness left)."""

    version: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The head the workflow was given back by one append: the store's hash at `version`."""

    version: int
    head_hash: str


@dataclass(frozen=True, slots=True)
class WorkflowWitness:
    """What the workflow says the stream holds. `finished` means it records nothing more, so a
    stored event beyond `version` is not its own; `checkpoints` come from its history and locate
    a rewrite more closely than the head alone."""

    version: int
    head_hash: str
    source: str
    finished: bool = False
    checkpoints: tuple[Checkpoint, ...] = ()


Witnessed = tuple[WorkflowWitness | None, str]  # the witness, or why there is none


@dataclass(frozen=True, slots=True)
class StreamAudit:
    stream_id: str
    chain: ChainVerification
    witness: WorkflowWitness | None
    witness_note: str  # why there is no witness, or where it came from
    first_break: Break | None
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.first_break is None

    @property
    def head_row(self) -> StreamHead | None:
        return self.chain.recorded_head

    @property
    def events(self) -> int:
        return self.chain.events_checked


def chain_break(
    stream_id: str, events: Sequence[RecordedEvent], head_row: StreamHead | None
) -> tuple[ChainVerification, Break | None]:
    """The chain recomputed from `events` (in version order), and its first broken event.

    Besides the chain itself, each event's id must be the one its version was given: ids are a
    function of (initiative, version), so an event inserted or moved to another version carries
    the id of a different place, even when whoever moved it recomputed the hashes.
    """
    chain = verify_chain(stream_id, links_of(events), head_row)
    found = []
    if chain.broken_version is not None:
        found.append(Break(chain.broken_version, chain.reason or "the chain does not hold"))
    for recorded in events:
        if chain.broken_version is not None and recorded.version >= chain.broken_version:
            break
        if not is_id_of(recorded.event.event_id, stream_id, recorded.version):
            found.append(Break(recorded.version, f"its event id {recorded.event.event_id} is not "
                                                 f"the id of version {recorded.version}: the event "
                                                 "was inserted or moved here"))
            break
    return chain, _earliest(found)


def is_id_of(event_id: UUID, stream_id: str, version: int) -> bool:
    """Whether `event_id` is `event_id_for(stream_id, version)`."""
    digest = hashlib.sha1(EVENT_ID_NAMESPACE.bytes + f"{stream_id}/{version}".encode()).digest()
    expected = int.from_bytes(digest[:16], "big") & ~_UUID_VERSION_AND_VARIANT | _UUID5_BITS
    return event_id.int == expected


def judge(
    stream_id: str,
    events: Sequence[RecordedEvent],
    head_row: StreamHead | None,
    witness: WorkflowWitness | None,
    witness_note: str = "",
) -> StreamAudit:
    """Everything `events` and the witnesses say about one stream, and the first event that is
    not as it was recorded."""
    chain, found = chain_break(stream_id, events, head_row)
    breaks = [found] if found else []
    notes: list[str] = []
    hashes = {recorded.version: recorded.hash for recorded in events}
    # Past a broken link the stored hashes prove nothing, so witnesses are read against the
    # part of the chain that holds.
    holding = len(events) if found is None or found.version is None else found.version - 1
    if chain.broken_version is None:
        breaks += _head_row_breaks(chain, hashes, witness)
    if witness is not None:
        witnessed, note = _witness_breaks(witness, hashes, holding, len(events))
        breaks += witnessed
        notes += note
    return StreamAudit(stream_id, chain, witness, witness_note, _earliest(breaks), tuple(notes))


def _head_row_breaks(
    chain: ChainVerification, hashes: dict[int, str], witness: WorkflowWitness | None
) -> list[Break]:
    head, stored = chain.recorded_head, chain.events_checked
    if chain.head_matches:
        return []
    if head is None:
        return [Break(None, f"{stored} events are stored but the stream has no head row: the "
                            "head row was deleted")]
    if head.version > stored:
        return [Break(stored + 1, f"version {stored + 1} is missing: the head row says the "
                                  f"stream reaches version {head.version} (a truncated tail)")]
    if head.version < stored:
        return [Break(head.version + 1, f"versions {head.version + 1} to {stored} are beyond "
                                        f"the head row (version {head.version}): inserted at "
                                        "the end, or the head row was moved back")]
    confirmed = witness is not None and witness.version == stored and (
        hashes.get(stored) == witness.head_hash)
    if confirmed:
        return [Break(None, "the head row's hash differs from the recomputed head, which the "
                            "workflow confirms: the head row itself was altered")]
    located = _locate(witness.checkpoints if witness else (), hashes, stored)
    return [located or Break(None, "the head row's hash differs from the recomputed head: the "
                                   f"chain was rewritten at or before version {stored}")]


def _witness_breaks(
    witness: WorkflowWitness, hashes: dict[int, str], holding: int, stored: int
) -> tuple[list[Break], list[str]]:
    said = f"the workflow ({witness.source}) recorded version {witness.version}"
    if witness.version > stored:
        return [Break(stored + 1, f"version {stored + 1} is missing: {said}")], []
    if witness.version > holding:
        return [], []  # the chain breaks before the witness's version; that break is reported
    if witness.version and hashes[witness.version] != witness.head_hash:
        located = _locate(witness.checkpoints, hashes, stored)
        return [located or Break(None, f"{said} with another hash: the chain was rewritten at "
                                       f"or before version {witness.version}")], []
    if witness.version < stored:
        if witness.finished:
            return [Break(witness.version + 1, f"{said} and finished; versions "
                                               f"{witness.version + 1} to {stored} are not its "
                                               "own")], []
        return [], [f"versions {witness.version + 1} to {stored} are newer than the workflow's "
                    "answer: it is still recording them"]
    return [], []


def _locate(
    checkpoints: Sequence[Checkpoint], hashes: dict[int, str], stored: int
) -> Break | None:
    """The first append whose head the store no longer has; the events before it are intact."""
    intact = 0
    for checkpoint in sorted(checkpoints, key=lambda c: c.version):
        if checkpoint.version > stored:
            return Break(stored + 1, f"version {stored + 1} is missing: the workflow's history "
                                     f"records an append up to version {checkpoint.version}")
        if hashes[checkpoint.version] != checkpoint.head_hash:
            where = (f"version {checkpoint.version}" if checkpoint.version == intact + 1
                     else f"versions {intact + 1} to {checkpoint.version}")
            return Break(intact + 1, f"the chain was rewritten from here: the workflow was told "
                                     f"another hash for {where} when it appended, and the chain "
                                     f"up to version {intact} is still as it was told")
        intact = checkpoint.version
    return None


def _earliest(breaks: Sequence[Break]) -> Break | None:
    located = [b for b in breaks if b.version is not None]
    if located:
        return min(located, key=lambda b: b.version or 0)
    return breaks[0] if breaks else None
