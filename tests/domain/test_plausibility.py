"""Figures the record could not hold are refused in `decide`, and so are readings no one means."""

from __future__ import annotations

import pytest

from domain import Phase, Rejected, RejectionKind, fold
from domain import commands as c
from domain.spec import Metric

from .builders import EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec, spec_data
from .test_lifecycle import DAY, answer_check, handed_over


def hair_apart() -> Timeline:
    """Baseline and target a hair apart: any reading away from them retains an enormous share."""
    metric = {**spec_data()["metric"], "baseline": 1e-300, "target": 0, "range": [0, 1e12]}
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(metric=metric)))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=0), DAY)
    t.run(c.CompleteStep(actor=EXPERT, step_id="sop"))
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"))
    t.run(c.AcceptOwnership(actor=OWNER))
    t.run(c.ApproveReview(actor=PMO), DAY)
    return t


def test_a_figure_that_is_not_finite_is_refused_before_anything_is_recorded() -> None:
    t = hair_apart()
    version = t.state.version
    with pytest.raises(Rejected, match=r"retention = -?inf, which is not a finite number"):
        answer_check(t, 1e10)
    # The check opened (its own command); the reading recorded nothing.
    assert t.state.version == version + 1
    assert fold(t.state.initiative_id, t.events) == t.state


@pytest.mark.parametrize(("value", "expected"), [
    (-1.0, "the reading -1 is negative, and invoice cycle time cannot be"),
    (12_001.0, "the reading 12001 is more than 1000 times the baseline (12) or target (5)"),
    (1e300, "more than 1000 times"),
])
def test_without_a_range_negative_and_absurd_readings_are_refused(value: float,
                                                                  expected: str) -> None:
    t = handed_over()
    with pytest.raises(Rejected, match=expected.replace("(", r"\(").replace(")", r"\)")) as no:
        answer_check(t, value)
    assert no.value.kind is RejectionKind.INVALID
    assert t.state.readings[-1].value == 5.2


def test_a_range_in_the_spec_bounds_readings_and_allows_what_it_holds() -> None:
    metric = {**spec_data()["metric"], "range": [-100, 100_000]}
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(metric=metric)))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    with pytest.raises(Rejected, match=r"the delivered value 200000 is outside the range of "
                                       r"invoice cycle time, \[-100, 100000\]"):
        t.run(c.DeliverImprovement(actor=EXPERT, value=200_000))
    t.run(c.DeliverImprovement(actor=EXPERT, value=-5))  # negative, but within the range
    assert t.state.phase is Phase.HANDING_OFF


@pytest.mark.parametrize(("bounds", "expected"), [
    ([10, 1], "is not a range"), ([0, 10], "must lie within the range [0, 10]"),
])
def test_a_range_must_be_a_range_holding_baseline_and_target(bounds: list[float],
                                                             expected: str) -> None:
    with pytest.raises(ValueError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        Metric.model_validate({**spec_data()["metric"], "baseline": 12, "range": bounds})
    Metric.model_validate({**spec_data()["metric"], "range": [0, 100]})


def test_a_spec_without_a_range_records_none_so_older_launches_keep_their_encoding() -> None:
    assert "range" not in make_spec().model_dump(mode="json")["metric"]


def test_baseline_and_target_too_far_apart_for_a_gain() -> None:
    with pytest.raises(ValueError, match="too far apart"):
        Metric.model_validate({**spec_data()["metric"], "baseline": 1.7e308, "target": -1.7e308})


def test_a_delivered_value_must_improve_on_the_baseline() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    for value in (12.0, 13.5):
        with pytest.raises(Rejected, match=f"the delivered value {value:g} does not improve on "
                                           "the baseline 12: invoice cycle time should decrease"):
            t.run(c.DeliverImprovement(actor=EXPERT, value=value))
    t.run(c.DeliverImprovement(actor=EXPERT, value=11.0))  # less than hoped, but better
    assert t.state.phase is Phase.HANDING_OFF
