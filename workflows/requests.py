"""Which requests the workflow has answered, so that a retry records nothing twice.

A request is known by its sender and its request id together (`request_key`): one person's id
can never answer, block or shadow another's. With the key goes a fingerprint of the command
(`command_fingerprint`): the same key sent with another command or other arguments is refused,
as the Idempotency-Key draft (IETF httpapi) has it, instead of answering with what the first one
recorded.

What is carried through continue-as-new is bounded by construction: at most
`REQUESTS_REMEMBERED` records of fixed size, none older than `REQUEST_MEMORY_AGE`, each naming
the versions the request recorded rather than carrying its events. The events of a request this
run recorded are kept in memory for its retries; those of an earlier run are read back from the
store, which holds them for good.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from pydantic import BaseModel, ConfigDict

from domain.envelope import Event

# A client retries within minutes (the CLI and the API say so with the request id they
# answer); a week covers a weekend's outage with room to spare.
REQUEST_MEMORY_AGE = timedelta(days=7)
REQUESTS_REMEMBERED = 500


def request_key(actor: str, request_id: str) -> str:
    """The sender and the id as one fixed-size key: what the store's request log holds too."""
    digest = hashlib.sha256(f"{actor}\x00{request_id}".encode()).hexdigest()
    return f"req-{digest[:40]}"


def command_fingerprint(command: BaseModel) -> str:
    """The command as sent: its kind, its actor and every argument."""
    return hashlib.sha256(command.model_dump_json().encode()).hexdigest()[:40]


def update_id(command: BaseModel, request_id: str) -> str:
    """The id of the Temporal update that carries the command. The server answers a second
    update with the same id from the first one, before any validator sees it, so the id holds
    the sender and the fingerprint too: only an exact retry is answered that way, and anything
    else reaches the workflow, which judges it."""
    actor = getattr(command, "actor", "")
    return f"{request_key(actor, request_id)}-{command_fingerprint(command)[:16]}"


class RememberedRequest(BaseModel):
    """A request this initiative recorded: what continue-as-new carries of it."""

    model_config = ConfigDict(frozen=True)
    key: str
    fingerprint: str | None  # None: adopted from the store, whose log keeps no fingerprint
    first_version: int
    last_version: int
    at: datetime
    stream_id: str | None = None  # where those versions are; None: the initiative's own stream


class Seen(Enum):
    NEW = "new"
    SAME = "same"  # a retry: answer with what the first one recorded
    OTHER = "other"  # the key was used for another command


@dataclass(frozen=True)
class Lookup:
    seen: Seen
    events: list[Event] | None = None  # known in this run; else read back by `versions`
    versions: tuple[int, int] | None = None
    stream_id: str | None = None  # of `versions`; None: the initiative's own stream


class RequestMemory:
    def __init__(self, carried: list[RememberedRequest], legacy: dict[str, list[Event]],
                 now: datetime) -> None:
        """`legacy`: what runs begun before keys and fingerprints carried, raw request id ->
        events. Those are looked up by the raw id, as those runs did, for a week more."""
        self._records = {record.key: record for record in carried}
        self._answers: dict[str, list[Event]] = {}
        for request_id, events in legacy.items():
            self.remember(_legacy_key(request_id), None, events, now)

    def lookup(self, key: str, request_id: str, fingerprint: str) -> Lookup:
        for known in (key, _legacy_key(request_id)):
            record = self._records.get(known)
            if record is None:
                continue
            if record.fingerprint is not None and record.fingerprint != fingerprint:
                return Lookup(Seen.OTHER)
            return Lookup(Seen.SAME, self._answers.get(known),
                          (record.first_version, record.last_version), record.stream_id)
        return Lookup(Seen.NEW)

    def remember(self, key: str, fingerprint: str | None, events: list[Event],
                 at: datetime, stream_id: str | None = None) -> None:
        """`stream_id`: where the events are, when not on the initiative's own stream."""
        if not events:
            return
        self._records[key] = RememberedRequest(
            key=key, fingerprint=fingerprint, first_version=events[0].sequence,
            last_version=events[-1].sequence, at=at, stream_id=stream_id)
        self._answers[key] = events
        self._forget(at)

    def _forget(self, now: datetime) -> None:
        """Oldest first: by count, then by age."""
        while self._records:
            oldest = next(iter(self._records))
            if (len(self._records) <= REQUESTS_REMEMBERED
                    and now - self._records[oldest].at <= REQUEST_MEMORY_AGE):
                break
            del self._records[oldest]
            self._answers.pop(oldest, None)

    def carried(self, now: datetime) -> list[RememberedRequest]:
        """What the next run needs: records, never events."""
        self._forget(now)
        return list(self._records.values())


def _legacy_key(request_id: str) -> str:
    # Apart from request_key's "req-" keys, so no raw id can name another person's request.
    return f"legacy:{request_id}"
