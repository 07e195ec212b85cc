"""Horizontal bar charts for the portfolio page, drawn on the server as inline SVG.

Each chart names itself (`<title>`, `<desc>` listing every bar's value) and the page shows the
same figures in a table next to it, so nothing depends on seeing the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, ROW, LABEL, GAP = 640, 26, 210, 6
INK, BAR, ALERT = "#1a1a1a", "#0b57a4", "#b00020"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as people read it: "12", "85%"
    alert: bool = False


def bar_chart(ident: str, title: str, bars: Sequence[Bar], scale_to: float | None = None) -> Markup:
    top = max([scale_to or 0.0, *(b.value for b in bars)]) or 1.0
    height = ROW * max(len(bars), 1) + GAP * 2
    room = WIDTH - LABEL - 70
    ident = escape(ident)
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars) or "nothing to show yet"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" '
             'font-family="system-ui, sans-serif" font-size="13" class="bars">',
             f'<title id="{ident}-title">{escape(title)}</title>',
             f'<desc id="{ident}-desc">{escape(desc)}</desc>']
    for index, bar in enumerate(bars):
        y = GAP + index * ROW
        width = round(room * max(bar.value, 0.0) / top, 1)
        colour = ALERT if bar.alert else BAR
        parts.append(
            f'<text x="{LABEL - 8}" y="{y + 17}" text-anchor="end" fill="{INK}">'
            f"{escape(_short(bar.label))}</text>"
            f'<rect x="{LABEL}" y="{y + 4}" width="{width}" height="{ROW - 8}" fill="{colour}"/>'
            f'<text x="{LABEL + width + 6}" y="{y + 17}" fill="{INK}">{escape(bar.text)}</text>')
    if not bars:
        parts.append(f'<text x="{LABEL}" y="{GAP + 17}" fill="{INK}">nothing to show yet</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
