"""The control chart drawn as inline SVG, with a caption and a data table for screen readers.

Server-drawn and self-contained: no script, no style attribute and nothing fetched, so it shows
the same under a strict Content-Security-Policy, in a report opened offline, and on paper. Every
colour passes WCAG AA against the white background where it carries meaning (text, marks).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from html import escape

from .control_chart import RULE_NAMES, ChartPoint, ControlChart

WIDTH, HEIGHT = 720, 340
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 28, 52
INK, MUTED, ALERT = "#1a1a1a", "#595959", "#b00020"
ZONE_FILLS = ("#e8f1fb", "#f4f8fd", "#ffffff")  # beyond 2 sigma, 1-2 sigma, within 1 sigma
FONT = 'font-family="system-ui, sans-serif" font-size="12"'
LABEL_GAP = 13  # pixels between two labels' baselines: a line of 12-pixel text
CHAR_WIDTH = 7  # pixels a character of 12-pixel text takes, at most, for keeping labels apart
LABEL_CLEARANCE = 4  # pixels between a label and the axis it must not touch


def _num(value: float) -> str:
    return f"{value:.4g}"


def _day(at: datetime) -> str:
    return at.strftime("%Y-%m-%d")


class _Scale:
    """Maps readings and moments onto the plot area."""

    def __init__(self, chart: ControlChart) -> None:
        self.floor = -math.inf if chart.floor is None else chart.floor
        self.ceiling = math.inf if chart.ceiling is None else chart.ceiling
        values = [chart.baseline, chart.target, chart.tolerance_line,
                  *(p.value for p in chart.points)]
        if chart.sigma is not None:
            values += [self.possible(chart.centre - 3 * chart.sigma),
                       self.possible(chart.centre + 3 * chart.sigma)]
        low, high = min(values), max(values)
        pad = (high - low) * 0.06 or 1.0
        # The padding never reaches past what the metric can be: no axis below zero for a time.
        self.low = max(low - pad, self.floor) if low >= self.floor else low - pad
        self.high = min(high + pad, self.ceiling) if high <= self.ceiling else high + pad
        moments = [p.at for p in chart.points] + [c.due_at for c in chart.checks]
        self.start = min(moments).timestamp() if moments else 0.0
        self.span = (max(moments).timestamp() - self.start) if moments else 0.0

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return round(TOP + (1 - share) * (HEIGHT - TOP - BOTTOM), 1)

    def x(self, at: datetime) -> float:
        share = (at.timestamp() - self.start) / self.span if self.span else 0.5
        return round(LEFT + share * (WIDTH - LEFT - RIGHT), 1)

    def clamp(self, value: float) -> float:
        return min(max(value, self.low), self.high)

    def possible(self, value: float) -> float:
        """`value`, or the nearest value the metric can take."""
        return min(max(value, self.floor), self.ceiling)


@dataclass(frozen=True)
class _Label:
    y: float
    text: str
    colour: str


def _hline(scale: _Scale, value: float, label: str, colour: str, dash: str = "",
           labels: list[_Label] | None = None) -> str:
    """A reference line across the plot; its label is placed later, clear of the others."""
    y = scale.y(value)
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    if label and labels is not None:
        labels.append(_Label(y, label, colour))
    return (f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="{colour}"'
            f"{dashes}/>")


def _placed(labels: list[_Label]) -> Iterator[str]:
    """Right of the plot, top to bottom, each at least a line of text below the one above."""
    lowest = -math.inf
    for label in sorted(labels, key=lambda found: found.y):
        y = max(label.y, lowest + LABEL_GAP)
        lowest = y
        yield (f'<text x="{WIDTH - RIGHT + 6}" y="{round(y + 4, 1)}" fill="{label.colour}">'
               f"{escape(label.text)}</text>")


def _zones(chart: ControlChart, scale: _Scale, labels: list[_Label]) -> Iterator[str]:
    if chart.sigma is None:
        return
    centre, sigma = chart.centre, chart.sigma
    for k, fill in zip((3, 2, 1), ZONE_FILLS, strict=True):
        top = scale.y(scale.clamp(scale.possible(centre + k * sigma)))
        bottom = scale.y(scale.clamp(scale.possible(centre - k * sigma)))
        yield (f'<rect x="{LEFT}" y="{top}" width="{WIDTH - LEFT - RIGHT}" '
               f'height="{round(bottom - top, 1)}" fill="{fill}"/>')
    # Labels closer than a line of text would overlap: then only the 3-sigma lines are named.
    crowded = scale.y(centre) - scale.y(centre + sigma) < LABEL_GAP
    for k in (3, 2, 1, -1, -2, -3):
        if scale.possible(centre + k * sigma) != centre + k * sigma:
            continue  # a value the metric cannot take: no line, no label
        sign = "+" if k > 0 else "-"
        label = "" if crowded and abs(k) < 3 else f"{sign}{abs(k)} sigma {_num(centre + k * sigma)}"
        yield _hline(scale, centre + k * sigma, label, MUTED, "1 3", labels)


def _axes(scale: _Scale) -> Iterator[str]:
    bottom = HEIGHT - BOTTOM
    yield (f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}" stroke="{INK}"/>'
           f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="{INK}"/>')
    step = _tick_step(scale.high - scale.low)
    tick = math.ceil(scale.low / step) * step
    while tick <= scale.high:
        y = scale.y(tick)
        yield (f'<line x1="{LEFT - 4}" x2="{LEFT}" y1="{y}" y2="{y}" stroke="{INK}"/>'
               f'<text x="{LEFT - 7}" y="{y + 4}" text-anchor="end" fill="{INK}">'
               f"{_num(tick)}</text>")
        tick += step


def _tick_step(extent: float) -> float:
    raw = extent / 5
    magnitude: float = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1.0, 2.0, 5.0, 10.0) if m * magnitude >= raw)


class _Row:
    """A row of labels centred on their x: each is written only clear of the one before."""

    def __init__(self) -> None:
        self.right = -math.inf

    def fits(self, x: float, text: str) -> bool:
        half = len(text) * CHAR_WIDTH / 2
        if x - half < self.right + CHAR_WIDTH:
            return False
        self.right = x + half
        return True


def _checks(chart: ControlChart, scale: _Scale) -> Iterator[str]:
    """Each check's line; its name and date where they do not run into the previous ones
    (checks close together keep their number alone, then nothing: the title and the table
    still say every one)."""
    bottom = HEIGHT - BOTTOM
    names, dates = _Row(), _Row()
    for check in chart.checks:
        x = scale.x(check.due_at)
        name = next((text for text in (f"check {check.number}", str(check.number))
                     if names.fits(x, text)), "")
        day = _day(check.due_at) if dates.fits(x, _day(check.due_at)) else ""
        yield (f'<g><title>Check {check.number} due {_day(check.due_at)}: {escape(check.status)}'
               f'</title><line x1="{x}" x2="{x}" y1="{TOP}" y2="{bottom}" stroke="{MUTED}" '
               f'stroke-dasharray="4 3"/>'
               + (f'<text x="{x}" y="{TOP - 8}" text-anchor="middle" fill="{INK}">{name}</text>'
                  if name else "")
               + (f'<text x="{x}" y="{bottom + 16}" text-anchor="middle" fill="{INK}">{day}'
                  "</text>" if day else "")
               + "</g>")


def _point_title(chart: ControlChart, point: ChartPoint) -> str:
    unit = f" {chart.unit}" if chart.unit else ""
    found = "; ".join(f"{rule}: {RULE_NAMES.get(rule, rule)}" for rule in point.rules)
    tolerance = "; below the tolerance line" if point.below_tolerance else ""
    return (f"Reading {point.number}, {_day(point.at)}: {_num(point.value)}{unit}"
            f"{'; ' + found if found else ''}{tolerance}")


def _points(chart: ControlChart, scale: _Scale) -> Iterator[str]:
    if not chart.points:
        yield (f'<text x="{(WIDTH - RIGHT + LEFT) / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
               f'fill="{MUTED}">No readings yet</text>')
        return
    path = " ".join(f"{scale.x(p.at)},{scale.y(p.value)}" for p in chart.points)
    yield f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="1.5"/>'
    for point in chart.points:
        x, y = scale.x(point.at), scale.y(point.value)
        title = f"<title>{escape(_point_title(chart, point))}</title>"
        if not point.rules:
            colour = ALERT if point.below_tolerance else INK
            yield f'<g>{title}<circle cx="{x}" cy="{y}" r="4" fill="{colour}"/></g>'
            continue
        # A violation is a ringed red diamond with the rules it breaks written above it.
        rules = " ".join(point.rules)
        yield (f'<g class="violation">{title}<circle cx="{x}" cy="{y}" r="9" fill="none" '
               f'stroke="{ALERT}" stroke-width="2"/><path d="M{x} {y - 5}l5 5l-5 5l-5 -5z" '
               f'fill="{ALERT}"/><text x="{_inside_plot(x, rules)}" y="{y - 14}" '
               f'text-anchor="middle" fill="{ALERT}" font-weight="bold">{rules}</text></g>')


def _inside_plot(x: float, text: str) -> float:
    """Where a label centred over a point at `x` goes: over it, unless it would then reach
    across the y axis into the tick values (the first reading sits on the axis) or past the
    plot's right edge into the reference lines' names; then moved just inside."""
    half = len(text) * CHAR_WIDTH / 2
    return round(min(max(x, LEFT + half + LABEL_CLEARANCE), WIDTH - RIGHT - half), 1)


def _description(chart: ControlChart) -> str:
    unit = f" {chart.unit}" if chart.unit else ""
    sigma = (f"sigma {_num(chart.sigma)}{unit}" if chart.sigma is not None
             else "no sigma yet (too few readings to estimate it)")
    found = "; ".join(f"reading {p.number} ({_day(p.at)}) breaks {rule}, "
                      f"{RULE_NAMES.get(rule, rule)}" for p, rule in chart.violations)
    return (f"{len(chart.points)} reading(s) of {chart.metric} against baseline "
            f"{_num(chart.baseline)}{unit}, target and centre line {_num(chart.target)}{unit}, "
            f"tolerance line {_num(chart.tolerance_line)}{unit} "
            f"({chart.tolerance:.0%} of the gain retained); {sigma}; "
            f"{len(chart.checks)} check(s). "
            + (f"Rule violations: {found}." if found else "No Western Electric rule is broken."))


def control_chart_svg(chart: ControlChart, ident: str = "chart") -> str:
    ident = escape(ident)
    scale = _Scale(chart)
    unit = f" {chart.unit}" if chart.unit else ""
    labels: list[_Label] = []
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="{ident}-title {ident}-desc" {FONT} '
        f'class="control-chart">',
        f'<title id="{ident}-title">Control chart of {escape(chart.metric)}</title>',
        f'<desc id="{ident}-desc">{escape(_description(chart))}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        *_zones(chart, scale, labels),
        _hline(scale, chart.centre, f"centre (target) {_num(chart.centre)}", INK, "", labels),
        _hline(scale, chart.baseline, f"baseline {_num(chart.baseline)}", INK, "8 4", labels),
        _hline(scale, chart.tolerance_line,
               f"tolerance {chart.tolerance:.0%}: {_num(chart.tolerance_line)}", ALERT, "2 2",
               labels),
        *_axes(scale),
        *_checks(chart, scale),
        *_points(chart, scale),
        *_placed(labels),
        f'<text x="{LEFT}" y="{HEIGHT - 10}" fill="{INK}">{escape(chart.metric)}{escape(unit)}'
        " by date of reading</text>",
        "</svg>",
    ]
    return "".join(parts)


def control_chart_table(chart: ControlChart, ident: str = "chart") -> str:
    """The same readings and findings as a table: what a screen reader or a printout needs."""
    rows = []
    for point in chart.points:
        rules = ", ".join(f"{r} ({RULE_NAMES.get(r, r)})" for r in point.rules) or "none"
        verdict = "regression" if point.regressed else "kept"
        rows.append(f"<tr><td>{point.number}</td><td>{escape(_day(point.at))}</td>"
                    f"<td>{_num(point.value)}</td><td>{point.retention:.0%}</td>"
                    f"<td>{escape(rules)}</td><td>{verdict}</td></tr>")
    body = "".join(rows) or '<tr><td colspan="6">No readings yet</td></tr>'
    return (f'<table id="{escape(ident)}-data"><caption>Readings of {escape(chart.metric)}'
            "</caption><thead><tr><th scope=\"col\">Reading</th><th scope=\"col\">Date</th>"
            "<th scope=\"col\">Value</th><th scope=\"col\">Gain retained</th>"
            "<th scope=\"col\">Rules broken</th><th scope=\"col\">Judgement</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")


def control_chart_figure(chart: ControlChart, ident: str = "chart") -> str:
    """Chart, a caption naming each violation, and the data table: one block to embed."""
    found = "".join(f"<li>Reading {p.number} ({escape(_day(p.at))}): <strong>{escape(rule)}"
                    f"</strong> {escape(RULE_NAMES.get(rule, rule))}</li>"
                    for p, rule in chart.violations)
    caption = (f'<ul class="violations">{found}</ul>' if found
               else "<p>No Western Electric rule is broken.</p>")
    # Focusable, because on a phone it scrolls sideways: a keyboard must be able to scroll it.
    return (f'<figure class="chart" tabindex="0">{control_chart_svg(chart, ident)}'
            f"<figcaption>Individuals chart: centre line at the target, zones at 1, 2 and 3 "
            f"sigma, checks as dashed verticals. {caption}</figcaption>"
            f"{control_chart_table(chart, ident)}</figure>")
