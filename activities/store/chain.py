"""The canonical encoding of an event and the hash chain built on it.

Pure functions, shared by the appender (which computes the hashes) and by every verifier (which
recomputes them from what the database gives back), so the two can never disagree on the format.

    canonical_encoding(event) = compact JSON of every envelope field, keys sorted, UTF-8 and not
                                ASCII-escaped, occurred_at as UTC ISO-8601 with microseconds
    hash(event)               = sha256(prev_hash || canonical_encoding(event)), as lowercase hex,
                                where prev_hash is the previous event's hash as 64 ASCII hex
                                characters and the first event of a stream follows GENESIS_HASH

The encoding must come out byte for byte the same from the Python values given to `append` and
from the values read back through jsonb and timestamptz. Two things change on that trip: jsonb
keeps numbers as `numeric`, so a float such as 1e20 comes back as the integer
100000000000000000000 and -0.0 comes back as 0.0; and Python prints every other float the same
way before and after. Payloads are therefore normalised first (huge floats become the integers
they equal, negative zero loses its sign), which is a no-op on what the database returns.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any

from domain.envelope import Event

GENESIS_HASH = "0" * 64

# Python prints floats from 1e16 upwards in exponent form, and those are exactly the floats that
# jsonb gives back as integers; every such double is a whole number, so the integer is exact.
_FIRST_FLOAT_PRINTED_WITH_EXPONENT = 1e16


class NotCanonicalisable(ValueError):
    """A payload that has no canonical JSON form (NaN, infinity, cycles, non-JSON types...)."""


def normalise_json_float(literal: str) -> float | int:
    """`parse_float` hook: the value jsonb would give back for this JSON number literal."""
    value = float(literal)
    if value == 0.0:
        return 0.0
    if abs(value) >= _FIRST_FLOAT_PRINTED_WITH_EXPONENT and math.isfinite(value):
        return int(value)
    return value


_DECODER = json.JSONDecoder(parse_float=normalise_json_float)

# The strict encoder guards the write path against data jsonb cannot represent; the fast one
# re-encodes data that came out of the decoder above and cannot hold anything else.
_STRICT_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)
_FAST_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"), check_circular=False
)


def decode_json(text: str) -> Any:
    """Parse JSON text the way it must be read for hashing: numbers normalised."""
    return _DECODER.decode(text)


def encode_json(value: Any) -> str:
    """Canonical JSON text of a value already in normal form (e.g. decoded by `decode_json`)."""
    return _FAST_ENCODER.encode(value)


def canonical_payload(payload: Mapping[str, Any]) -> str:
    """Canonical JSON text of an arbitrary payload: validated, normalised, encoded."""
    try:
        text = _STRICT_ENCODER.encode(payload)
    except (TypeError, ValueError, RecursionError) as error:
        raise NotCanonicalisable(f"payload is not plain JSON data: {error}") from error
    # Only exponent-form or negative-zero floats change under normalisation; both leave one of
    # these marks in the text (strings can too, which merely costs the slow path).
    if "e+" in text or "-0.0" in text:
        text = encode_json(decode_json(text))
    return text


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
    return encode_envelope(
        event_id=str(event.event_id),
        stream_id=event.initiative_id,
        sequence=event.sequence,
        type=event.type,
        schema_version=event.schema_version,
        actor=event.actor,
        occurred_at=format_timestamp(event.occurred_at),
        payload_json=canonical_payload(event.payload),
    )


def chain_hash(prev_hash: str, encoding: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + encoding).hexdigest()


def event_hash(prev_hash: str, event: Event) -> str:
    return chain_hash(prev_hash, canonical_encoding(event))
