"""The canonical encoding of an event and the hash chain built on it.

Pure functions, shared by the appender (which computes the hashes) and by every verifier (which
recomputes them from what the database gives back), so the two can never disagree on the format.

    canonical_encoding(event) = compact JSON of every envelope field, keys sorted, UTF-8 and not
                                ASCII-escaped, occurred_at as `format_timestamp` writes it,
                                payload as `canonical_json.canonical_json` writes it (the whole
                                envelope is written the same way); `provenance` appears only
                                when the event has one, so events from before it existed keep
                                their hashes
    hash(event)               = sha256(prev_hash || canonical_encoding(event)), as lowercase hex,
                                where prev_hash is the previous event's hash as 64 ASCII hex
                                characters and the first event of a stream follows GENESIS_HASH

Each stored event says which encoding its hash covers (`encoding_version`): 1, the envelope alone,
as every event recorded before recorded_at was covered; 2, the envelope with one more key,
`recorded_at`, written as occurred_at is. Appends write 2. Version 1 hashes are never recomputed
or rewritten, so they verify as they always did; a stream never goes back from 2 to 1.

The encoding comes out byte for byte the same from the Python values given to `append` and from
the values read back through jsonb and timestamptz (see `canonical_json` for the numbers).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from domain.envelope import GENESIS_HASH as GENESIS_HASH  # where a chain starts: the domain's
from domain.envelope import Event

from .canonical_json import NotCanonicalisable, canonical_json, encode_json

ENVELOPE_ONLY = 1
WITH_RECORDED_AT = 2
ENCODING_VERSION = WITH_RECORDED_AT  # what appends write


def format_timestamp(moment: datetime) -> str:
    """UTC ISO-8601 as orjson writes it: 2026-01-02T03:04:05.000006+00:00, and without the
    fraction when the microseconds are zero, 2026-01-02T03:04:05+00:00."""
    return orjson.dumps(_in_utc(moment)).decode()[1:-1]


def _in_utc(moment: datetime) -> datetime:
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:
        raise NotCanonicalisable(f"occurred_at must be timezone-aware, got naive {moment!r}")
    return moment.astimezone(UTC)


def encode_envelope(
    *,
    event_id: str,
    stream_id: str,
    sequence: int,
    type: str,
    schema_version: int,
    actor: str,
    occurred_at: str,
    payload_json: str,
    provenance: dict[str, Any] | None = None,
    recorded_at: str | None = None,
) -> bytes:
    """The canonical encoding from already-canonical parts; `recorded_at` (formatted) for
    encoding 2.

    Takes the payload as text so that the appender, which also sends that text to the database,
    encodes it once.
    """
    return _encode(
        event_id, stream_id, sequence, type, schema_version, actor, occurred_at,
        orjson.Fragment(payload_json), provenance, recorded_at,
    )  # fmt: skip


def encode_stored(
    event_id: UUID,
    stream_id: str,
    sequence: int,
    type: str,
    schema_version: int,
    actor: str,
    occurred_at: datetime,
    payload: dict[str, Any] | orjson.Fragment,
    provenance: dict[str, Any] | None = None,
    recorded_at: datetime | None = None,
) -> bytes:
    """The encoding of an event's stored values, in column order: the payload as read from jsonb,
    or its canonical text (`canonical_json.reencode_jsonb`) as an orjson.Fragment; `recorded_at`
    for a row of encoding 2, None for one of encoding 1.

    For verifiers walking raw rows: no Event has to be built to check them.
    """
    # str(): asyncpg reads uuid columns as its own UUID subclass, which orjson does not take.
    # The datetime goes to orjson as it is, which writes it as `format_timestamp` does.
    return _encode(
        str(event_id), stream_id, sequence, type, schema_version, actor, _in_utc(occurred_at),
        payload, provenance, None if recorded_at is None else _in_utc(recorded_at),
    )  # fmt: skip


def _encode(
    event_id: str,
    stream_id: str,
    sequence: int,
    type: str,
    schema_version: int,
    actor: str,
    occurred_at: str | datetime,
    payload: Any,
    provenance: dict[str, Any] | None,
    recorded_at: str | datetime | None,
) -> bytes:
    # One orjson call for the whole envelope: it sorts these keys along with the payload's and
    # refuses text that is not valid Unicode. The keys go in already sorted, provenance and
    # recorded_at in their places, so that a payload given as canonical text (a Fragment) and no
    # provenance need no sorting at all: the verifier's case, once per stored event.
    envelope = {
        "actor": actor,
        "event_id": event_id,
        "initiative_id": stream_id,
        "occurred_at": occurred_at,
        "payload": payload,
    }
    if provenance is not None:
        envelope["provenance"] = provenance
    if recorded_at is not None:
        envelope["recorded_at"] = recorded_at
    envelope["schema_version"] = schema_version
    envelope["sequence"] = sequence
    envelope["type"] = type
    if provenance is None and isinstance(payload, orjson.Fragment):
        try:
            return orjson.dumps(envelope)
        except orjson.JSONEncodeError:
            pass  # text that is not Unicode: encode_json says so
    return encode_json(envelope)


def provenance_of(event: Event) -> dict[str, Any] | None:
    return None if event.provenance is None else event.provenance.encoded()


def canonical_encoding(event: Event, recorded_at: datetime | None = None) -> bytes:
    """The encoding of any event (encoding 2 with `recorded_at`, 1 without); NotCanonicalisable
    if it has none."""
    return encode_envelope(
        event_id=str(event.event_id),
        stream_id=event.initiative_id,
        sequence=event.sequence,
        type=event.type,
        schema_version=event.schema_version,
        actor=event.actor,
        occurred_at=format_timestamp(event.occurred_at),
        payload_json=canonical_json(event.payload),
        provenance=provenance_of(event),
        recorded_at=None if recorded_at is None else format_timestamp(recorded_at),
    )


def stored_event_encoding(event: Event, recorded_at: datetime | None = None) -> bytes:
    """The encoding of an event read back from the store, whose payload is already canonical;
    `recorded_at` when the row is of encoding 2."""
    return encode_stored(
        event.event_id,
        event.initiative_id,
        event.sequence,
        event.type,
        event.schema_version,
        event.actor,
        event.occurred_at,
        event.payload,
        provenance_of(event),
        recorded_at,
    )


def chain_hash(prev_hash: str, encoding: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + encoding).hexdigest()


def event_hash(prev_hash: str, event: Event, recorded_at: datetime | None = None) -> str:
    """The hash of `event` after `prev_hash`: encoding 2 with `recorded_at`, 1 without."""
    return chain_hash(prev_hash, canonical_encoding(event, recorded_at))
