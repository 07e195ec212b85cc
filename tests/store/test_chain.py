"""The canonical encoding: its exact format, and that it survives the trip through PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.store import EventStore, canonical_encoding, configure_connection
from activities.store.canonical_json import canonical_json
from activities.store.chain import GENESIS_HASH, chain_hash, event_hash
from domain.envelope import Event

from .builders import event

AWKWARD_PAYLOAD: dict[str, Any] = {
    "tenth": 0.1,
    "tiny": 1e-7,
    "huge": 1e20,
    "negative_zero": -0.0,
    "smallest": 5e-324,
    "largest": 1.7976931348623157e308,
    "third": 1 / 3,
    "whole_float": 2.0,
    "big_int": 2**70,
    "unicode": "é ✓ 𝄞 \u2028 日本",
    "controls": 'tab\tquote"backslash\\newline\n\x01\x7f',
    "nested": {"b": [1, {"z": None, "a": True}], "B": [], "é": {}, "a": False},
}


def test_encoding_format_is_pinned() -> None:
    pinned = Event(
        event_id=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        initiative_id="init-7",
        sequence=3,
        type="OwnerAccepted",
        schema_version=2,
        actor="zoë",
        occurred_at=datetime(2026, 1, 2, 4, 4, 5, 6, tzinfo=timezone(timedelta(hours=1))),
        payload={"b": 1.5, "a": [1e20, -0.0]},
    )
    assert canonical_encoding(pinned).decode() == (
        '{"actor":"zoë","event_id":"12345678-1234-5678-1234-567812345678",'
        '"initiative_id":"init-7","occurred_at":"2026-01-02T03:04:05.000006+00:00",'
        '"payload":{"a":[100000000000000000000,0.0],"b":1.5},"schema_version":2,'
        '"sequence":3,"type":"OwnerAccepted"}'
    )
    assert event_hash(GENESIS_HASH, pinned) == chain_hash(GENESIS_HASH, canonical_encoding(pinned))


json_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=8)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | json_text
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_text, children, max_size=4)
    ),
    max_leaves=12,
)
payloads = st.dictionaries(json_text, json_values, max_size=5)
moments = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)


@given(payload=payloads)
def test_encoding_is_sorted_compact_json_of_the_envelope(payload: dict[str, Any]) -> None:
    subject = event("i-1", 1, payload)
    normalised = json.loads(canonical_json(payload))
    envelope = {
        "event_id": str(subject.event_id),
        "initiative_id": subject.initiative_id,
        "sequence": subject.sequence,
        "type": subject.type,
        "schema_version": subject.schema_version,
        "actor": subject.actor,
        "occurred_at": subject.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "payload": normalised,
    }
    expected = json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    assert canonical_encoding(subject).decode() == expected
    assert normalised == payload, "normalising may change how a number is written, not its value"


@pytest.fixture(scope="module")
async def connection(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    await configure_connection(connection)
    yield connection
    await connection.close()


async def through_postgres(connection: asyncpg.Connection, subject: Event) -> Event:
    """The event as the store reads it back: payload via jsonb, occurred_at via timestamptz."""
    payload, occurred_at = await connection.fetchrow(
        "SELECT $1::text::jsonb, $2::timestamptz",
        canonical_json(subject.payload),
        subject.occurred_at,
    )
    return subject.model_copy(update={"payload": payload, "occurred_at": occurred_at})


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=payloads, occurred_at=moments)
async def test_encoding_survives_jsonb_and_timestamptz(
    connection: asyncpg.Connection, payload: dict[str, Any], occurred_at: datetime
) -> None:
    subject = event("i-1", 1, payload, occurred_at=occurred_at)
    assert canonical_encoding(await through_postgres(connection, subject)) == canonical_encoding(
        subject
    )


async def test_awkward_values_round_trip_through_the_store(store: EventStore) -> None:
    subject = event("i-1", 1, AWKWARD_PAYLOAD)
    result = await store.append("i-1", 0, [subject])

    (recorded,) = await store.read_stream("i-1")

    assert canonical_encoding(recorded.event) == canonical_encoding(subject)
    assert recorded.hash == result.head_hash == event_hash(GENESIS_HASH, recorded.event)
    assert (await store.verify_stream("i-1")).ok
    # What changes on the way is exactly what the normalisation anticipates.
    assert recorded.event.payload["huge"] == 10**20 and isinstance(
        recorded.event.payload["huge"], int
    )
    assert str(recorded.event.payload["negative_zero"]) == "0.0"
    assert recorded.event.payload["tiny"] == 1e-7
    assert recorded.event.payload["unicode"] == AWKWARD_PAYLOAD["unicode"]
