"""The lifecycle of domain.md, decided and folded without any infrastructure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import Phase, Rejected, due_deadlines, fold
from domain import commands as c
from domain.commands import SYSTEM_ACTOR
from domain.state import CheckStatus, IdeaStatus

from .builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec

DAY = timedelta(days=1)


def handed_over(timeline: Timeline | None = None) -> Timeline:
    t = timeline or Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2), DAY)
    t.run(c.CompleteStep(actor=EXPERT, step_id="sop", evidence="sop v3"))
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"), DAY)
    t.run(c.AcceptOwnership(actor=OWNER))
    t.run(c.ApproveReview(actor=PMO), DAY)
    return t


def phase_of(t: Timeline) -> Phase:
    """Read afresh: the phase moves as the timeline runs, which a type checker cannot see."""
    return t.state.phase


def fire_due(t: Timeline) -> list[str]:
    fired = []
    for deadline in due_deadlines(t.state, t.now):
        fired += t.types(deadline.command)
    return fired


def answer_check(t: Timeline, value: float) -> list[str]:
    next_check = next(ch for ch in t.state.checks if ch.status is CheckStatus.SCHEDULED)
    t.now = next_check.due_at
    fire_due(t)
    return t.types(c.RecordReading(actor=OWNER, value=value), timedelta(hours=1))


def test_happy_path_to_sustained() -> None:
    t = handed_over()
    assert t.state.phase is Phase.SUSTAINING
    assert [answer_check(t, v)[-1] for v in (5.1, 5.3, 5.0)] == [
        "CheckPassed", "CheckPassed", "Sustained"]
    assert phase_of(t) is Phase.SUSTAINED
    assert fold(t.state.initiative_id, t.events) == t.state


def test_regression_response_plan_and_recovery() -> None:
    t = handed_over()
    assert answer_check(t, 10.0)[-1] == "RegressionDetected"
    assert t.state.phase is Phase.REGRESSED
    with pytest.raises(Rejected, match="only the owner"):
        t.run(c.SubmitResponsePlan(actor=CLERK, action="retrain", within="5d"))
    t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain the team", within="5d"))
    assert t.types(c.RecordReading(actor=OWNER, value=5.4), DAY)[-1] == "RecoveryConfirmed"
    assert phase_of(t) is Phase.SUSTAINING


def test_missed_response_deadline_escalates_and_the_sponsor_may_reopen() -> None:
    t = handed_over()
    answer_check(t, 10.0)
    t.now += timedelta(days=10)
    assert fire_due(t) == ["Escalated"]
    assert t.state.escalations[-1].to == SPONSOR and t.state.escalations[-1].subject == "response"
    t.run(c.Reopen(actor=SPONSOR, reason="redo the improvement"))
    assert t.state.phase is Phase.IMPROVING


def test_missed_response_after_the_last_check_closes_as_regressed() -> None:
    t = handed_over()
    answer_check(t, 5.0)
    answer_check(t, 5.0)
    answer_check(t, 11.0)
    t.now += timedelta(days=10)
    assert fire_due(t) == ["Escalated", "ClosedRegressed"]
    assert t.state.phase is Phase.CLOSED_REGRESSED


def test_send_back_reopens_steps_and_needs_a_new_acceptance() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2))
    t.run(c.CompleteStep(actor=EXPERT, step_id="sop"))
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"))
    t.run(c.AcceptOwnership(actor=OWNER))
    assert t.types(c.SendBack(actor=PMO, reason="control plan too thin", reopen=["control-plan"])) \
        == ["ReviewSentBack", "StepReopened"]
    assert t.state.phase is Phase.HANDING_OFF
    with pytest.raises(Rejected, match="steps are open: control-plan"):
        t.run(c.AcceptOwnership(actor=OWNER))


def test_overdue_step_reminds_then_escalates() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2))
    t.now += timedelta(days=14)
    assert fire_due(t) == ["StepOverdue"]
    assert fire_due(t) == []
    t.now += timedelta(days=14)
    assert fire_due(t) == ["Escalated"]
    assert t.state.step("control-plan").escalated  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (c.ApproveLaunch(actor=OWNER), "only the sponsor (cfo@acme.example) can"),
        (c.DeliverImprovement(actor=EXPERT, value=5), "while the initiative is proposed"),
        (c.CompleteStep(actor=OWNER, step_id="sop"), "while the initiative is proposed"),
        (c.Escalate(actor=PMO, subject="response", reason="x"), "only the engine's timers"),
        (c.OpenCheck(actor=SYSTEM_ACTOR, check=1), "nothing is due"),
        (c.SubmitIdea(actor="stranger@else.example", text="x"), "only the front line"),
    ],
)
def test_rejections_say_why(command: c.AnyCommand, reason: str) -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    with pytest.raises(Rejected, match=reason.replace("(", r"\(").replace(")", r"\)")):
        t.run(command)


def test_unlaunched_and_closed_initiatives_refuse_commands() -> None:
    t = Timeline()
    with pytest.raises(Rejected, match="has not been launched"):
        t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.Cancel(actor=PMO, reason="budget cut"))
    with pytest.raises(Rejected, match="is cancelled"):
        t.run(c.ApproveLaunch(actor=SPONSOR))


def test_ideas_are_submitted_triaged_and_escalated_when_ignored() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    t.run(c.SubmitIdea(actor=CLERK, text="batch approvals"))
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True), DAY)
    with pytest.raises(Rejected, match="needs a reason"):
        t.run(c.TriageIdea(actor=OWNER, idea_id="idea-2", adopt=False))
    t.now += timedelta(days=7)
    assert fire_due(t) == ["Escalated"]
    t.run(c.MarkIdeaDelivered(actor=OWNER, idea_id="idea-1"))
    assert [i.status for i in t.state.ideas] == [IdeaStatus.DELIVERED, IdeaStatus.PENDING]


def test_a_reassigned_owner_takes_over_the_owner_role() -> None:
    t = handed_over()
    t.run(c.ReassignOwner(actor=PMO, owner="new@acme.example"))
    with pytest.raises(Rejected, match="only the owner"):
        t.run(c.RecordReading(actor=OWNER, value=5))
    t.run(c.RecordReading(actor="new@acme.example", value=5))


def test_event_ids_are_deterministic() -> None:
    first, second = handed_over(), handed_over()
    assert [e.event_id for e in first.events] == [e.event_id for e in second.events]
    assert len({e.event_id for e in first.events}) == len(first.events)
