"""From asyncpg rows to store values, and the connection set-up those rows rely on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from domain.envelope import Event, Provenance
from domain.pydantic_shortcuts import construct_trusted

from .canonical_json import canonical_json, read_jsonb, read_jsonb_canonically, reencode_jsonb
from .chain import WITH_RECORDED_AT, encode_stored
from .models import Connection, RecordedEvent, StreamHead
from .verification import StoredLink


async def configure_connection(connection: Connection) -> None:
    """Pool `init` hook: jsonb travels as Python values. Give it to any pool of an EventStore."""
    await connection.set_type_codec(
        "jsonb", schema="pg_catalog", encoder=canonical_json, decoder=read_jsonb
    )


_new = object.__new__
_set = object.__setattr__


def recorded_event(row: asyncpg.Record, *, for_verifying: bool = False) -> RecordedEvent:
    """A row selected with `statements.EVENT_COLUMNS`; `for_verifying` keeps the payload's
    canonical text, which a verifier needs and other readers would only pay for."""
    (position, event_id, stream_id, version, type_, schema_version, actor, occurred_at,
     recorded_at, payload, prev_hash, hash_, provenance, encoding_version) = row  # fmt: skip
    canonical = None
    if type(payload) is str:  # as EVENT_COLUMNS selects it; a row read through the codec is not
        if for_verifying:
            payload, canonical = read_jsonb_canonically(payload)
        else:
            payload = read_jsonb(payload)
    event = _stored_event(
        event_id, stream_id, version, type_, schema_version, actor, occurred_at, payload,
        provenance,
    )
    # What the dataclass's __init__ sets, one object.__setattr__ per field; this sets all of
    # them at once, in half the time.
    recorded = _new(RecordedEvent)
    _set(recorded, "__dict__", {
        "event": event, "position": position, "prev_hash": prev_hash, "hash": hash_,
        "recorded_at": recorded_at, "encoding_version": encoding_version,
        "canonical_payload": canonical,
    })  # fmt: skip
    return recorded




def _stored_event(
    event_id: UUID,
    stream_id: str,
    version: int,
    type_: str,
    schema_version: int,
    actor: str,
    occurred_at: datetime,
    payload: dict[str, Any],
    provenance: dict[str, Any] | str | None = None,
) -> Event:
    """An Event from the columns of a stored row, not validated again.

    The table already guarantees what validation would check: uuid, text, integers of at least
    1, timestamptz (always aware) and a jsonb object (string keys, plain JSON values).
    Validating anyway took about 2 us an event, as long as asyncpg takes to decode the whole
    row; pydantic's model_construct takes longer still (see `construct_trusted`).
    """
    return construct_trusted(Event, {
        "event_id": event_id,
        "initiative_id": stream_id,
        "sequence": version,
        "type": type_,
        "schema_version": schema_version,
        "actor": actor,
        "occurred_at": occurred_at,
        "payload": payload,
        # Validated: rare, and written by the few doors that authenticate people.
        "provenance": None if provenance is None else Provenance.model_validate(
            _as_object(provenance)),
    })  # fmt: skip


def recorded_head(rows: Sequence[asyncpg.Record]) -> StreamHead | None:
    """The head row's part of `statements.chain_of_stream`."""
    head_version, head_hash = rows[0][0], rows[0][1]
    return None if head_version is None else StreamHead(head_version, head_hash)


def stored_links(stream_id: str, rows: Iterable[asyncpg.Record]) -> Iterator[StoredLink]:
    """The events' part of `statements.chain_of_stream`, re-encoded without building Events."""
    for row in rows:
        if row[2] is None:  # the stream has no events
            return
        (_, _, version, event_id, type_, schema_version, actor, occurred_at, payload, prev, hash_,
         provenance, recorded_at, encoding_version) = row  # fmt: skip
        try:
            encoding: bytes | None = encode_stored(
                event_id, stream_id, version, type_, schema_version, actor, occurred_at,
                orjson.Fragment(reencode_jsonb(payload)),
                provenance=None if provenance is None else _as_object(provenance),
                recorded_at=recorded_at if encoding_version == WITH_RECORDED_AT else None,
            )  # fmt: skip
        except ValueError:  # only rows written behind the store's back have no encoding
            encoding = None
        yield StoredLink(version, prev, hash_, encoding, encoding_version)


def _as_object(value: dict[str, Any] | str) -> dict[str, Any]:
    """A jsonb value as the pool's codec gives it (parsed) or a plain connection does (text)."""
    return read_jsonb(value) if isinstance(value, str) else value
