"""Rules that keep the handoff from being dodged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from domain import Phase, Rejected
from domain import commands as c
from domain.commitments import commitments
from domain.state import CheckStatus

from .builders import EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec
from .test_lifecycle import DAY, answer_check, fire_due, handed_over

NEW_OWNER = "ops-lead@acme.example"


def in_review() -> Timeline:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2), DAY)
    t.run(c.CompleteStep(actor=EXPERT, step_id="sop"))
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"))
    t.run(c.AcceptOwnership(actor=OWNER))
    return t


def test_the_response_deadline_is_bounded_by_the_spec() -> None:
    t = handed_over()
    answer_check(t, 11.0)
    with pytest.raises(Rejected, match="within the spec's response_within of 10d; 3650d is"):
        t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within="3650d"))
    t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within="10d"))


def test_an_owner_reassigned_during_review_must_accept_before_approval() -> None:
    t = in_review()
    t.run(c.ReassignOwner(actor=PMO, owner=NEW_OWNER))
    with pytest.raises(Rejected, match=f"the new owner, {NEW_OWNER}, has not accepted"):
        t.run(c.ApproveReview(actor=PMO))
    with pytest.raises(Rejected, match="only the owner"):
        t.run(c.AcceptOwnership(actor=OWNER))  # the former owner no longer can
    t.run(c.AcceptOwnership(actor=NEW_OWNER))
    assert t.types(c.ApproveReview(actor=PMO)) == ["ReviewApproved"]
    assert t.state.phase is Phase.SUSTAINING


def test_an_owner_reassigned_during_handoff_accepts_as_usual() -> None:
    t = in_review()
    t.run(c.SendBack(actor=PMO, reason="training missing"))
    t.run(c.ReassignOwner(actor=PMO, owner=NEW_OWNER))
    assert not t.state.owner_unaccepted
    t.run(c.AcceptOwnership(actor=NEW_OWNER))
    t.run(c.ApproveReview(actor=PMO))


def test_the_expert_cannot_be_the_owner() -> None:
    with pytest.raises(ValidationError, match="cannot be both the expert and the owner"):
        make_spec(owner=EXPERT)
    t = in_review()
    with pytest.raises(Rejected, match="is the expert and cannot also be the owner"):
        t.run(c.ReassignOwner(actor=PMO, owner=EXPERT))


def test_a_reading_before_a_check_is_due_is_kept_as_an_interim_reading() -> None:
    t = handed_over()
    events = t.run(c.RecordReading(actor=OWNER, value=5.1), DAY)
    assert [(e.type, e.payload) for e in events] == [
        ("ReadingRecorded", {"value": 5.1, "interim": True})]
    assert t.state.readings[-1].interim
    assert t.state.checks[0].status is CheckStatus.SCHEDULED  # the check still waits
    # A reading that answers a check records no such flag, as readings always did.
    assert answer_check(t, 5.0)[0] == "ReadingRecorded"
    assert t.events[-2].payload == {"value": 5.0}


def test_commitments_that_can_no_longer_be_met_are_settled_on_reopen() -> None:
    t = handed_over()
    answer_check(t, 11.0)
    t.now += timedelta(days=11)
    fire_due(t)  # no response plan: escalated to the sponsor
    t.run(c.Reopen(actor=SPONSOR, reason="the process changed"))
    owed = [x for x in commitments(t.state) if x.kind == "response_plan"]
    assert [x.settled for x in owed] == ["reopened for improvement: the process changed"]
    assert not any(x.overdue(t.now + timedelta(days=400)) for x in commitments(t.state))


def test_commitments_pending_at_close_are_settled_with_the_reason() -> None:
    t = handed_over()
    t.run(c.SubmitIdea(actor="clerk-1@acme.example", text="pre-fill vendor ids"))
    t.run(c.Cancel(actor=PMO, reason="merged into another programme"))
    pending = [x for x in commitments(t.state) if x.kind == "idea_triage"]
    assert [x.settled for x in pending] == [
        "the initiative closed (cancelled: merged into another programme)"]
    assert not pending[0].overdue(t.now + timedelta(days=30))
