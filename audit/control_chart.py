"""An individuals control chart of an initiative's readings, as plain data for a renderer.

Each point carries the judgement the domain made of it when it was recorded (the rules are run
again over the readings up to and including it, exactly as `domain.sustainment.judge` ran them),
so a mark on the chart is the same finding the record holds. The zones are drawn with the sigma
the latest judgement used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.plausibility import possible_range
from domain.spec import Direction, Metric
from domain.state import InitiativeState
from domain.sustainment import effective_sigma, judge

RULE_NAMES = {
    "WE1": "one point beyond 3 sigma",
    "WE2": "2 of 3 points beyond 2 sigma on one side",
    "WE3": "4 of 5 points beyond 1 sigma on one side",
    "WE4": "8 points in a row on one side",
}


@dataclass(frozen=True)
class ChartPoint:
    number: int  # 1-based, in the order the readings were recorded
    at: datetime
    value: float
    retention: float
    rules: tuple[str, ...]  # Western Electric rules this point completed, towards the old level
    below_tolerance: bool

    @property
    def regressed(self) -> bool:
        return bool(self.rules) or self.below_tolerance


@dataclass(frozen=True)
class ChartCheck:
    number: int
    due_at: datetime
    status: str


@dataclass(frozen=True)
class ControlChart:
    metric: str
    unit: str
    direction: Direction
    baseline: float
    target: float  # the centre line: the improved level the owner took over
    tolerance: float  # the share of the gain that must be retained
    sigma: float | None  # None while too few readings to estimate it and the spec gives none
    points: tuple[ChartPoint, ...]
    checks: tuple[ChartCheck, ...]
    # What the metric can be (`domain.plausibility`): zones stop there, never showing values
    # a reading could not take (a cycle time below zero).
    floor: float | None = None
    ceiling: float | None = None

    @property
    def centre(self) -> float:
        return self.target

    @property
    def tolerance_line(self) -> float:
        """The reading at which exactly `tolerance` of the gain is retained."""
        return self.baseline - self.tolerance * (self.baseline - self.target)

    @property
    def violations(self) -> list[tuple[ChartPoint, str]]:
        return [(point, rule) for point in self.points for rule in point.rules]


def control_chart(state: InitiativeState) -> ControlChart:
    spec = state.require_spec()
    return chart_of(spec.metric, spec.sustainment.tolerance,
                    [(reading.at, reading.value) for reading in state.readings],
                    [ChartCheck(number=c.number, due_at=c.due_at, status=c.status.value)
                     for c in state.checks])


def chart_of(metric: Metric, tolerance: float, readings: Sequence[tuple[datetime, float]],
             checks: Sequence[ChartCheck]) -> ControlChart:
    """The chart of `readings` (moment, value), oldest first, judged as the domain judged them."""
    values = [value for _, value in readings]
    points = []
    for index, (at, value) in enumerate(readings):
        judgement = judge(metric, tolerance, values[: index + 1])
        points.append(ChartPoint(
            number=index + 1, at=at, value=value, retention=judgement.retention,
            rules=judgement.rules, below_tolerance=judgement.retention < tolerance))
    return ControlChart(
        metric=metric.name, unit=metric.unit, direction=metric.direction,
        baseline=metric.baseline, target=metric.target, tolerance=tolerance,
        sigma=effective_sigma(metric, values), points=tuple(points), checks=tuple(checks),
        floor=possible_range(metric)[0], ceiling=possible_range(metric)[1])
