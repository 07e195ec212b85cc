"""The canonical encoding: its exact format, and that it survives the trip through PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import asyncpg
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.envelope import Event
from store import EventStore, canonical_encoding, configure_connection
from store.canonical_json import (
    NotCanonicalisable,
    canonical_json,
    encode_json,
    normalised_json,
    read_jsonb,
    reencode_jsonb,
)
from store.chain import GENESIS_HASH, encode_stored, event_hash, format_timestamp

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
        payload={"b": 1.5, "a": [1e20, -0.0, 1e-7, 1.5e-5, 2**70], "é": "\u2028\t"},
    )
    assert canonical_encoding(pinned).decode() == (
        '{"actor":"zoë","event_id":"12345678-1234-5678-1234-567812345678",'
        '"initiative_id":"init-7","occurred_at":"2026-01-02T03:04:05.000006+00:00",'
        '"payload":{"a":[100000000000000000000,0.0,1e-7,0.000015,1180591620717411303424],'
        '"b":1.5,"é":"\u2028\\t"},"schema_version":2,"sequence":3,"type":"OwnerAccepted"}'
    )
    assert event_hash(GENESIS_HASH, pinned) == (
        "19aa78f3c1ec6e6fd05fb684bf927780d0ffde3e382845cd56f2c6a23d6f4722"
    )


@pytest.mark.parametrize(
    ("number", "spelled"),
    [(0.1, "0.1"), (2.0, "2.0"), (1 / 3, "0.3333333333333333"), (1e15, "1000000000000000.0"),
     (1e-4, "0.0001"), (1e-5, "0.00001"), (9.9e-6, "9.9e-6"), (5e-324, "5e-324"),
     (-1.5e-300, "-1.5e-300"), (2**64 - 1, "18446744073709551615"),
     (-(2**63), "-9223372036854775808"), (2**64, "18446744073709551616"),
     (-(2**63) - 1, "-9223372036854775809")],
)  # fmt: skip
def test_number_spelling_is_pinned(number: float, spelled: str) -> None:
    """Numbers are spelled as orjson spells them, so an orjson upgrade that spelled them
    otherwise would change every hash: this catches it before anything is stored."""
    assert canonical_json({"n": number}) == f'{{"n":{spelled}}}'


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


@given(moment=moments)
def test_timestamp_format(moment: datetime) -> None:
    """ISO-8601 in UTC, with microseconds unless they are zero, as isoformat() writes it."""
    assert format_timestamp(moment) == moment.isoformat()
    assert format_timestamp(moment.astimezone(timezone(timedelta(hours=-5)))) == moment.isoformat()


def test_timestamp_format_is_pinned() -> None:
    whole_second = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert format_timestamp(whole_second) == "2026-01-02T03:04:05+00:00"
    assert format_timestamp(datetime(9, 1, 2, 3, 4, 5, 60, tzinfo=UTC)) == (
        "0009-01-02T03:04:05.000060+00:00"
    )


@given(payload=payloads)
def test_encoding_orjson_refuses_the_same_way(payload: dict[str, Any]) -> None:
    """Integers beyond 64 bits and deep nesting are encoded without orjson's help, identically."""
    normal = json.loads(canonical_json(payload))
    deep: Any = normal
    for _ in range(300):
        deep = [deep]
    assert encode_json(deep) == b"[" * 300 + encode_json(normal) + b"]" * 300
    assert encode_json({"big": 2**64, "rest": normal}) == (
        b'{"big":18446744073709551616,"rest":' + encode_json(normal) + b"}"
    )


@pytest.mark.parametrize(
    "text",
    [
        '{"n": 100000000000000000000}',
        '{"n": -9223372036854775809, "m": [18446744073709551616]}',
        '{"n": 18446744073709551615, "m": -9223372036854775808}',
        '{"note": "1e+20 is not a number here", "n": 1}',
        '{"n": 0.0000001, "m": 12345678901234567890.5}',
        '{"deep": ' + "[" * 300 + "]" * 300 + "}",
    ],
)
def test_jsonb_output_is_read_exactly(text: str) -> None:
    """orjson reads integers beyond 64 bits as floats; those must come back as the integers."""
    read = read_jsonb(text)
    assert read == json.loads(text)
    assert json.dumps(read) == json.dumps(json.loads(text))
    assert reencode_jsonb(text) == encode_json(json.loads(text))


def spelled(value: Any) -> str:
    """Compact JSON, keys sorted, not ASCII-escaped; floats as `test_number_spelling_is_pinned`."""
    if isinstance(value, dict):
        members = (f"{spelled(key)}:{spelled(value[key])}" for key in sorted(value))
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(map(spelled, value)) + "]"
    if isinstance(value, float):
        return orjson.dumps(value).decode()
    return json.dumps(value, ensure_ascii=False)


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
        "occurred_at": subject.occurred_at.astimezone(UTC).isoformat(),
        "payload": normalised,
    }
    assert canonical_encoding(subject).decode() == spelled(envelope)
    assert normalised == payload, "normalising may change how a number is written, not its value"


@given(payload=payloads, recorded_at=st.none() | st.just(datetime(2026, 3, 4, 5, 6, 7, 8, UTC)),
       provenance=st.none() | st.just({"via": "token", "token_id": "t-1", "zeta": [2, 1]}))
def test_a_payload_given_as_canonical_text_encodes_as_the_payload_itself(
    payload: dict[str, Any], recorded_at: datetime | None, provenance: dict[str, Any] | None
) -> None:
    # The verifier's way (the stored payload's canonical text, keys already in order) and the
    # appender's (the payload itself, sorted by orjson) must give the same bytes.
    normal = json.loads(canonical_json(payload))
    arguments = (uuid.UUID(int=7), "i-1", 3, "Tested", 1, "a@example.com",
                 datetime(2026, 1, 2, tzinfo=UTC))
    by_text = encode_stored(*arguments, orjson.Fragment(canonical_json(normal)), provenance,
                            recorded_at)
    assert by_text == encode_stored(*arguments, normal, provenance, recorded_at)
    assert list(json.loads(by_text)) == sorted(json.loads(by_text))


@pytest.fixture(scope="module")
async def connection(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    await configure_connection(connection)
    yield connection
    await connection.close()


async def through_postgres(connection: asyncpg.Connection, subject: Event) -> Event:
    """The event as the store reads it back: payload via jsonb, occurred_at via timestamptz."""
    row = await connection.fetchrow(
        "SELECT $1::text::jsonb, $2::timestamptz",
        canonical_json(subject.payload),
        subject.occurred_at,
    )
    assert row is not None
    payload, occurred_at = row
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
    assert recorded.hash == result.head_hash == event_hash(
        GENESIS_HASH, recorded.event, recorded.recorded_at)
    assert (await store.verify_stream("i-1")).ok
    # What changes on the way is exactly what the normalisation anticipates.
    assert recorded.event.payload["huge"] == 10**20 and isinstance(
        recorded.event.payload["huge"], int
    )
    assert str(recorded.event.payload["negative_zero"]) == "0.0"
    assert recorded.event.payload["tiny"] == 1e-7
    assert recorded.event.payload["unicode"] == AWKWARD_PAYLOAD["unicode"]


awkward_scalars = (
    json_scalars
    | st.sampled_from([-0.0, 0.0, 1e16, -1e16, 9999999999999998.0, 1e300, 2**63, 2**64, -(2**70),
                       float("nan"), float("inf"), "\ud800", (1, 2), b"x"])
)
awkward_values = st.recursive(
    awkward_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.tuples(children)
        | st.dictionaries(json_text | st.integers() | st.booleans() | st.none(), children,
                          max_size=4)
    ),
    max_leaves=12,
)


def _either_text_or_refusal(encode: Any, value: Any) -> str:
    try:
        return str(encode(value))
    except NotCanonicalisable:
        return "refused"


@given(value=awkward_values)
def test_the_quick_way_to_canonical_text_is_the_long_way(value: Any) -> None:
    """Plain values skip the json module's normalisation; whatever the value, the text (or the
    refusal) is what normalising it first would give."""
    assert _either_text_or_refusal(canonical_json, value) == _either_text_or_refusal(
        normalised_json, value)


def test_the_quick_way_takes_deep_nesting_the_long_way() -> None:
    deep: Any = "leaf"
    for _ in range(300):  # beyond orjson's depth
        deep = [deep]
    assert canonical_json(deep) == normalised_json(deep)
