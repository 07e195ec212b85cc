"""Horizontal bar charts for the portfolio page, drawn on the server as inline SVG
(templates/bars.svg).

Each chart names itself (`<title>`, `<desc>` listing every bar's value) and the page shows the
same figures in a table next to it, so nothing depends on seeing the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from .render import TEMPLATES

WIDTH, ROW, LABEL, GAP = 640, 26, 210, 6
COLOURS = {"ink": "#1a1a1a", "bar": "#0b57a4", "alert": "#b00020"}
LABEL_LIMIT = 30  # characters of a bar's name shown; the table beside has all of it


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as people read it: "12", "85%"
    alert: bool = False


def bar_chart(ident: str, title: str, bars: Sequence[Bar], scale_to: float | None = None) -> Markup:
    """Each bar's length is its value's share of the longest (or of `scale_to`)."""
    return Markup(TEMPLATES.get_template("bars.svg").render(
        ident=ident, title=title, bars=bars, width=WIDTH, row=ROW, label_x=LABEL, gap=GAP,
        label_limit=LABEL_LIMIT,
        height=ROW * max(len(bars), 1) + GAP * 2, room=WIDTH - LABEL - 70,
        top=max([scale_to or 0.0, *(b.value for b in bars)]) or 1.0, colours=COLOURS,
        desc="; ".join(f"{b.label}: {b.text}" for b in bars) or "nothing to show yet"))
