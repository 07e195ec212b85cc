from __future__ import annotations

import pytest

from domain.spec import Direction, Metric
from domain.sustainment import estimate_sigma, gain_retained, judge, western_electric


def test_gain_retention_in_both_directions() -> None:
    assert gain_retained(12, 5, 5) == 1.0
    assert gain_retained(12, 5, 12) == 0.0
    assert gain_retained(12, 5, 8.5) == pytest.approx(0.5)
    assert gain_retained(80, 95, 92) == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("values", "rule"),
    [
        ([0, 0, 3.5], "WE1"),
        ([2.5, 0, 2.5], "WE2"),
        ([1.5, 1.5, 0, 1.5, 1.5], "WE3"),
        ([0.2] * 8, "WE4"),
    ],
)
def test_each_western_electric_rule_fires_on_its_pattern(values: list[float], rule: str) -> None:
    assert rule in [b.rule for b in western_electric(values, centre=0, sigma=1)]


def test_no_rule_fires_on_a_stable_process() -> None:
    assert western_electric([0.5, -0.4, 0.3, -0.2, 0.1, -0.6, 0.2, -0.1], 0, 1) == []


def test_sigma_is_estimated_only_from_enough_readings() -> None:
    assert estimate_sigma([1, 2, 3]) is None
    assert estimate_sigma([1, 2, 1, 2]) == pytest.approx(1 / 1.128)


def metric(**kw: float) -> Metric:
    return Metric(name="m", baseline=12, target=5, direction=Direction.DECREASE, **kw)


def test_a_reading_below_tolerance_is_a_regression() -> None:
    verdict = judge(metric(), 0.8, [5.0, 9.0])
    assert not verdict.kept and "below the tolerance" in verdict.reason


def test_drift_towards_the_old_level_is_flagged_before_the_threshold() -> None:
    # Every reading retains more than 80% of the gain, but eight in a row sit on the worse side.
    verdict = judge(metric(sigma=0.2), 0.8, [5.5] * 8)
    assert verdict.retention > 0.8 and not verdict.kept and "WE4" in verdict.rules


def test_drift_beyond_the_target_is_not_a_regression() -> None:
    assert judge(metric(sigma=0.2), 0.8, [4.0] * 8).kept


def test_a_steady_process_near_target_is_not_flagged_by_a_tiny_estimated_sigma() -> None:
    assert judge(metric(), 0.8, [5.2, 5.1, 5.1, 5.1, 5.1]).kept


def test_estimated_sigma_still_catches_a_real_jump() -> None:
    verdict = judge(metric(), 0.8, [5.2, 5.0, 5.1, 5.0, 7.0])
    assert verdict.retention > 0.7 and "WE1" in verdict.rules
