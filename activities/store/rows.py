"""From asyncpg rows to store values, and the connection set-up those rows rely on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import asyncpg

from domain.envelope import Event

from .canonical_json import canonical_json, encode_stored_json, read_jsonb
from .chain import encode_envelope, format_timestamp
from .models import RecordedEvent, StreamHead
from .verification import StoredLink


async def configure_connection(connection: asyncpg.Connection) -> None:
    """Pool `init` hook: jsonb travels as Python values. Give it to any pool of an EventStore."""
    await connection.set_type_codec(
        "jsonb", schema="pg_catalog", encoder=canonical_json, decoder=read_jsonb
    )


def recorded_event(row: asyncpg.Record) -> RecordedEvent:
    """A row selected with `statements.EVENT_COLUMNS`."""
    (position, event_id, stream_id, version, type_, schema_version, actor, occurred_at,
     recorded_at, payload, prev_hash, hash_) = row  # fmt: skip
    event = Event(
        event_id=event_id,
        initiative_id=stream_id,
        sequence=version,
        type=type_,
        schema_version=schema_version,
        actor=actor,
        occurred_at=occurred_at,
        payload=payload,
    )
    return RecordedEvent(event, position, prev_hash, hash_, recorded_at)


def recorded_head(rows: Sequence[asyncpg.Record]) -> StreamHead | None:
    """The head row's part of `statements.chain_of_stream`."""
    head_version, head_hash = rows[0][0], rows[0][1]
    return None if head_version is None else StreamHead(head_version, head_hash)


def stored_links(stream_id: str, rows: Iterable[asyncpg.Record]) -> Iterator[StoredLink]:
    """The events' part of `statements.chain_of_stream`, re-encoded without building Events."""
    for row in rows:
        if row[2] is None:  # the stream has no events
            return
        _, _, version, event_id, type_, schema_version, actor, occurred_at, payload, prev, hash_ = (
            row
        )
        try:
            encoding: bytes | None = encode_envelope(
                event_id=str(event_id),
                stream_id=stream_id,
                sequence=version,
                type=type_,
                schema_version=schema_version,
                actor=actor,
                occurred_at=format_timestamp(occurred_at),
                payload_json=encode_stored_json(payload),
            )
        except ValueError:  # only rows written behind the store's back have no encoding
            encoding = None
        yield StoredLink(version, prev, hash_, encoding)
