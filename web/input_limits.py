"""Bounds on what a request may say, checked before anything acts on it: how deep its JSON nests
and how large its integers are. Each is refused as a 422 problem, never left to overflow a
parser's stack or the database's 64-bit integers (a 500, or a dropped connection)."""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any

from fastapi import Query

from web.problems import invalid

MAX_JSON_DEPTH = 32  # a spec nests four levels; an action's arguments one
INT64_MAX = 2**63 - 1
# A position in the global record, or a version of an initiative: what PostgreSQL's bigint holds.
Position = Annotated[int, Query(ge=0, le=INT64_MAX)]
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def position_of(text: str) -> int | None:
    """A position given as text (`Last-Event-ID`); None when it is not one."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(INT64_MAX)):
        return None
    position = int(digits)
    return position if position <= INT64_MAX else None


def parse_json(text: str) -> Any:
    """The JSON value of `text`, refused (422) when it is not JSON, nests deeper than
    MAX_JSON_DEPTH, or holds an integer outside 64 bits, a number too large for a float, or a
    NaN or infinity."""
    _check_depth(text)
    try:
        return json.loads(text, parse_int=_bounded_int, parse_float=_finite_float,
                          parse_constant=_no_constant)
    except ValueError as error:
        raise invalid(f"the body is not JSON: {error}") from None


def _check_depth(text: str) -> None:
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > MAX_JSON_DEPTH:
            raise invalid(f"the body nests deeper than {MAX_JSON_DEPTH} levels",
                          [{"loc": "body", "msg": "nested too deep"}])


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > len(str(INT64_MAX)) or not (
            -INT64_MAX - 1 <= int(digits) <= INT64_MAX):
        raise ValueError(f"the integer {digits[:24]} is outside 64 bits")
    return int(digits)


def _finite_float(digits: str) -> float:
    number = float(digits)
    if not math.isfinite(number):
        raise ValueError(f"the number {digits[:24]} is too large")
    return number


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")
