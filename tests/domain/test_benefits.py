"""Claimed, verified and lost benefit: a worked example computed by hand, and properties."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import Phase, due_deadlines, fold
from domain import commands as c
from domain.benefits import PeriodStatus, benefit, benefit_of_events, benefit_totals

from .builders import EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec

DAY = timedelta(days=1)
# Five checks 73 days apart: each period is exactly a fifth of a year.
CHECKS = ["73d", "146d", "219d", "292d", "365d"]
EUR_1000 = {"per_unit": 1000, "currency": "eur"}


def sustaining(delivered: float = 5.0, currency: str = "eur") -> Timeline:
    """Baseline 12 days, target 5, sigma 1; the review approved at the timeline's start."""
    spec = make_spec(
        metric={"name": "invoice cycle time", "unit": "days", "baseline": 12, "target": 5,
                "direction": "decrease", "sigma": 1.0},
        sustainment={"checks": CHECKS, "tolerance": 0.8, "response_within": "60d"},
        benefit={**EUR_1000, "currency": currency})
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=spec))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=delivered))
    t.run(c.CompleteStep(actor=EXPERT, step_id="sop"))
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"))
    t.run(c.AcceptOwnership(actor=OWNER))
    t.run(c.ApproveReview(actor=PMO))
    return t


def reading_at(t: Timeline, days: float, value: float) -> list[str]:
    approved = t.state.approved_at
    assert approved is not None
    t.now = approved + timedelta(days=days)
    return t.types(c.RecordReading(actor=OWNER, value=value))


def test_worked_example() -> None:
    t = sustaining()
    figures = benefit(t.state)
    assert figures is not None and figures.currency == "EUR"
    # Delivered 5 against a baseline of 12: 7 days better, worth 7 x 1000 EUR a year; the plan
    # runs one year, so 7000 is claimed before any check.
    assert (figures.delivered_units, figures.annual, figures.claimed) == (7.0, 7000, 7000)
    assert (figures.verified, figures.lost) == (0, 0)

    # Check 1: 5.7 keeps (12 - 5.7) / 7 = 90% of the gain: 6.3 x 1000 x 0.2 = 1260 verified.
    assert reading_at(t, 73, 5.7)[-1] == "CheckPassed"
    # Check 2: 9 keeps 43%, a regression: the period's 7 x 1000 x 0.2 = 1400 is lost.
    assert reading_at(t, 146, 9.0)[-1] == "RegressionDetected"
    t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within="60d"))
    # Recovered half-way through the third period (36.5 days after the regression).
    assert reading_at(t, 182.5, 5.0)[-1] == "RecoveryConfirmed"
    # Check 3: full gain, but 36.5 of its 73 days were regressed: 700 verified, 700 lost.
    assert reading_at(t, 219, 5.0)[-1] == "CheckPassed"
    # Check 4: 5.35 keeps 95%: 6.65 x 1000 x 0.2 = 1330.
    assert reading_at(t, 292, 5.35)[-1] == "CheckPassed"
    # Check 5: 4 is better than the target, but no more than the delivered 7 is credited: 1400.
    assert reading_at(t, 365, 4.0)[-1] == "Sustained"

    figures = benefit(t.state)
    assert figures is not None
    assert (figures.claimed, figures.verified, figures.lost) == (7000, 4690, 2100)
    assert [(p.status, p.verified, p.lost) for p in figures.periods] == [
        (PeriodStatus.VERIFIED, 1260, 0), (PeriodStatus.LOST, 0, 1400),
        (PeriodStatus.VERIFIED, 700, 700), (PeriodStatus.VERIFIED, 1330, 0),
        (PeriodStatus.VERIFIED, 1400, 0)]
    assert [p.regressed_days for p in figures.periods] == [0, 73, 36.5, 0, 0]
    assert [p.credited_units for p in figures.periods] == pytest.approx([6.3, 0, 7, 6.65, 7])

    # As the record stood after the second check.
    after_second = next(i for i, e in enumerate(t.events) if e.type == "RegressionDetected")
    then = benefit_of_events("init-1", t.events[:after_second + 1])
    assert then is not None
    assert (then.claimed, then.verified, then.lost) == (7000, 1260, 1400)


def test_a_regression_between_checks_costs_its_duration() -> None:
    t = sustaining()
    assert reading_at(t, 10, 10.0)[-1] == "RegressionDetected"  # no check was due
    t.run(c.SubmitResponsePlan(actor=OWNER, action="fix", within="30d"))
    assert reading_at(t, 24.6, 5.0)[-1] == "RecoveryConfirmed"
    assert reading_at(t, 73, 5.0)[-1] == "CheckPassed"
    figures = benefit(t.state)
    assert figures is not None
    first = figures.periods[0]
    assert first.regressed_days == pytest.approx(14.6)
    assert first.lost == pytest.approx(7000 * 14.6 / 365, abs=0.01)
    assert first.verified == pytest.approx(7000 * (73 - 14.6) / 365, abs=0.01)


def test_a_reopened_delivery_keeps_what_its_checks_judged() -> None:
    t = sustaining()
    reading_at(t, 73, 5.0)
    reading_at(t, 146, 11.0)
    t.now += timedelta(days=61)  # past the response the spec allows
    for command in [d.command for d in due_deadlines(t.state, t.now)]:
        t.run(command)
    t.run(c.Reopen(actor=SPONSOR, reason="start over"))
    assert t.state.phase is Phase.IMPROVING
    reopened = benefit(t.state)
    assert reopened is not None
    # Only the two judged periods are still claimed: 1400 verified, 1400 lost.
    assert (reopened.claimed, reopened.verified, reopened.lost) == (2800, 1400, 1400)
    t.run(c.DeliverImprovement(actor=EXPERT, value=6.0))
    again = benefit(t.state)
    assert again is not None
    # The new delivery (6 days better) claims 6000 for the new plan on top.
    assert (again.claimed, again.verified, again.lost) == (8800, 1400, 1400)
    assert {p.delivery for p in again.periods} == {1, 2}


def test_no_benefit_without_a_value_and_totals_per_currency() -> None:
    plain = Timeline("plain")
    plain.run(c.Launch(actor=PMO, spec=make_spec()))
    assert benefit(plain.state) is None
    euros, dollars = sustaining(), sustaining(delivered=6.0, currency="USD")
    totals = benefit_totals([euros.state, dollars.state, euros.state, plain.state])
    assert [(t.currency, t.initiatives, t.claimed) for t in totals] == [
        ("EUR", 2, 14000), ("USD", 1, 6000)]


def test_spec_without_benefit_encodes_as_before() -> None:
    assert "benefit" not in make_spec().model_dump(mode="json")
    assert "handoff_statement" not in make_spec().model_dump(mode="json")
    assert make_spec(benefit=EUR_1000).model_dump(mode="json")["benefit"] == {
        "per_unit": 1000.0, "currency": "EUR"}


# A reading the tolerance refuses: below 80% of the 7-day gain means above 6.4 days.
bad = st.floats(min_value=6.5, max_value=15, allow_nan=False)
good = st.floats(min_value=4.0, max_value=5.5, allow_nan=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(delivered=st.floats(min_value=3, max_value=11.5), data=st.data())
def test_zero_verified_when_every_check_regressed(delivered: float, data: st.DataObject) -> None:
    t = sustaining(delivered=delivered)
    for number, offset in enumerate((73, 146, 219, 292, 365), start=1):
        reading_at(t, offset + data.draw(st.floats(min_value=0, max_value=20)), data.draw(bad))
        assert t.state.checks[number - 1].status.value == "regressed"
        if number < 5 and data.draw(st.booleans(), label="recovers in between"):
            if t.state.response_plan is None:
                t.run(c.SubmitResponsePlan(actor=OWNER, action="fix", within="40d"))
            reading_at(t, offset + 30, data.draw(good))
    figures = benefit(t.state)
    assert figures is not None
    assert figures.verified == 0
    assert figures.lost == figures.claimed
    assert figures.claimed == pytest.approx(
        max(0.0, 12 - delivered) * 1000, abs=0.01)
    assert fold("init-1", t.events) == t.state
