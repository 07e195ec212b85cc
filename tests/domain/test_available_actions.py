"""The forms a page offers: exactly the commands this actor could send in this state."""

from __future__ import annotations

from datetime import timedelta

from domain import commands as c
from domain import decide
from domain.available_actions import Offer, available_actions

from .builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec
from .test_lifecycle import answer_check, handed_over

DAY = timedelta(days=1)
OUTSIDER = "someone@elsewhere.example"
CLERK_2 = "clerk-2@acme.example"
# The owner may change a named front line in every open phase: one person is on it.
FRONT_LINE = [Offer("front_line_add"), Offer("front_line_remove", CLERK)]


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
    assert offers(t, OWNER) == [Offer("complete_step", "control-plan"), *FRONT_LINE]
    t.run(c.CompleteStep(actor=EXPERT, step_id="sop"))
    assert offers(t, EXPERT) == []
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"))
    assert offers(t, OWNER) == [Offer("accept"), *FRONT_LINE]
    t.run(c.AcceptOwnership(actor=OWNER))
    assert kinds(t, PMO) == ["approve_review", "send_back", "reassign", "cancel"]
    assert offers(t, OWNER) == FRONT_LINE


def test_sustainment_offers_readings_then_a_response_plan_after_a_regression() -> None:
    t = handed_over()
    assert offers(t, OWNER) == [Offer("reading"), *FRONT_LINE]
    answer_check(t, 10.0)
    correct = Offer("correct_reading")  # the latest reading, should it be mistyped
    assert offers(t, OWNER) == [Offer("reading"), correct, Offer("respond"), *FRONT_LINE]
    assert kinds(t, SPONSOR) == []  # reopening waits for an escalation
    t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within="5d"))
    assert offers(t, OWNER) == [Offer("reading"), correct, *FRONT_LINE]


def test_a_response_time_shorter_than_a_day_still_offers_the_response_plan() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(sustainment={
        "checks": ["30d"], "tolerance": 0.8, "response_within": "1h"})))
    for command in (c.ApproveLaunch(actor=SPONSOR), c.DeliverImprovement(actor=EXPERT, value=5),
                    c.CompleteStep(actor=EXPERT, step_id="sop"),
                    c.CompleteStep(actor=OWNER, step_id="control-plan"),
                    c.AcceptOwnership(actor=OWNER), c.ApproveReview(actor=PMO)):
        t.run(command)
    answer_check(t, 10.0)
    assert Offer("respond") in offers(t, OWNER)


def test_ideas_are_triaged_once_then_marked_delivered() -> None:
    t = handed_over()
    t.run(c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    assert Offer("triage_idea", "idea-1") in offers(t, OWNER)
    assert Offer("triage_idea", "idea-1") not in offers(t, CLERK)
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True))
    assert Offer("triage_idea", "idea-1") not in offers(t, OWNER)
    assert Offer("idea_delivered", "idea-1") in offers(t, OWNER)


def test_support_is_offered_to_the_front_line_once_and_never_for_ones_own_idea() -> None:
    t = handed_over()
    t.run(c.AddFrontLine(actor=OWNER, person=CLERK_2))
    t.run(c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    support = Offer("support_idea", "idea-1")
    assert support in offers(t, CLERK_2)
    assert support not in offers(t, CLERK)  # the submitter
    assert support not in offers(t, OUTSIDER)  # not on the front line
    t.run(c.SupportIdea(actor=CLERK_2, idea_id="idea-1"))
    assert support not in offers(t, CLERK_2)


def test_a_triage_offers_as_duplicates_only_the_other_ideas_still_standing() -> None:
    t = handed_over()
    for text in ("pre-fill vendor ids", "vendor ids filled in", "scan paper", "scan it"):
        t.run(c.SubmitIdea(actor=CLERK, text=text))
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True))
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-3", adopt=False, reason="no scanner"))
    triage = {o.subject: o.choices for o in offers(t, OWNER) if o.kind == "triage_idea"}
    assert triage == {"idea-2": ("idea-1", "idea-4"), "idea-4": ("idea-1", "idea-2")}
    for idea, choices in triage.items():  # each choice is one the rules accept
        for original in choices:
            assert decide(t.state, c.TriageIdea(actor=OWNER, idea_id=idea, adopt=False,
                                                duplicate_of=original), t.now)


def test_the_owner_is_offered_each_front_line_change_the_rules_accept() -> None:
    t = handed_over()
    t.run(c.AddFrontLine(actor=OWNER, person="newcomer"))  # the stand-in's own name
    assert offers(t, OWNER)[-3:] == [Offer("front_line_add"), Offer("front_line_remove", CLERK),
                                     Offer("front_line_remove", "newcomer")]
    assert not {"front_line_add", "front_line_remove"} & set(kinds(t, CLERK) + kinds(t, PMO))
    anyone = Timeline()
    anyone.run(c.Launch(actor=PMO, spec=make_spec(front_line=None)))
    assert not {"front_line_add", "front_line_remove"} & set(kinds(anyone, OWNER))


def test_a_closed_initiative_offers_nothing_to_anyone() -> None:
    t = launched()
    t.run(c.Cancel(actor=PMO, reason="budget"))
    assert all(kinds(t, who) == [] for who in (PMO, SPONSOR, EXPERT, OWNER, CLERK))

