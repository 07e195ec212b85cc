"""Separation of duties: whoever is accountable for an initiative is not on its front line,
nobody judges their own idea, and nobody gives themselves a role; plus the one limit on how much
one person may submit. Each refusal is one line and records nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import Rejected, RejectionKind
from domain import commands as c
from domain.pull_rules import IDEAS_PER_PERSON_PER_DAY

from .builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec

CLERK_2 = "clerk-2@acme.example"


def launched(front_line: list[str] | None = None) -> Timeline:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(front_line=front_line)))
    return t


@pytest.mark.parametrize("front_line", [None, [CLERK]])
@pytest.mark.parametrize("accountable", [OWNER, SPONSOR, PMO, EXPERT])
def test_the_accountable_do_not_submit_or_support_ideas(front_line: list[str] | None,
                                                        accountable: str) -> None:
    t = launched(front_line)
    t.run(c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    before = t.state
    for command in (c.SubmitIdea(actor=accountable, text="mine"),
                    c.SupportIdea(actor=accountable, idea_id="idea-1")):
        with pytest.raises(Rejected, match="not on its front line") as refused:
            t.run(command)
        assert refused.value.kind is RejectionKind.FORBIDDEN
    assert t.state == before


@pytest.mark.parametrize("accountable", [OWNER, SPONSOR, PMO, EXPERT])
def test_the_owner_cannot_put_the_accountable_on_the_front_line(accountable: str) -> None:
    t = launched([CLERK])
    with pytest.raises(Rejected, match="not on its front line") as refused:
        t.run(c.AddFrontLine(actor=OWNER, person=accountable))
    assert refused.value.kind is RejectionKind.INVALID


def test_a_spec_naming_the_accountable_on_its_front_line_is_refused() -> None:
    with pytest.raises(Rejected, match=r"front_line: .* is the owner") as refused:
        launched([CLERK, OWNER])
    assert refused.value.kind is RejectionKind.INVALID


def test_nobody_makes_themselves_the_owner_nor_a_front_line_person_the_owner() -> None:
    t = launched([CLERK])
    with pytest.raises(Rejected, match="cannot make themselves the owner"):
        t.run(c.ReassignOwner(actor=PMO, owner=PMO))
    with pytest.raises(Rejected, match="remove them from it first"):
        t.run(c.ReassignOwner(actor=PMO, owner=CLERK))


def test_an_idea_is_never_triaged_by_the_person_who_submitted_it() -> None:
    t = launched([CLERK, CLERK_2])
    t.run(c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    t.run(c.RemoveFrontLine(actor=OWNER, person=CLERK))
    t.run(c.ReassignOwner(actor=PMO, owner=CLERK))
    with pytest.raises(Rejected, match="cannot triage it"):
        t.run(c.TriageIdea(actor=CLERK, idea_id="idea-1", adopt=True))


def test_one_person_submits_at_most_so_many_ideas_a_day() -> None:
    t = launched([CLERK, CLERK_2])
    for n in range(IDEAS_PER_PERSON_PER_DAY):
        t.run(c.SubmitIdea(actor=CLERK, text=f"idea {n}"), timedelta(seconds=1))
    with pytest.raises(Rejected, match="ideas in the last 24 hours"):
        t.run(c.SubmitIdea(actor=CLERK, text="one more"))
    t.run(c.SubmitIdea(actor=CLERK_2, text="someone else's"))  # a limit per person
    t.run(c.SubmitIdea(actor=CLERK, text="the next day"), timedelta(days=1))
