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

from markupsafe import Markup

from activities.templating import environment
from domain.formatting import day, number, percent

from .control_chart import RULE_NAMES, ChartPoint, ControlChart

WIDTH, HEIGHT = 720, 340
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 28, 52
INK, MUTED, ALERT = "#1a1a1a", "#595959", "#b00020"
ZONE_FILLS = ("#e8f1fb", "#f4f8fd", "#ffffff")  # beyond 2 sigma, 1-2 sigma, within 1 sigma
LABEL_GAP = 13  # pixels between two labels' baselines: a line of 12-pixel text
CHAR_WIDTH = 7  # pixels a character of 12-pixel text takes, at most, for keeping labels apart
LABEL_CLEARANCE = 4  # pixels between a label and the axis it must not touch


def _num(value: float) -> str:
    return number(value, digits=4)


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
class Line:
    """A stroke from (x1, y1) to (x2, y2), dashed where `dash` gives the pattern."""

    x1: float
    x2: float
    y1: float
    y2: float
    stroke: str
    dash: str = ""


@dataclass(frozen=True)
class Text:
    """A label whose `anchor` (start, `middle` or `end`) stands at (x, y)."""

    x: float
    y: float
    text: str
    fill: str
    anchor: str = ""
    bold: bool = False


@dataclass(frozen=True)
class CheckMark:
    """A check's dashed vertical, named in a tooltip."""

    title: str
    line: Line
    labels: tuple[Text, ...]  # its name above the plot and its date below, where they fit


@dataclass(frozen=True)
class PointMark:
    """A reading's dot, named in a tooltip."""

    title: str
    x: float
    y: float
    colour: str
    rules: Text | None = None  # a violation: a ringed diamond, the rules it breaks above it


@dataclass(frozen=True)
class _Label:
    y: float
    text: str
    colour: str


def _hline(scale: _Scale, value: float, label: str, colour: str, dash: str = "",
           labels: list[_Label] | None = None) -> Line:
    """A reference line across the plot; its label is placed later, clear of the others."""
    y = scale.y(value)
    if label and labels is not None:
        labels.append(_Label(y, label, colour))
    return Line(LEFT, WIDTH - RIGHT, y, y, colour, dash)


def _placed(labels: list[_Label]) -> Iterator[Text]:
    """Right of the plot, top to bottom, each at least a line of text below the one above."""
    lowest = -math.inf
    for label in sorted(labels, key=lambda found: found.y):
        y = max(label.y, lowest + LABEL_GAP)
        lowest = y
        yield Text(WIDTH - RIGHT + 6, round(y + 4, 1), label.text, label.colour)


def _bands(chart: ControlChart, scale: _Scale) -> Iterator[tuple[float, float, str]]:
    """The zones between sigma lines, widest first: top, height and fill of each."""
    if chart.sigma is None:
        return
    for k, fill in zip((3, 2, 1), ZONE_FILLS, strict=True):
        top = scale.y(scale.clamp(scale.possible(chart.centre + k * chart.sigma)))
        bottom = scale.y(scale.clamp(scale.possible(chart.centre - k * chart.sigma)))
        yield top, round(bottom - top, 1), fill


def _zone_lines(chart: ControlChart, scale: _Scale, labels: list[_Label]) -> Iterator[Line]:
    if chart.sigma is None:
        return
    centre, sigma = chart.centre, chart.sigma
    # Labels closer than a line of text would overlap: then only the 3-sigma lines are named.
    crowded = scale.y(centre) - scale.y(centre + sigma) < LABEL_GAP
    for k in (3, 2, 1, -1, -2, -3):
        if scale.possible(centre + k * sigma) != centre + k * sigma:
            continue  # a value the metric cannot take: no line, no label
        sign = "+" if k > 0 else "-"
        label = "" if crowded and abs(k) < 3 else f"{sign}{abs(k)} sigma {_num(centre + k * sigma)}"
        yield _hline(scale, centre + k * sigma, label, MUTED, "1 3", labels)


def _ticks(scale: _Scale) -> Iterator[tuple[Line, Text]]:
    step = _tick_step(scale.high - scale.low)
    tick = math.ceil(scale.low / step) * step
    while tick <= scale.high:
        y = scale.y(tick)
        yield Line(LEFT - 4, LEFT, y, y, INK), Text(LEFT - 7, y + 4, _num(tick), INK, "end")
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


def _checks(chart: ControlChart, scale: _Scale) -> Iterator[CheckMark]:
    """Each check's line; its name and date where they do not run into the previous ones
    (checks close together keep their number alone, then nothing: the title and the table
    still say every one)."""
    bottom = HEIGHT - BOTTOM
    names, dates = _Row(), _Row()
    for check in chart.checks:
        x, due = scale.x(check.due_at), day(check.due_at)
        name = next((text for text in (f"check {check.number}", str(check.number))
                     if names.fits(x, text)), "")
        labels = ([Text(x, TOP - 8, name, INK, "middle")] if name else []) + (
            [Text(x, bottom + 16, due, INK, "middle")] if dates.fits(x, due) else [])
        yield CheckMark(f"Check {check.number} due {due}: {check.status}",
                        Line(x, x, TOP, bottom, MUTED, "4 3"), tuple(labels))


def _point_title(chart: ControlChart, point: ChartPoint) -> str:
    unit = f" {chart.unit}" if chart.unit else ""
    found = "; ".join(f"{rule}: {RULE_NAMES.get(rule, rule)}" for rule in point.rules)
    tolerance = "; below the tolerance line" if point.below_tolerance else ""
    return (f"Reading {point.number}, {day(point.at)}: {_num(point.value)}{unit}"
            f"{'; ' + found if found else ''}{tolerance}")


def _points(chart: ControlChart, scale: _Scale) -> Iterator[PointMark]:
    for point in chart.points:
        x, y = scale.x(point.at), scale.y(point.value)
        title = _point_title(chart, point)
        if not point.rules:
            yield PointMark(title, x, y, ALERT if point.below_tolerance else INK)
            continue
        rules = " ".join(point.rules)
        yield PointMark(title, x, y, ALERT,
                        Text(_inside_plot(x, rules), y - 14, rules, ALERT, "middle", bold=True))


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
    found = "; ".join(f"reading {p.number} ({day(p.at)}) breaks {rule}, "
                      f"{RULE_NAMES.get(rule, rule)}" for p, rule in chart.violations)
    return (f"{len(chart.points)} reading(s) of {chart.metric} against baseline "
            f"{_num(chart.baseline)}{unit}, target and centre line {_num(chart.target)}{unit}, "
            f"tolerance line {_num(chart.tolerance_line)}{unit} "
            f"({percent(chart.tolerance)} of the gain retained); {sigma}; "
            f"{len(chart.checks)} check(s). "
            + (f"Rule violations: {found}." if found else "No Western Electric rule is broken."))


def _drawing(chart: ControlChart, ident: str) -> dict[str, object]:
    """Everything the templates draw, placed: the chart's elements in the order they are
    painted (later over earlier), and the readings' table."""
    scale = _Scale(chart)
    labels: list[_Label] = []
    zone_lines = list(_zone_lines(chart, scale, labels))
    references = [
        _hline(scale, chart.centre, f"centre (target) {_num(chart.centre)}", INK, "", labels),
        _hline(scale, chart.baseline, f"baseline {_num(chart.baseline)}", INK, "8 4", labels),
        _hline(scale, chart.tolerance_line,
               f"tolerance {percent(chart.tolerance)}: {_num(chart.tolerance_line)}", ALERT,
               "2 2", labels)]
    return {
        "ident": ident, "chart": chart, "width": WIDTH, "height": HEIGHT, "left": LEFT,
        "plot_right": WIDTH - RIGHT, "top": TOP, "bottom": HEIGHT - BOTTOM, "ink": INK,
        "muted": MUTED, "unit": f" {chart.unit}" if chart.unit else "",
        "description": _description(chart), "bands": list(_bands(chart, scale)),
        "lines": zone_lines + references, "ticks": list(_ticks(scale)),
        "checks": list(_checks(chart, scale)), "points": list(_points(chart, scale)),
        "labels": list(_placed(labels)), "rule_names": RULE_NAMES,
    }


_TEMPLATES = environment("audit", num=_num)


def control_chart_svg(chart: ControlChart, ident: str = "chart") -> Markup:
    return Markup(_TEMPLATES.get_template("control_chart.svg").render(_drawing(chart, ident)))


def control_chart_figure(chart: ControlChart, ident: str = "chart") -> Markup:
    """Chart, a caption naming each violation, and the data table: one block to embed."""
    return Markup(_TEMPLATES.get_template("control_chart_figure.html").render(
        _drawing(chart, ident)))
