"""The portfolio figures, pure: the same folded states always give the same figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain import commands as c
from domain import events as ev
from domain.deadlines import due_deadlines
from domain.portfolio import PortfolioEntry, portfolio
from tests.domain.builders import (
    CLERK,
    OWNER,
    Timeline,
    handed_over,
    read,
)

DAY = timedelta(days=1)


def entry(t: Timeline) -> PortfolioEntry:
    return PortfolioEntry(t.state, sum(e.type == ev.RegressionDetected.TYPE for e in t.events))


def test_sustained_gain_rate_counts_only_gains_that_never_slipped() -> None:
    held = handed_over("held")
    for value in (5.1, 4.8, 5.3):  # noise, as real readings have; no drift
        read(held, value, 30 * DAY)
    recovered = handed_over("recovered")
    read(recovered, 11, 30 * DAY)
    recovered.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within="5d"))
    read(recovered, 5.0, DAY)
    read(recovered, 5.1, 29 * DAY)
    read(recovered, 5.0, 30 * DAY)
    slipped = handed_over("slipped")
    read(slipped, 5.1, 30 * DAY)
    read(slipped, 5.0, 30 * DAY)
    read(slipped, 11, 30 * DAY)
    slipped.now += 11 * DAY  # no response plan within response_within: the engine closes it
    for deadline in due_deadlines(slipped.state, slipped.now):
        slipped.run(deadline.command)
    still_open = handed_over("still-open")
    read(still_open, 11, 30 * DAY)
    still_open.run(c.SubmitResponsePlan(actor=OWNER, action="new fixture", within="10d"))

    figures = portfolio([entry(t) for t in (held, recovered, slipped, still_open)],
                        still_open.now)

    assert [t.state.phase.value for t in (held, recovered, slipped)] == [
        "sustained", "sustained", "closed_regressed"]
    gain = figures.sustained_gain
    assert (gain.finished, gain.held, gain.sustained_after_recovery, gain.closed_regressed) == (
        3, 1, 1, 1)
    assert gain.rate == pytest.approx(1 / 3)
    assert [(r.initiative_id, r.response_plan) for r in figures.open_regressions] == [
        ("still-open", "new fixture")]
    assert figures.by_phase == {"regressed": 1, "sustained": 2, "closed_regressed": 1}


def test_pull_and_reliability() -> None:
    t = handed_over("pull")
    for text in ("pre-fill forms", "batch approvals", "fax it"):
        t.run(c.SubmitIdea(actor=CLERK, text=text))
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True), DAY)
    t.run(c.TriageIdea(actor=OWNER, idea_id="idea-2", adopt=False, reason="later"), 2 * DAY)
    t.run(c.MarkIdeaDelivered(actor=OWNER, idea_id="idea-1"), 20 * DAY)

    figures = portfolio([entry(t)], t.now)

    pull = figures.pull
    assert (pull.submitted, pull.adopted, pull.declined, pull.awaiting_triage,
            pull.adopted_delivered) == (3, 1, 1, 1, 1)
    assert pull.adoption_rate == 0.5
    assert pull.median_triage_seconds == pytest.approx(2 * 86400)  # 1 day and 3 days
    [owner] = figures.reliability
    # On time: control-plan, idea-1, idea-2; past due: idea-3 (7 days to triage, 23 gone by).
    assert (owner.person, owner.on_time, owner.late, owner.overdue) == (OWNER, 3, 0, 1)
    assert owner.rate == 0.75
    assert [x.subject for x in figures.overdue_commitments] == ["idea-3"]
