"""Evidence shown as a link where it is one: web addresses (http and https only) become anchors,
everything else stays text, all of it escaped."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from domain.formatting import NOTHING

_ADDRESS = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"  # punctuation that ends a sentence rather than the address


def safe_link(text: str | None) -> Markup:
    if not text:
        return Markup(NOTHING)
    parts: list[str] = []
    last = 0
    for match in _ADDRESS.finditer(text):
        address = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(address)
        parts.append(str(escape(text[last:match.start()])))
        parts.append(f'<a href="{escape(address)}" rel="noopener noreferrer">'
                     f"{escape(address)}</a>")
        last = end
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))
