"""Judging whether a gain is kept: retention of the baseline-to-target gain, control-chart rules.

The control chart is centred on the target (the improved level the owner took over). Sigma is the
spec's `metric.sigma` when given, otherwise estimated from the average moving range of the readings
(MR-bar / 1.128, the usual individuals-chart estimate), which needs a few readings first.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from domain.spec import Direction, Metric

MOVING_RANGE_D2 = 1.128
MIN_READINGS_FOR_ESTIMATE = 4
# An estimate from a handful of near-identical readings can be close to zero, and then a reading
# that keeps 98% of the gain would sit "beyond 3 sigma". Estimated sigma is therefore never taken
# below this share of the baseline-to-target gain; a sigma given in the spec is used as it is.
MIN_ESTIMATED_SIGMA_SHARE_OF_GAIN = 0.05


def gain_retained(baseline: float, target: float, reading: float) -> float:
    """Share of the baseline-to-target gain still held: 1.0 at target, 0.0 back at baseline.

    The same formula serves both directions because the gain's sign cancels out.
    """
    return (baseline - reading) / (baseline - target)


@dataclass(frozen=True)
class RuleBreach:
    rule: str  # "WE1".."WE4"
    description: str
    side: int  # +1 above the centre line, -1 below


def western_electric(values: Sequence[float], centre: float, sigma: float) -> list[RuleBreach]:
    """The Western Electric rules that the latest point completes (so each breach is new)."""
    if sigma <= 0 or not values:
        return []
    z = [(v - centre) / sigma for v in values]
    breaches: list[RuleBreach] = []

    def side_of(x: float) -> int:
        return 1 if x > 0 else -1 if x < 0 else 0

    last = z[-1]
    if abs(last) > 3:
        breaches.append(RuleBreach("WE1", "one point beyond 3 sigma", side_of(last)))
    for rule, window, need, limit, text in (
        ("WE2", 3, 2, 2.0, "2 of 3 points beyond 2 sigma on one side"),
        ("WE3", 5, 4, 1.0, "4 of 5 points beyond 1 sigma on one side"),
    ):
        recent = z[-window:]
        side = side_of(last)
        if len(recent) == window and side and abs(last) > limit:
            beyond = sum(1 for x in recent if side_of(x) == side and abs(x) > limit)
            if beyond >= need:
                breaches.append(RuleBreach(rule, text, side))
    recent = z[-8:]
    if len(recent) == 8 and (all(x > 0 for x in recent) or all(x < 0 for x in recent)):
        breaches.append(RuleBreach("WE4", "8 points in a row on one side", side_of(last)))
    return breaches


def estimate_sigma(values: Sequence[float]) -> float | None:
    if len(values) < MIN_READINGS_FOR_ESTIMATE:
        return None
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    mean_range = sum(ranges) / len(ranges)
    return mean_range / MOVING_RANGE_D2 if mean_range > 0 else None


def effective_sigma(metric: Metric, readings: Sequence[float]) -> float | None:
    """The sigma the rules judge `readings` by: the spec's, else the floored estimate."""
    if metric.sigma is not None:
        return metric.sigma
    estimate = estimate_sigma(readings)
    if estimate is None:
        return None
    return max(estimate, MIN_ESTIMATED_SIGMA_SHARE_OF_GAIN * abs(metric.baseline - metric.target))


@dataclass(frozen=True)
class Judgement:
    retention: float
    kept: bool
    rules: tuple[str, ...]
    reason: str


def judge(metric: Metric, tolerance: float, readings: Sequence[float]) -> Judgement:
    """Judge the latest of `readings` (all the initiative's readings, oldest first)."""
    latest = readings[-1]
    retention = gain_retained(metric.baseline, metric.target, latest)
    sigma = effective_sigma(metric, readings)
    # Only drift towards the old, worse level is a regression; drift beyond target is not.
    worse_side = 1 if metric.direction is Direction.DECREASE else -1
    breaches = [
        b for b in western_electric(readings, metric.target, sigma or 0.0) if b.side == worse_side
    ]
    reasons = []
    if retention < tolerance:
        reasons.append(
            f"retains {retention:.0%} of the gain, below the tolerance of {tolerance:.0%}")
    reasons.extend(f"{b.rule}: {b.description}" for b in breaches)
    return Judgement(
        retention=retention,
        kept=not reasons,
        rules=tuple(b.rule for b in breaches),
        reason="; ".join(reasons),
    )
