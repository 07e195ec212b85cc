"""Numbers as the person using the page types them: `5,2` or `5.2`, after their language.

The first language the browser names decides which mark separates decimals
(`domain.formatting.decimal_comma`). A typed number is read with the person's mark; the other
mark is read as a decimal one too, unless it could be grouping thousands (`1,000` to someone who
writes `5.2`), which is refused as ambiguous rather than guessed.
"""

from __future__ import annotations

import math
import re

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")


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
