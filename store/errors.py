"""What the event store raises. Everything derives from `StoreError`."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID


class StoreError(Exception):
    """Base class of the event store's errors."""


class MigrationError(StoreError):
    """The schema's recorded migrations disagree with the migration files."""


class InvalidAppend(StoreError):
    """The events cannot be appended as given; retrying the same call cannot succeed."""


class ConcurrencyConflict(StoreError):
    """The stream moved on since the caller read it: reload, decide again, retry."""

    def __init__(self, stream_id: str, expected_version: int, actual_version: int) -> None:
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"stream {stream_id!r} is at version {actual_version}, "
            f"but the append expected version {expected_version}"
        )


class IdempotencyConflict(StoreError):
    """Some of the event ids are already recorded, but this append is not an exact retry.

    Either only part of the batch is recorded, or the recorded events differ from the ones given.
    With ids derived from (initiative, sequence), a concurrent writer that took the same versions
    also lands here; a retry that recomputed part of an event (a fresh timestamp, say) does too,
    and must not be resolved by appending the decision a second time.
    """

    def __init__(
        self, stream_id: str, event_ids: Sequence[UUID], actual_version: int, detail: str
    ) -> None:
        self.stream_id = stream_id
        self.event_ids = tuple(event_ids)
        self.actual_version = actual_version
        shown = ", ".join(str(event_id) for event_id in self.event_ids[:3])
        more = f" and {len(self.event_ids) - 3} more" if len(self.event_ids) > 3 else ""
        super().__init__(
            f"append to stream {stream_id!r} (now at version {actual_version}) reuses event ids "
            f"{shown}{more}: {detail}"
        )


class StreamDisagreement(InvalidAppend):
    """The stream's head row and its last event disagree: one was rewritten behind the store's
    back. The append refused to chain onto either and flagged the stream (`stream_flags`);
    retrying cannot succeed until someone who can tell which is right repairs the record."""

    def __init__(self, stream_id: str, detail: str) -> None:
        self.stream_id = stream_id
        self.detail = detail
        super().__init__(f"stream {stream_id!r} was not extended and is flagged: {detail}")
