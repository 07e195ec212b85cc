"""The control chart: the domain's own judgement of each reading, drawn as self-contained SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from audit.control_chart import control_chart
from audit.control_chart_svg import control_chart_figure, control_chart_svg
from domain import commands as c
from domain.state import InitiativeState
from tests.domain.builders import OWNER, Timeline
from tests.domain.test_lifecycle import answer_check, handed_over

SVG = "{http://www.w3.org/2000/svg}"


def with_readings(*values: float) -> InitiativeState:
    """Readings recorded before the first check falls due: the initiative stays sustaining."""
    t = handed_over()
    for value in values:
        t.run(c.RecordReading(actor=OWNER, value=value), timedelta(days=1))
    return t.state


def test_each_point_carries_the_judgement_recorded_for_it() -> None:
    t = handed_over()
    answer_check(t, 5.1)
    answer_check(t, 10.5)  # back near the baseline of 12: retention far below 80%
    chart = control_chart(t.state)
    assert [p.value for p in chart.points] == [5.2, 5.1, 10.5]  # the delivery counts
    assert [p.regressed for p in chart.points] == [False, False, True]
    recorded = next(ch for ch in t.state.checks if ch.number == 2)
    assert chart.points[2].rules == recorded.rules
    assert chart.tolerance_line == 12 - 0.8 * 7
    assert [ch.number for ch in chart.checks] == [1, 2, 3]


def test_a_western_electric_breach_is_marked_and_named() -> None:
    state = with_readings(5.0, 5.1, 4.9, 5.0, 5.05, 4.95, 5.0, 6.2)
    chart = control_chart(state)
    assert chart.sigma is not None
    assert [(p.number, rule) for p, rule in chart.violations] == [(9, "WE1")]
    figure = control_chart_figure(chart)
    assert "<strong>WE1</strong> one point beyond 3 sigma" in figure
    svg = ET.fromstring(control_chart_svg(chart))
    marks = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "violation"]
    assert len(marks) == 1
    assert "WE1" in "".join(marks[0].itertext())
    assert "reading 9" in svg.findtext(f"{SVG}desc", "")


def test_the_chart_draws_every_reference_line_and_zone() -> None:
    chart = control_chart(with_readings(5.0, 5.2, 4.8, 5.1))
    svg = control_chart_svg(chart)
    text = "".join(ET.fromstring(svg).itertext())
    for label in ("centre (target) 5", "baseline 12", "tolerance 80%: 6.4", "+3 sigma", "-3 sigma",
                  "check 1", "check 3"):
        assert label in text
    assert len(re.findall(r'stroke-dasharray="1 3"', svg)) == 6  # the 1, 2, 3 sigma lines
    assert len(re.findall(r"<rect ", svg)) == 4  # background and three zone bands
    # Nothing that a strict Content-Security-Policy or an offline report would refuse.
    assert not re.search(r"<script|style=|href=|url\(", svg)


def test_what_a_person_typed_is_escaped() -> None:
    t = Timeline()
    from tests.domain.builders import PMO, make_spec
    spec = make_spec(metric={"name": "<script>alert(1)</script>", "unit": "d&d",
                             "baseline": 12, "target": 5, "direction": "decrease"})
    t.run(c.Launch(actor=PMO, spec=spec))
    figure = control_chart_figure(control_chart(t.state))
    assert "<script>" not in figure and "&lt;script&gt;" in figure
    ET.fromstring(control_chart_svg(control_chart(t.state)))  # still well-formed
    assert "No readings yet" in figure
