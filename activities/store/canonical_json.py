"""Canonical JSON text: compact, keys sorted, not ASCII-escaped, and stable through jsonb.

jsonb keeps numbers as `numeric` and prints them in plain decimal notation, so what comes back is
not always what went in: 1e20 returns as the integer 100000000000000000000, -0.0 as 0.0. The
canonical text of a value is therefore the text of what the value reads back as, which makes it
a fixed point: storing canonical text and reading it back yields the same canonical text.
Concretely, floats that Python prints with a positive exponent (all of them whole numbers) become
the integers they equal, negative zero loses its sign, and non-string keys become the strings
JSON makes of them before the keys are sorted.
"""

from __future__ import annotations

import json
import json.encoder
import json.scanner
from collections.abc import Callable
from typing import Any

# Python prints floats from 1e16 upwards in exponent form, and those are exactly the floats jsonb
# gives back as integers; every such double is a whole number, so the integer is exact.
_FIRST_FLOAT_PRINTED_WITH_EXPONENT = 1e16


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


def _compact_sorted_encoder() -> Callable[[Any], str]:
    # The C encoder built once is markedly faster than json.dumps, which rebuilds it per call.
    # No circular check: a cyclic value ends in RecursionError, which callers treat as refusal.
    make = getattr(json.encoder, "c_make_encoder", None)  # private to the json package
    if make is None:  # an interpreter without the C accelerator
        return json.JSONEncoder(
            ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"),
            check_circular=False, default=_refuse,
        ).encode  # fmt: skip
    encode = make(None, _refuse, json.encoder.encode_basestring, None, ":", ",", True, False, False)
    return lambda value: "".join(encode(value, 0))


_encode = _compact_sorted_encoder()
_decode_normalising = json.JSONDecoder(parse_float=_as_jsonb_reads_it).decode
_scan: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    json.JSONDecoder()  # type: ignore[arg-type]  # typeshed wants the scanner class itself
)


def canonical_json(value: Any) -> str:
    """The canonical text of any JSON-able value; NotCanonicalisable if it has none."""
    try:
        return _encode(_decode_normalising(_encode(value)))
    except (TypeError, ValueError, RecursionError) as error:
        raise NotCanonicalisable(f"not plain JSON data: {error}") from error


def encode_stored_json(value: Any) -> str:
    """The canonical text of a value read back from jsonb, which is already in normal form.

    Skips the normalisation, so a value rewritten behind the store's back is encoded as it now
    is, which is what a verifier must hash.
    """
    return _encode(value)


def read_jsonb(text: str) -> Any:
    """Parse PostgreSQL's jsonb output: one value, no surrounding whitespace, so the bare
    scanner suffices and skips json.loads's whitespace handling."""
    return _scan(text, 0)[0]
