"""Whom the digest tells of an initiative's changes: only people who may still see it."""

from __future__ import annotations

from activities.digest import told_of_changes
from domain import commands as c
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec


def test_a_submitter_taken_off_the_front_line_hears_no_more_of_it() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    assert told_of_changes(t.state) == {SPONSOR, PMO, EXPERT, OWNER, CLERK}
    t.run(c.RemoveFrontLine(actor=OWNER, person=CLERK))
    assert told_of_changes(t.state) == {SPONSOR, PMO, EXPERT, OWNER}
