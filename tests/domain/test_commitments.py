from __future__ import annotations

from datetime import timedelta

from domain import commands as c
from domain.commitments import commitments

from .builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec


def test_commitments_record_who_kept_their_word() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2))
    t.run(c.SubmitIdea(actor=CLERK, text="batch approvals"))
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"), timedelta(days=20))
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True))
    found = {x.kind: x for x in commitments(t.state)}
    assert found["handoff_step"].person == OWNER and found["handoff_step"].on_time() is False
    assert found["idea_triage"].on_time() is False
    assert not found["handoff_step"].overdue(t.now)


def test_a_regression_owes_a_plan_and_then_the_recovery() -> None:
    from .test_lifecycle import answer_check, handed_over

    t = handed_over()
    answer_check(t, 11.0)
    t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within="5d"), timedelta(days=2))
    t.run(c.RecordReading(actor=OWNER, value=5.0), timedelta(days=7))
    found = {x.kind: x for x in commitments(t.state)}
    assert found["response_plan"].on_time() is True
    assert found["recovery"].on_time() is False
