"""Canonical JSON text: compact, keys sorted, not ASCII-escaped, and stable through jsonb.

The text is orjson's (compact, keys sorted by code point, strings escaped as the json module does
with ensure_ascii=False, floats in their shortest round-trip form: as repr() writes them, except
that magnitudes below 1e-4 read 0.00001 and 1e-7 rather than 1e-05 and 1e-07). orjson encodes
about eight times faster than the json module, and every read that verifies a hash re-encodes.

jsonb keeps numbers as `numeric` and prints them in plain decimal notation, so what comes back is
not always what went in: 1e20 returns as the integer 100000000000000000000, -0.0 as 0.0. The
canonical text of a value is therefore the text of what the value reads back as, which makes it
a fixed point: storing canonical text and reading it back yields the same canonical text.
Concretely, floats written with a positive exponent (from 1e16 up, all of them whole numbers)
become the integers they equal, negative zero loses its sign, and non-string keys become the
strings JSON makes of them before the keys are sorted.
"""

from __future__ import annotations

import json
from math import copysign
from typing import Any

import orjson

# Both json and orjson print floats from 1e16 upwards in exponent form, and those are exactly
# the floats jsonb gives back as integers; every such double is a whole number, so the integer
# is exact.
_FIRST_FLOAT_PRINTED_WITH_EXPONENT = 1e16

_SORTED = orjson.OPT_SORT_KEYS
_dumps = orjson.dumps


class NotCanonicalisable(ValueError):
    """A value with no canonical JSON text (NaN, infinity, cycles, non-JSON types...)."""


def _as_jsonb_reads_it(literal: str) -> float | int:
    value = float(literal)
    if value == 0.0:
        return 0.0
    if abs(value) >= _FIRST_FLOAT_PRINTED_WITH_EXPONENT:
        return int(value)
    return value


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON data")


# The json module, not orjson, vets arbitrary input: it refuses NaN and infinity (orjson writes
# null), datetimes, UUIDs and dataclasses (orjson encodes them), and turns int, float, bool and
# None keys into strings the way jsonb will see them. Sorting keeps refusing keys of mixed types,
# such as {1: ..., "1": ...}, which would otherwise collapse into one key depending on dict order.
# No circular check: a cyclic value ends in RecursionError, which callers treat as refusal.
_vet = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"),
    check_circular=False, default=_refuse,
).encode  # fmt: skip
_decode_normalising = json.JSONDecoder(parse_float=_as_jsonb_reads_it).decode
_decode_exactly = json.JSONDecoder().raw_decode


def canonical_json(value: Any) -> str:
    """The canonical text of any JSON-able value; NotCanonicalisable if it has none."""
    try:
        if _already_normal(value):
            return _dumps(value, option=_SORTED).decode()
    except (orjson.JSONEncodeError, RecursionError):
        pass  # too deep, integers beyond 64 bits, text that is not Unicode: the long way says
    return normalised_json(value)


def normalised_json(value: Any) -> str:
    """`canonical_json` the long way, for any value: through the json module, which refuses
    what is not JSON and normalises numbers as jsonb reads them, then orjson's text."""
    try:
        normal = _decode_normalising(_vet(value))
    except (TypeError, ValueError, RecursionError) as error:
        raise NotCanonicalisable(f"not plain JSON data: {error}") from error
    return encode_json(normal).decode()


def _already_normal(value: Any) -> bool:
    """Whether `value` is built of exactly the types JSON reads back as (dict with text keys,
    list, str, int, bool, None) and of floats that jsonb gives back unchanged (finite, below
    1e16, not -0.0). Normalising such a value changes nothing, so its canonical text is
    orjson's text of the value itself: one walk and one encoding instead of the json module's
    encode and decode, four times slower. Anything else (tuples, subclasses, NaN, any other
    type) takes the long way, which normalises it or refuses it."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        # NaN fails the comparison; -0.0 is the one value that equals 0.0 and is not it.
        return abs(value) < _FIRST_FLOAT_PRINTED_WITH_EXPONENT and (
            value != 0.0 or copysign(1.0, value) > 0)
    if kind is dict:
        return all(type(key) is str and _already_normal(item) for key, item in value.items())
    if kind is list:
        return all(_already_normal(item) for item in value)
    return False


def encode_json(value: Any) -> bytes:
    """Canonical text of a value already in normal form (see `canonical_json`), as UTF-8.

    Only for normalised values and values read from jsonb: NaN and infinity, which neither can
    hold, would come out as null.
    """
    try:
        return _dumps(value, option=_SORTED)
    except orjson.JSONEncodeError:
        pass  # integers beyond 64 bits, nesting deeper than orjson goes, or not JSON at all
    try:
        return _encode_piecewise(value)
    except (TypeError, ValueError, RecursionError) as error:
        raise NotCanonicalisable(f"not plain JSON data: {error}") from error


def _encode_piecewise(value: Any) -> bytes:
    """What orjson would write if it took any integer and any depth: containers are spelled out
    here, every other value is left to orjson, so the two ways cannot differ."""
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"object key {key!r} is not a string")
        members = (_dumps(key) + b":" + _encode_piecewise(value[key]) for key in sorted(value))
        return b"{" + b",".join(members) + b"}"
    if isinstance(value, list | tuple):
        return b"[" + b",".join(map(_encode_piecewise, value)) + b"]"
    if isinstance(value, int) and not isinstance(value, bool):
        return b"%d" % value
    return _dumps(value)


def read_jsonb(text: str) -> Any:
    """Parse PostgreSQL's jsonb output.

    orjson parses about three times faster than the json module, but reads integers beyond 64
    bits as floats. Those floats are 9.2e18 or more and so come out in exponent form, which no
    float the store keeps does (see `canonical_json`), and jsonb never writes an exponent: a
    value whose re-encoding has a "+" is parsed again exactly. A string holding one takes that
    way too, which costs time, not correctness; a single byte is what memchr finds fastest.
    """
    try:
        value = orjson.loads(text)
        if b"+" not in _dumps(value):
            return value
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):  # nested deeper than orjson goes
        pass
    return _read_exactly(text)


def read_jsonb_canonically(text: str) -> tuple[Any, bytes]:
    """`read_jsonb(text)` and its canonical text at once: a reader that will verify the hash
    needs both, and one encoding serves the check for lost digits and the hash alike."""
    try:
        value = orjson.loads(text)
        encoded = _dumps(value, option=_SORTED)
        if b"+" not in encoded:
            return value, encoded
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass
    value = _read_exactly(text)
    return value, encode_json(value)


def reencode_jsonb(text: str) -> bytes:
    """`encode_json(read_jsonb(text))`, for verifiers that need only the canonical text: the
    check for lost digits is then made on the canonical text itself."""
    try:
        encoded = _dumps(orjson.loads(text), option=_SORTED)
        if b"+" not in encoded:
            return encoded
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass
    return encode_json(_read_exactly(text))


def _read_exactly(text: str) -> Any:
    # jsonb output is one value without surrounding whitespace: no need to look past it.
    return _decode_exactly(text)[0]
