"""Support, duplicates, the front line, pull figures, feedback and the signed acceptance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import Rejected, fold
from domain import commands as c
from domain.pull import idea_feedback, pull_figures, triage_queue
from domain.state import IdeaStatus

from .builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec

DAY = timedelta(days=1)
CLERK_2, CLERK_3 = "clerk-2@acme.example", "clerk-3@acme.example"


def launched(**spec: object) -> Timeline:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(front_line=[CLERK, CLERK_2, CLERK_3], **spec)))
    return t


def idea(t: Timeline, who: str, text: str = "pre-fill vendor ids") -> str:
    return str(t.run(c.SubmitIdea(actor=who, text=text))[0].payload["idea_id"])


def test_support_once_per_person_by_whoever_may_submit() -> None:
    t = launched()
    first = idea(t, CLERK)
    t.run(c.SupportIdea(actor=CLERK_2, idea_id=first))
    with pytest.raises(Rejected, match="already supports"):
        t.run(c.SupportIdea(actor=CLERK_2, idea_id=first))
    with pytest.raises(Rejected, match="submitted idea"):
        t.run(c.SupportIdea(actor=CLERK, idea_id=first))
    with pytest.raises(Rejected, match="only the front line"):
        t.run(c.SupportIdea(actor="outsider@else.example", idea_id=first))
    with pytest.raises(Rejected, match="unknown idea"):
        t.run(c.SupportIdea(actor=CLERK_3, idea_id="idea-9"))
    t.run(c.TriageIdea(actor=OWNER, idea_id=first, adopt=False, reason="not now"))
    with pytest.raises(Rejected, match="declined; only pending or adopted"):
        t.run(c.SupportIdea(actor=CLERK_3, idea_id=first))
    assert t.state.ideas[0].supporters == (CLERK_2,)


def test_triage_queue_orders_by_support_then_age() -> None:
    t = launched()
    old, middle, new = idea(t, CLERK), idea(t, CLERK), idea(t, CLERK_2)
    t.run(c.SupportIdea(actor=CLERK_3, idea_id=new), DAY)
    t.run(c.SupportIdea(actor=CLERK_2, idea_id=middle))
    t.run(c.SupportIdea(actor=CLERK, idea_id=new))
    assert [i.id for i in triage_queue(t.state)] == [new, middle, old]


def test_a_duplicate_carries_its_supporters_over() -> None:
    t = launched()
    original, repeat = idea(t, CLERK), idea(t, CLERK_2, "vendor ids filled in ahead")
    t.run(c.SupportIdea(actor=CLERK_3, idea_id=repeat))
    t.run(c.SupportIdea(actor=CLERK_3, idea_id=original))
    with pytest.raises(Rejected, match="adopted and a duplicate"):
        t.run(c.TriageIdea(actor=OWNER, idea_id=repeat, adopt=True, duplicate_of=original))
    with pytest.raises(Rejected, match="of itself"):
        t.run(c.TriageIdea(actor=OWNER, idea_id=repeat, adopt=False, duplicate_of=repeat))
    with pytest.raises(Rejected, match="only the owner"):
        t.run(c.TriageIdea(actor=CLERK, idea_id=repeat, adopt=False, duplicate_of=original))
    assert t.types(c.TriageIdea(actor=OWNER, idea_id=repeat, adopt=False,
                                duplicate_of=original), DAY) == ["IdeaMarkedDuplicate"]
    merged, orig = t.state.idea(repeat), t.state.idea(original)
    assert merged is not None and orig is not None
    assert (merged.status, merged.duplicate_of) == (IdeaStatus.DUPLICATE, original)
    assert orig.supporters == (CLERK_3, CLERK_2)
    third = idea(t, CLERK_3, "third")
    with pytest.raises(Rejected, match="duplicate; mark"):
        t.run(c.TriageIdea(actor=OWNER, idea_id=third, adopt=False, duplicate_of=repeat))
    assert fold("init-1", t.events) == t.state


def test_owner_changes_the_front_line_after_launch() -> None:
    t = launched()
    newcomer = "clerk-9@acme.example"
    with pytest.raises(Rejected, match="only the front line"):
        idea(t, newcomer)
    with pytest.raises(Rejected, match="only the owner"):
        t.run(c.AddFrontLine(actor=PMO, person=newcomer))
    assert t.types(c.AddFrontLine(actor=OWNER, person=newcomer)) == ["FrontLineAdded"]
    idea(t, newcomer)
    with pytest.raises(Rejected, match="already on the front line"):
        t.run(c.AddFrontLine(actor=OWNER, person=newcomer))
    assert t.types(c.RemoveFrontLine(actor=OWNER, person=CLERK)) == ["FrontLineRemoved"]
    with pytest.raises(Rejected, match="not on the front line"):
        t.run(c.RemoveFrontLine(actor=OWNER, person=CLERK))
    with pytest.raises(Rejected, match="only the front line"):
        idea(t, CLERK)
    assert t.state.front_line == (CLERK_2, CLERK_3, newcomer)

    anyone = Timeline("open")
    anyone.run(c.Launch(actor=PMO, spec=make_spec(front_line=None)))
    with pytest.raises(Rejected, match="names no front line"):
        anyone.run(c.AddFrontLine(actor=OWNER, person=newcomer))


def test_pull_figures_by_hand() -> None:
    t = launched()  # triage within 7 days
    a = idea(t, CLERK)
    b = idea(t, CLERK, "second")
    d = idea(t, CLERK_2, "third")
    t.run(c.SupportIdea(actor=CLERK_3, idea_id=a))
    t.run(c.TriageIdea(actor=OWNER, idea_id=a, adopt=True, reason="cheap"), 2 * DAY)
    t.run(c.TriageIdea(actor=OWNER, idea_id=b, adopt=False, reason="done already"), 8 * DAY)
    t.run(c.MarkIdeaDelivered(actor=OWNER, idea_id=a), DAY)
    t.now += 49 * DAY  # 60 days after launch: two months
    figures = pull_figures([t.state], t.now)
    assert (figures.submitted, figures.adopted, figures.declined) == (3, 1, 1)
    assert (figures.awaiting_triage, figures.adopted_delivered, figures.supports) == (1, 1, 1)
    assert (figures.submitters, figures.front_line, figures.participation) == (2, 3, 2 / 3)
    assert figures.median_triage_seconds == 6 * 86400  # 2 and 10 days
    assert figures.triage_within_seconds == 7 * 86400
    assert (figures.triaged, figures.triaged_within_service_level) == (2, 1)
    assert figures.oldest_untriaged_seconds == 60 * 86400
    assert figures.ideas_per_month == 1.5
    assert figures.adoption_rate == 0.5

    feedback = {f.idea_id: f for f in idea_feedback([t.state], CLERK)}
    assert feedback[a].summary == "adopted: cheap; delivered 2026-01-12"
    assert feedback[b].summary == "declined: done already"
    assert [f.idea_id for f in idea_feedback([t.state], CLERK_2)] == [d]


def test_acceptance_records_the_statement_and_every_steps_evidence() -> None:
    for given, expected in [
        (None, "I, ap@acme.example, accept accountability for Cut invoice cycle time: invoice "
               "cycle time held at 5 days (baseline 12 days), keeping at least 80% of the gain, "
               "as judged by sustainment checks 30d, 60d, 90d after the PMO approves this "
               "handoff."),
        ("I own it.", "I own it."),
    ]:
        t = launched(handoff_statement=given)
        t.run(c.ApproveLaunch(actor=SPONSOR))
        t.run(c.DeliverImprovement(actor=EXPERT, value=5.0))
        t.run(c.CompleteStep(actor=EXPERT, step_id="sop", evidence="wiki/sop-v3"))
        t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"), DAY)
        accepted = t.run(c.AcceptOwnership(actor=OWNER))[0].payload
        assert accepted["statement"] == expected == t.state.accepted_statement
        assert [(s["step_id"], s["completed_by"], s["evidence"]) for s in accepted["steps"]] == [
            ("sop", EXPERT, "wiki/sop-v3"), ("control-plan", OWNER, "")]
