"""From asyncpg rows to store values, and the connection set-up those rows rely on."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import asyncpg

from domain.envelope import Event

from .chain import NotCanonicalisable, decode_json, encode_envelope, encode_json, format_timestamp
from .models import RecordedEvent
from .verification import StoredLink


async def configure_connection(connection: asyncpg.Connection) -> None:
    """Pool `init` hook: json and jsonb travel as Python values, numbers normalised for hashing.

    Give it to any pool an EventStore is built on.
    """
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name, schema="pg_catalog", encoder=encode_json, decoder=decode_json
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


def stored_links(stream_id: str, rows: Iterable[asyncpg.Record]) -> Iterator[StoredLink]:
    """Rows of `statements.chain_of_stream`, re-encoded without building Event objects."""
    for version, event_id, type_, schema_version, actor, occurred_at, payload, prev, hash_ in rows:
        try:
            encoding: bytes | None = encode_envelope(
                event_id=str(event_id),
                stream_id=stream_id,
                sequence=version,
                type=type_,
                schema_version=schema_version,
                actor=actor,
                occurred_at=format_timestamp(occurred_at),
                payload_json=encode_json(payload),
            )
        except (NotCanonicalisable, ValueError):
            encoding = None
        yield StoredLink(version, prev, hash_, encoding)
