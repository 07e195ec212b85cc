"""The forms a page offers: exactly the commands this actor could send in this state."""

from __future__ import annotations

from datetime import timedelta

from domain import commands as c
from domain.available_actions import Offer, available_actions

from .builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec
from .test_lifecycle import answer_check, handed_over

DAY = timedelta(days=1)
OUTSIDER = "someone@elsewhere.example"


def offers(t: Timeline, actor: str) -> list[Offer]:
    return available_actions(t.state, actor, t.now)


def kinds(t: Timeline, actor: str) -> list[str]:
    return [offer.kind for offer in offers(t, actor)]


def launched() -> Timeline:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    return t


def test_a_proposed_initiative_offers_the_gate_to_the_sponsor_only() -> None:
    t = launched()
    assert kinds(t, SPONSOR) == ["approve_launch", "reject_launch"]
    assert kinds(t, PMO) == ["reassign", "cancel"]
    assert kinds(t, EXPERT) == []
    assert kinds(t, CLERK) == ["submit_idea"]
    assert kinds(t, OUTSIDER) == []


def test_handoff_steps_are_offered_to_their_assignees_until_done() -> None:
    t = launched()
    t.run(c.ApproveLaunch(actor=SPONSOR))
    assert kinds(t, EXPERT) == ["deliver"]
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2), DAY)
    assert offers(t, EXPERT) == [Offer("complete_step", "sop")]
    assert offers(t, OWNER) == [Offer("complete_step", "control-plan")]
    t.run(c.CompleteStep(actor=EXPERT, step_id="sop"))
    assert offers(t, EXPERT) == []
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"))
    assert kinds(t, OWNER) == ["accept"]
    t.run(c.AcceptOwnership(actor=OWNER))
    assert kinds(t, PMO) == ["approve_review", "send_back", "reassign", "cancel"]
    assert kinds(t, OWNER) == []


def test_sustainment_offers_readings_then_a_response_plan_after_a_regression() -> None:
    t = handed_over()
    assert kinds(t, OWNER) == ["reading"]
    answer_check(t, 10.0)
    assert kinds(t, OWNER) == ["reading", "respond"]
    assert kinds(t, SPONSOR) == []  # reopening waits for an escalation
    t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within="5d"))
    assert kinds(t, OWNER) == ["reading"]


def test_ideas_are_triaged_once_then_marked_delivered() -> None:
    t = handed_over()
    t.run(c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    assert Offer("triage_idea", "idea-1") in offers(t, OWNER)
    assert Offer("triage_idea", "idea-1") not in offers(t, CLERK)
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True))
    assert Offer("triage_idea", "idea-1") not in offers(t, OWNER)
    assert Offer("idea_delivered", "idea-1") in offers(t, OWNER)


def test_a_closed_initiative_offers_nothing_to_anyone() -> None:
    t = launched()
    t.run(c.Cancel(actor=PMO, reason="budget"))
    assert all(kinds(t, who) == [] for who in (PMO, SPONSOR, EXPERT, OWNER, CLERK))

