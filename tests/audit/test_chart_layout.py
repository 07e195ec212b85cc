"""The control chart's layout, whatever the checks and readings: no two labels on one line run
into each other, and nothing is drawn at values the metric cannot take."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from audit.control_chart import control_chart
from audit.control_chart_svg import CHAR_WIDTH, LEFT, RIGHT, WIDTH, control_chart_svg
from domain import commands as c
from domain.state import InitiativeState
from tests.domain.builders import EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec

SVG = "{http://www.w3.org/2000/svg}"
CHECK_PLANS = [["30d", "60d", "90d"], ["1d", "2d", "3d", "30d"], ["1h", "2h"],
               [f"{n}d" for n in range(1, 51)], ["7d", "8d", "180d", "181d", "365d"]]


def sustaining(checks: list[str], readings: list[float], **metric: object) -> InitiativeState:
    base = {"name": "invoice cycle time", "unit": "days", "baseline": 12, "target": 5,
            "direction": "decrease"}
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(
        metric=base | metric,
        sustainment={"checks": checks, "tolerance": 0.8, "response_within": "10d"})))
    for command in (c.ApproveLaunch(actor=SPONSOR), c.DeliverImprovement(actor=EXPERT, value=5),
                    c.CompleteStep(actor=EXPERT, step_id="sop"),
                    c.CompleteStep(actor=OWNER, step_id="control-plan"),
                    c.AcceptOwnership(actor=OWNER), c.ApproveReview(actor=PMO)):
        t.run(command)
    for value in readings:
        t.run(c.RecordReading(actor=OWNER, value=value), timedelta(minutes=30))
    return t.state


def _texts(svg: str) -> list[tuple[float, float, str]]:
    """(x, y, text) of each centred label."""
    return [(float(e.get("x", 0)), float(e.get("y", 0)), "".join(e.itertext()))
            for e in ET.fromstring(svg).iter(f"{SVG}text") if e.get("text-anchor") == "middle"]


@pytest.mark.parametrize("checks", CHECK_PLANS)
def test_check_names_and_dates_never_run_into_each_other(checks: list[str]) -> None:
    svg = control_chart_svg(control_chart(sustaining(checks, [5.0, 5.1])))
    by_line = itertools.groupby(sorted(_texts(svg), key=lambda t: (t[1], t[0])),
                                key=lambda t: t[1])
    for _, labels in by_line:
        placed = list(labels)
        for (x1, _, a), (x2, _, b) in itertools.pairwise(placed):
            assert x2 - x1 >= (len(a) + len(b)) / 2 * CHAR_WIDTH, (a, b)


@pytest.mark.parametrize(("sigma", "metric"), [(4.0, {}), (9.0, {}), (2.0, {"range": [1, 20]})])
def test_zones_stop_where_the_metric_does(sigma: float, metric: dict[str, object]) -> None:
    state = sustaining(["30d"], [5.0, 1.5, 5.2], sigma=sigma, **metric)
    chart = control_chart(state)
    floor = chart.floor if chart.floor is not None else 0.0
    svg = ET.fromstring(control_chart_svg(chart))
    text = "".join(svg.itertext())
    assert f"-3 sigma {5 - 3 * sigma:.4g}" not in text  # below what the metric can be
    ticks = [float(e.text or "") for e in svg.iter(f"{SVG}text") if e.get("text-anchor") == "end"]
    assert min(ticks) >= floor


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _box(element: ET.Element) -> Box:
    """Where a 12-pixel text element's ink can reach, from its anchor and its length."""
    x, y = float(element.get("x", 0)), float(element.get("y", 0))
    width = len("".join(element.itertext())) * CHAR_WIDTH
    left = {"end": x - width, "middle": x - width / 2}.get(element.get("text-anchor", ""), x)
    return left, y - 12, left + width, y + 3


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("readings", [[9.5], [9.5, 5.0, 5.1], [5.0, 5.1, 5.0, 9.5],
                                      [5.0, 9.5, 9.6, 9.7]])
def test_a_rule_marker_label_stays_clear_of_the_axis_values_and_the_line_names(
    readings: list[float]
) -> None:
    svg = ET.fromstring(control_chart_svg(control_chart(
        sustaining(["30d"], readings, sigma=0.5))))
    markers = [_box(text) for group in svg.iter(f"{SVG}g") if group.get("class") == "violation"
               for text in group.iter(f"{SVG}text")]
    assert markers, "no reading broke a rule"
    axis_values = [_box(e) for e in svg.iter(f"{SVG}text") if e.get("text-anchor") == "end"]
    line_names = [_box(e) for e in svg.iter(f"{SVG}text")
                  if float(e.get("x", 0)) > WIDTH - RIGHT and e.get("text-anchor") is None]
    for marker in markers:
        assert marker[0] > LEFT and marker[2] <= WIDTH - RIGHT, marker
        assert not any(_overlap(marker, other) for other in axis_values + line_names), marker
