"""Verifying streams end to end: witnesses first, then one snapshot of the store, stream by stream.

The workflows are asked before the snapshot is taken, so a workflow can never be ahead of what
the snapshot shows: an append committing in between only makes the store look ahead of its
workflow, which is what a live initiative looks like anyway.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Protocol

from domain.pull_stream import initiative_of_pull
from store import EventStore

from .collector import paced_for_scanning
from .findings import Checkpoint, StreamAudit, Witnessed, judge
from .replay import replay_events, replay_pull_events, trusted_prefix
from .scan import StoredStream, scan_streams, stream_ids


class Witnesses(Protocol):
    async def witnesses(self, initiative_ids: Sequence[str]) -> dict[str, Witnessed]: ...

    async def checkpoints(self, initiative_id: str) -> tuple[Checkpoint, ...]: ...


@dataclasses.dataclass(frozen=True, slots=True)
class VerifiedStream:
    """One stream's audit and, when its chain held, the phase its events replay to."""

    audit: StreamAudit
    phase: str | None
    version: int

    @property
    def ok(self) -> bool:
        return self.audit.ok

    @property
    def unknown(self) -> bool:
        """Nothing says the stream ever existed: no event, no head row, no workflow."""
        audit = self.audit
        return audit.events == 0 and audit.head_row is None and audit.witness is None


async def verify_streams(
    store: EventStore,
    wanted: Sequence[str] | None,
    witnesses: Witnesses | None,
    on_verified: Callable[[VerifiedStream], None] = lambda verified: None,
    *,
    processes: int = 1,
    dsn: str | None = None,
) -> list[VerifiedStream]:
    """Verify the streams `wanted` (every stream when None) in the database's order; with
    `processes` > 1, on that many processes, which connect to `dsn` (see `parallel`)."""
    ids = list(wanted) if wanted is not None else await stream_ids(store.pool, store.schema)
    witnessed = await witnesses.witnesses(ids) if witnesses is not None else {}
    if processes > 1 and dsn is not None and ids:
        from .parallel import verify_in_processes

        return await verify_in_processes(store, dsn, processes, ids, witnessed, witnesses,
                                         on_verified)
    verified = []
    with paced_for_scanning():
        async for stored in scan_streams(store.pool, store.schema, wanted):
            one = await verify_stored(stored, witnessed.get(stored.stream_id), witnesses)
            verified.append(one)
            on_verified(one)
    return verified


async def verify_stored(
    stored: StoredStream, witnessed: Witnessed | None, witnesses: Witnesses | None
) -> VerifiedStream:
    """One stream read from a snapshot, against the witness asked before it was taken."""
    witness, note = witnessed or (None, "not asked")
    audit = judge(stored.stream_id, stored.events, stored.head_row, witness, note)
    located_by_history = witness is not None and bool(witness.checkpoints)
    if (not audit.ok and audit.chain.broken_version is None and witness is not None
            and witnesses is not None and not located_by_history):
        # The chain holds but a witness disagrees: the heads the workflow was told append by
        # append say from where it was rewritten. Only those the snapshot can show count.
        checkpoints = tuple(c for c in await witnesses.checkpoints(stored.stream_id)
                            if c.version <= witness.version)
        if checkpoints:
            witness = dataclasses.replace(witness, checkpoints=checkpoints)
            audit = judge(stored.stream_id, stored.events, stored.head_row, witness, note)
    trusted = trusted_prefix(stored.events, audit.first_break)
    if initiative_of_pull(stored.stream_id) is not None:
        _, unreplayable = replay_pull_events(stored.stream_id, trusted)
        phase, version = None, trusted[-1].version if trusted else 0
    else:
        state, unreplayable = replay_events(stored.stream_id, trusted)
        phase, version = (state.phase.value if state.version else None), state.version
    if unreplayable is not None and audit.ok:
        audit = dataclasses.replace(audit, first_break=unreplayable)
    return VerifiedStream(audit, phase, version)
