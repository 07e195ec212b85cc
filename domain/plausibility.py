"""Figures a person can mean, and figures the record can hold.

A reading is checked against the metric's `range` when the spec gives one. Without it two rules
catch the slips of a keyboard: a metric whose baseline and target are both 0 or more is taken
not to go below 0, and a reading more than PLAUSIBLE_FACTOR times the larger of baseline and
target is refused. A spec whose metric really does either says so with a range.

Every figure an event carries is computed in `decide`; `require_finite_figures` refuses the
decision when one of them is not a finite number (a retained share of a gain between a baseline
and a target a hair apart, say), because the store could not record it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

from domain.envelope import Event
from domain.errors import Rejected, RejectionKind
from domain.spec import Direction, Metric

PLAUSIBLE_FACTOR = 1000


def possible_range(metric: Metric) -> tuple[float | None, float | None]:
    """The values `metric` can take, as far as the spec tells (None: unbounded that way): its
    range, else nothing below zero when neither its baseline nor its target is."""
    if metric.range is not None:
        return metric.range[0], metric.range[1]
    return (0.0 if min(metric.baseline, metric.target) >= 0 else None), None


def require_plausible(metric: Metric, value: float, what: str) -> None:
    if metric.range is not None:
        low, high = metric.range
        if not low <= value <= high:
            raise Rejected(f"{what} {value:g} is outside the range of {metric.name}, "
                           f"[{low:g}, {high:g}] (metric.range in the spec)", RejectionKind.INVALID)
        return
    if value < 0 <= min(metric.baseline, metric.target):
        raise Rejected(f"{what} {value:g} is negative, and {metric.name} cannot be (its baseline "
                       "and target are not); if it can, give the spec a metric.range",
                       RejectionKind.INVALID)
    scale = max(abs(metric.baseline), abs(metric.target))
    if abs(value) > PLAUSIBLE_FACTOR * scale:
        raise Rejected(f"{what} {value:g} is more than {PLAUSIBLE_FACTOR} times the baseline "
                       f"({metric.baseline:g}) or target ({metric.target:g}); if it is real, give "
                       "the spec a metric.range that holds it", RejectionKind.INVALID)


def require_improvement(metric: Metric, value: float) -> None:
    better = value < metric.baseline if metric.direction is Direction.DECREASE else (
        value > metric.baseline)
    if not better:
        raise Rejected(f"the delivered value {value:g} does not improve on the baseline "
                       f"{metric.baseline:g}: {metric.name} should {metric.direction.value}",
                       RejectionKind.INVALID)


def require_finite_figures(events: Iterable[Event]) -> None:
    for event in events:
        for where, number in _numbers(event.payload, ""):
            if not math.isfinite(number):
                raise Rejected(f"{event.type} would record {where} = {number}, which is not a "
                               "finite number; nothing was recorded", RejectionKind.INVALID)


def _numbers(value: Any, where: str) -> Iterator[tuple[str, float]]:
    if isinstance(value, float):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numbers(item, f"{where}[{index}]")
