"""Values the event store hands back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeAlias

import asyncpg
import asyncpg.pool

from domain.envelope import Event


@dataclass(frozen=True)  # no slots: readers build one per row by setting its __dict__ at once
class RecordedEvent:
    """An event as stored: the envelope plus where and when the store put it, and which
    encoding its hash covers (`chain.ENCODING_VERSION`; 1 does not cover recorded_at)."""

    event: Event
    position: int
    prev_hash: str
    hash: str
    recorded_at: datetime
    encoding_version: int = 1
    # The payload's canonical text, when the reader already made it (verifiers then reuse it).
    canonical_payload: bytes | None = field(default=None, compare=False, repr=False)

    @property
    def stream_id(self) -> str:
        return self.event.initiative_id

    @property
    def version(self) -> int:
        return self.event.sequence


@dataclass(frozen=True, slots=True)
class StreamHead:
    version: int
    head_hash: str


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Where an append landed. `already_recorded` marks an exact retry that wrote nothing."""

    positions: tuple[int, ...]
    version: int
    head_hash: str
    already_recorded: bool = False


@dataclass(frozen=True, slots=True)
class ChainVerification:
    """The outcome of recomputing one stream's hash chain.

    `broken_version` is the first version whose stored data disagrees with the chain (None when
    the chain itself holds); `head_matches` says whether the recomputed head agrees with the
    stream's head row, the only witness of a truncated tail or a chain rewritten to the end.
    """

    stream_id: str
    events_checked: int
    computed_head: str
    recorded_head: StreamHead | None
    broken_version: int | None = None
    reason: str | None = None

    @property
    def head_matches(self) -> bool:
        if self.recorded_head is None:
            return self.events_checked == 0
        return (
            self.recorded_head.version == self.events_checked
            and self.recorded_head.head_hash == self.computed_head
        )

    @property
    def ok(self) -> bool:
        return self.broken_version is None and self.head_matches


# A connection of its own or one a pool lends (`pool.acquire()`): asyncpg's types tell the two
# apart, and Baton uses them alike.
Connection: TypeAlias = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


# Runs inside the append's transaction, after the events are written: whatever it writes commits
# or rolls back together with them.
Projection = Callable[[Connection, Sequence[RecordedEvent]], Awaitable[None]]
