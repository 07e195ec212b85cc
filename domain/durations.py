"""Durations as people write them in specs: `30s`, `15m`, `12h`, `45d` (and `2w`)."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
# Ten years: longer than any follow-up plan, short enough that `now + d` never overflows.
MAX_DURATION = timedelta(days=3650)
_RESOLUTION = timedelta(microseconds=1)  # timedelta's own
_PER_SECOND = 1_000_000
_NOT_A_DURATION = "{value!r} is not a duration (use a number and s, m, h, d or w: '30d')"


def parse_duration(value: object) -> timedelta:
    if isinstance(value, str):
        return _parsed_text(value)
    if isinstance(value, timedelta):
        return _checked(value.total_seconds(), value)
    raise ValueError(_NOT_A_DURATION.format(value=value))


# Every stored state spells its spec's durations again, and a portfolio reads thousands of
# states: the same few texts ('7d', '30d') are parsed once. A refusal is not kept.
@lru_cache(maxsize=1024)
def _parsed_text(value: str) -> timedelta:
    match = _PATTERN.match(value)
    if not match:
        raise ValueError(_NOT_A_DURATION.format(value=value))
    return _checked(float(match.group(1)) * _UNITS[match.group(2)], value)


def _checked(seconds: float, value: object) -> timedelta:
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"{value!r} is not a positive duration")
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"{value!r} is longer than {MAX_DURATION.days} days")
    duration = timedelta(seconds=seconds)
    if duration < _RESOLUTION:  # would round to nothing, and then not parse back
        raise ValueError(f"{value!r} is shorter than a microsecond")
    return duration


def format_duration(value: timedelta) -> str:
    """The shortest spelling that parses back to the same duration."""
    microseconds = value // _RESOLUTION
    for unit in ("d", "h", "m"):
        size = _UNITS[unit] * _PER_SECOND
        if microseconds >= size and microseconds % size == 0:
            return f"{microseconds // size}{unit}"
    # Whole decimals, never an exponent: 1e-05 is no duration the parser accepts.
    seconds, fraction = divmod(microseconds, _PER_SECOND)
    return f"{seconds}.{fraction:06d}".rstrip("0").rstrip(".") + "s"


def _parse(value: Any) -> timedelta:
    return parse_duration(value)


Duration = Annotated[
    timedelta,
    BeforeValidator(_parse),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _PATTERN.pattern}),
]
