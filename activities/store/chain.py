"""The canonical encoding of an event and the hash chain built on it.

Pure functions, shared by the appender (which computes the hashes) and by every verifier (which
recomputes them from what the database gives back), so the two can never disagree on the format.

    canonical_encoding(event) = compact JSON of every envelope field, keys sorted, UTF-8 and not
                                ASCII-escaped, occurred_at as UTC ISO-8601 with microseconds,
                                payload as `canonical_json.canonical_json` writes it
    hash(event)               = sha256(prev_hash || canonical_encoding(event)), as lowercase hex,
                                where prev_hash is the previous event's hash as 64 ASCII hex
                                characters and the first event of a stream follows GENESIS_HASH

The encoding comes out byte for byte the same from the Python values given to `append` and from
the values read back through jsonb and timestamptz (see `canonical_json` for the numbers).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from json.encoder import encode_basestring

from domain.envelope import Event

from .canonical_json import NotCanonicalisable, canonical_json, encode_stored_json

GENESIS_HASH = "0" * 64


def format_timestamp(moment: datetime) -> str:
    """UTC ISO-8601 with microseconds, e.g. 2026-01-02T03:04:05.000006+00:00."""
    if moment.tzinfo is None:
        raise NotCanonicalisable(f"occurred_at must be timezone-aware, got naive {moment!r}")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


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
) -> bytes:
    """The canonical encoding from already-canonical parts.

    Spelled out by hand rather than via json.dumps of a dict so that the payload text, which the
    appender also sends to the database, is encoded once; the keys are written in sorted order.
    """
    text = (
        f'{{"actor":{encode_basestring(actor)},"event_id":"{event_id}",'
        f'"initiative_id":{encode_basestring(stream_id)},"occurred_at":"{occurred_at}",'
        f'"payload":{payload_json},"schema_version":{schema_version:d},'
        f'"sequence":{sequence:d},"type":{encode_basestring(type)}}}'
    )
    try:
        return text.encode()
    except UnicodeEncodeError as error:  # a lone surrogate has no UTF-8 form
        raise NotCanonicalisable(f"event holds text that is not valid Unicode: {error}") from error


def canonical_encoding(event: Event) -> bytes:
    """The encoding of any event; NotCanonicalisable if it has none."""
    return _encode_event(event, canonical_json(event.payload))


def stored_event_encoding(event: Event) -> bytes:
    """The encoding of an event read back from the store, whose payload is already canonical."""
    return _encode_event(event, encode_stored_json(event.payload))


def _encode_event(event: Event, payload_json: str) -> bytes:
    return encode_envelope(
        event_id=str(event.event_id),
        stream_id=event.initiative_id,
        sequence=event.sequence,
        type=event.type,
        schema_version=event.schema_version,
        actor=event.actor,
        occurred_at=format_timestamp(event.occurred_at),
        payload_json=payload_json,
    )


def chain_hash(prev_hash: str, encoding: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + encoding).hexdigest()


def event_hash(prev_hash: str, event: Event) -> str:
    return chain_hash(prev_hash, canonical_encoding(event))
