"""`correct-reading`: the latest reading replaced, with a reason, and judged again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import Phase, Rejected, fold
from domain import commands as c
from domain.commitments import commitments
from domain.state import CheckStatus

from .builders import CLERK, OWNER, Timeline
from .test_lifecycle import answer_check, handed_over, phase_of


def correct(t: Timeline, value: float, reason: str = "typed 50 for 5.0") -> list[str]:
    return t.types(c.CorrectReading(actor=OWNER, value=value, reason=reason),
                   timedelta(minutes=5))


def test_a_typo_that_opened_a_regression_is_corrected_and_the_check_passes() -> None:
    t = handed_over()
    assert answer_check(t, 50.0)[-1] == "RegressionDetected"
    assert t.state.phase is Phase.REGRESSED
    assert correct(t, 5.0) == ["ReadingCorrected", "CheckPassed"]
    assert phase_of(t) is Phase.SUSTAINING
    check = t.state.checks[0]
    assert (check.status, check.reading) == (CheckStatus.PASSED, 5.0)
    assert (t.state.readings[-1].value, t.state.readings[-1].corrected_from) == (5.0, 50.0)
    # The withdrawn regression owes no response plan.
    assert not [x for x in commitments(t.state) if x.kind == "response_plan"]
    # The record keeps both: the reading as typed, then its correction.
    recorded = [e.payload for e in t.events if e.type in ("ReadingRecorded", "ReadingCorrected")]
    assert recorded[-2:] == [{"value": 50.0}, {"previous": 50.0, "value": 5.0,
                                               "reason": "typed 50 for 5.0"}]
    assert fold(t.state.initiative_id, t.events) == t.state


def test_a_passing_typo_corrected_to_a_regression_regresses() -> None:
    t = handed_over()
    assert answer_check(t, 5.1)[-1] == "CheckPassed"
    assert correct(t, 11.0, "meant 11.0") == ["ReadingCorrected", "RegressionDetected"]
    assert t.state.phase is Phase.REGRESSED
    assert t.state.checks[0].status is CheckStatus.REGRESSED


def test_corrections_can_follow_each_other_and_the_last_one_decides() -> None:
    t = handed_over()
    answer_check(t, 50.0)
    correct(t, 11.0)
    assert t.state.phase is Phase.REGRESSED
    assert correct(t, 5.0) == ["ReadingCorrected", "CheckPassed"]
    assert phase_of(t) is Phase.SUSTAINING
    assert len(t.state.regressions) == 0
    assert t.state.readings[-1].corrected_from == 50.0


def test_what_cannot_be_corrected_is_refused() -> None:
    t = handed_over()
    with pytest.raises(Rejected, match="no sustainment reading to correct yet"):
        correct(t, 5.0)
    answer_check(t, 5.1)
    with pytest.raises(Rejected, match="only the owner"):
        t.run(c.CorrectReading(actor=CLERK, value=5.0, reason="x"))
    with pytest.raises(Rejected, match=r"already 5\.1"):
        correct(t, 5.1)
    with pytest.raises(Rejected, match="is negative"):
        correct(t, -5.0)


def test_a_reading_that_confirmed_a_recovery_cannot_be_corrected() -> None:
    t = handed_over()
    answer_check(t, 11.0)
    t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within="5d"))
    assert t.types(c.RecordReading(actor=OWNER, value=5.0), timedelta(days=1))[-1] == (
        "RecoveryConfirmed")
    with pytest.raises(Rejected, match="confirmed the recovery"):
        correct(t, 5.5)
