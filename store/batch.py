"""Turning the events of one append into the columns the database function takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.envelope import Event

from .canonical_json import NotCanonicalisable, canonical_json
from .chain import chain_hash, encode_envelope, format_timestamp, provenance_of
from .errors import InvalidAppend


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """Validated events, column-wise, with their canonical encodings (encoding 2: they cover
    `recorded_at`, the moment the batch was prepared, which the rows then carry).

    The encodings do not depend on the stream's head, so they are computed once even when the
    append has to re-chain after learning the actual head.
    """

    stream_id: str
    expected_version: int
    recorded_at: datetime
    events: tuple[Event, ...]
    event_ids: list[UUID]
    types: list[str]
    schema_versions: list[int]
    actors: list[str]
    occurred_at: list[datetime]
    payloads: list[str]
    provenances: list[str | None]
    encodings: list[bytes]

    def hashes_from(self, prev_hash: str) -> list[str]:
        hashes = []
        for encoding in self.encodings:
            prev_hash = chain_hash(prev_hash, encoding)
            hashes.append(prev_hash)
        return hashes

    def prev_hashes(self, head_hash: str, hashes: Sequence[str]) -> list[str]:
        return [head_hash, *hashes[:-1]]


def prepare_batch(stream_id: str, expected_version: int, events: Sequence[Event]) -> PreparedBatch:
    if expected_version < 0:
        raise InvalidAppend(f"expected_version must be 0 or more, got {expected_version}")
    if not events:
        raise InvalidAppend(f"nothing to append to stream {stream_id!r}")
    if len({event.event_id for event in events}) < len(events):
        raise InvalidAppend(f"an event id appears twice in one append to stream {stream_id!r}")
    recorded_at = datetime.now(UTC)
    stamp = format_timestamp(recorded_at)
    payloads: list[str] = []
    provenances: list[str | None] = []
    encodings: list[bytes] = []
    for offset, event in enumerate(events, start=1):
        _check_place(stream_id, expected_version + offset, event)
        try:
            payload = canonical_json(event.payload)
            provenance = provenance_of(event)
            encoding = encode_envelope(
                event_id=str(event.event_id),
                stream_id=stream_id,
                sequence=event.sequence,
                type=event.type,
                schema_version=event.schema_version,
                actor=event.actor,
                occurred_at=format_timestamp(event.occurred_at),
                payload_json=payload,
                provenance=provenance,
                recorded_at=stamp,
            )
        except NotCanonicalisable as error:
            raise InvalidAppend(f"event {event.event_id} cannot be stored: {error}") from error
        payloads.append(payload)
        provenances.append(None if provenance is None else canonical_json(provenance))
        encodings.append(encoding)
    return PreparedBatch(
        stream_id=stream_id,
        expected_version=expected_version,
        recorded_at=recorded_at,
        events=tuple(events),
        event_ids=[event.event_id for event in events],
        types=[event.type for event in events],
        schema_versions=[event.schema_version for event in events],
        actors=[event.actor for event in events],
        occurred_at=[event.occurred_at for event in events],
        payloads=payloads,
        provenances=provenances,
        encodings=encodings,
    )


def _check_place(stream_id: str, version: int, event: Event) -> None:
    if event.initiative_id != stream_id:
        raise InvalidAppend(
            f"event {event.event_id} belongs to initiative {event.initiative_id!r}, "
            f"not to stream {stream_id!r}"
        )
    if event.sequence != version:
        raise InvalidAppend(
            f"event {event.event_id} has sequence {event.sequence} but would be version "
            f"{version} of stream {stream_id!r}: sequences must continue the expected version "
            f"without gaps"
        )
