"""The pull figures merged from per-initiative parts, as a portfolio keeps them, equal the
figures worked out over all the ideas at once (the reference below)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from bench.synthetic_streams import lifecycle
from domain import InitiativeState, Rejected, RejectionKind, fold
from domain import commands as c
from domain.pull import MONTH, PullFigures, merged_pull, pull_figures, pull_part
from domain.pull_decide import check_ideas_known
from domain.state import IdeaStatus
from tests.domain.builders import CLERK, OWNER

EVENTS = lifecycle(100)
STATES = [fold(EVENTS[0].initiative_id, EVENTS[:cut]) for cut in range(1, len(EVENTS) + 1)]


def reference(states: Sequence[InitiativeState], now: datetime) -> PullFigures:
    ideas = [idea for state in states for idea in state.ideas]
    statuses = Counter(idea.status for idea in ideas)
    triaged = [idea for idea in ideas if idea.triaged_at is not None]
    seconds = [(i.triaged_at - i.submitted_at).total_seconds() for i in ideas if i.triaged_at]
    levels = {state.require_spec().ideas.triage_within for state in states if state.spec}
    pending = [idea.submitted_at for idea in ideas if idea.status is IdeaStatus.PENDING]
    members: set[str] = set()
    submitters: set[str] = set()
    for state in states:
        if state.front_line is not None:
            members.update(state.front_line)
            submitters.update(i.submitted_by for i in state.ideas
                              if i.submitted_by in state.front_line)
    launches = [s.launched_at for s in states if s.launched_at is not None]
    ends = [s.closed_at or now for s in states if s.launched_at is not None]
    return PullFigures(
        submitted=len(ideas),
        adopted=statuses[IdeaStatus.ADOPTED] + statuses[IdeaStatus.DELIVERED],
        declined=statuses[IdeaStatus.DECLINED], duplicates=statuses[IdeaStatus.DUPLICATE],
        awaiting_triage=statuses[IdeaStatus.PENDING],
        adopted_delivered=statuses[IdeaStatus.DELIVERED],
        median_triage_seconds=statistics.median(seconds) if seconds else None,
        triage_within_seconds=levels.pop().total_seconds() if len(levels) == 1 else None,
        triaged=len(triaged),
        triaged_within_service_level=sum(
            1 for i in triaged if i.triaged_at and i.triaged_at <= i.triage_due_at),
        oldest_untriaged_at=min(pending, default=None),
        oldest_untriaged_seconds=(now - min(pending)).total_seconds() if pending else None,
        ideas_by_month=dict(sorted(Counter(
            i.submitted_at.strftime("%Y-%m") for i in ideas).items())),
        ideas_per_month=len(ideas) / (max(max(ends) - min(launches), MONTH) / MONTH)
        if launches else None,
        submitters=len(submitters), front_line=len(members),
        supports=sum(len(idea.supporters) for idea in ideas),
    )


def _now(states: Sequence[InitiativeState]) -> datetime:
    return max(s.updated_at for s in states if s.updated_at) + timedelta(days=3)


@pytest.mark.parametrize("state", STATES, ids=lambda s: f"v{s.version}")
def test_one_initiative(state: InitiativeState) -> None:
    now = _now([state])
    assert pull_figures([state], now) == reference([state], now)


def test_a_portfolio_merged_from_its_parts_in_any_grouping() -> None:
    # Other people on other front lines, so that the sets of people are merged too.
    states = [s.model_copy(update={"front_line_now": (f"person-{n % 5}@acme.example",
                                                      *(s.front_line or ()))})
              if n % 3 else s for n, s in enumerate(STATES)]
    now = _now(states)
    expected = reference(states, now)
    parts = [pull_part(state) for state in states]
    assert merged_pull(parts, now) == expected
    assert merged_pull(parts[::-1], now) == expected
    assert merged_pull([], now) == reference([], now)


@pytest.mark.parametrize("named", ["idea-3", "idea-0", "idea-03", "idea-", "sop", "idea-1x",
                                   "IDEA-1", "idea-\u0661", "idea-" + "9" * 40])
def test_an_idea_beyond_those_numbered_is_refused_without_reading_any(named: str) -> None:
    for command in (c.TriageIdea(actor=OWNER, idea_id=named, adopt=True),
                    c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=False, duplicate_of=named),
                    c.SupportIdea(actor=CLERK, idea_id=named),
                    c.MarkIdeaDelivered(actor=OWNER, idea_id=named)):
        with pytest.raises(Rejected, match="unknown idea") as refused:
            check_ideas_known(command, ideas=2)
        assert refused.value.kind is RejectionKind.NOT_FOUND


def test_the_ideas_a_stream_holds_are_known_by_their_numbers() -> None:
    check_ideas_known(c.TriageIdea(actor=OWNER, idea_id="idea-2", adopt=False,
                                   duplicate_of="idea-1"), 2)
    check_ideas_known(c.SubmitIdea(actor=CLERK, text="names none"), 0)
