"""Numbers as the person reading the page writes them: `5,2` or `5.2`, after their language.

The browser's Accept-Language names the person's languages, most preferred first; the first one
decides which mark separates decimals. A typed number is read with the person's mark; the other
mark is read as a decimal one too, unless it could be grouping thousands (`1,000` to someone who
writes `5.2`), which is refused as ambiguous rather than guessed. A number shown back uses the
person's own mark.
"""

from __future__ import annotations

import math
import re

# Languages that write decimals with a point; the others in use write a comma.
POINT_LANGUAGES = frozenset({
    "en", "zh", "ja", "ko", "he", "th", "hi", "ms", "ga", "cy", "mt", "sw", "tl", "fil", "ta",
    "te", "bn", "ur", "ar", "fa", "my", "km", "lo", "gd"})
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")


def decimal_comma(accept_language: str | None) -> bool:
    """Whether the person's first language writes decimals with a comma."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag and tag != "*":
            return tag.split("-")[0] not in POINT_LANGUAGES
    return False


def parse_decimal(text: str, comma: bool) -> float:
    """`5,2`, `5.2`, ` -3 `: the number, or ValueError saying what a number looks like."""
    compact = text.strip()
    mark, other = (",", ".") if comma else (".", ",")
    example = f"5{mark}2"
    if not _NUMBER.match(compact):
        raise ValueError(f"{compact!r} is not a number (write it as {example})")
    if other in compact and _THOUSANDS.match(compact):
        raise ValueError(f"{compact!r} could be read two ways: write decimals as {example}, "
                         "with no mark between thousands")
    value = float(compact.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(f"{text.strip()!r} is not a finite number")
    return value


def format_decimal(value: float, comma: bool) -> str:
    shown = f"{value:g}"
    return shown.replace(".", ",") if comma else shown


def format_money(amount: float, comma: bool) -> str:
    """Whole units, thousands grouped: `40,000` or `40 000` (a narrow space, where a comma
    would be read as the decimal mark)."""
    grouped = f"{amount:,.0f}"
    return grouped.replace(",", "\u202f") if comma else grouped
