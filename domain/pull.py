"""Pull as the figures show it: who takes part, how fast ideas are answered, what became of them.

One function serves an initiative and the portfolio alike: give it one state or all of them.
`NOW_DEPENDENT` names the figures that change with the clock alone; a view that must read the
same whenever it is rebuilt from the record (an initiative's state) leaves them out.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, computed_field

from domain.state import IdeaState, IdeaStatus, InitiativeState

MONTH = timedelta(days=30)
NOW_DEPENDENT = frozenset({"oldest_untriaged_seconds", "ideas_per_month"})


class PullFigures(BaseModel):
    model_config = ConfigDict(frozen=True)

    submitted: int
    adopted: int  # delivered ones included
    declined: int
    duplicates: int
    awaiting_triage: int
    adopted_delivered: int
    median_triage_seconds: float | None
    # The service level ideas are triaged within; None across initiatives that differ.
    triage_within_seconds: float | None
    triaged: int
    triaged_within_service_level: int
    oldest_untriaged_at: datetime | None  # when the longest-waiting idea was submitted
    oldest_untriaged_seconds: float | None  # its age at `now`
    ideas_by_month: dict[str, int]  # submissions per calendar month, "2026-01": 4
    ideas_per_month: float | None  # over the months since the first launch, up to `now`
    submitters: int  # distinct people on a named front line who submitted to it
    front_line: int  # distinct people on the named front lines
    supports: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def adoption_rate(self) -> float | None:
        """Of the ideas adopted or declined (a duplicate counts with the idea it repeats)."""
        answered = self.adopted + self.declined
        return self.adopted / answered if answered else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def participation(self) -> float | None:
        return self.submitters / self.front_line if self.front_line else None


def pull_figures(states: Sequence[InitiativeState], now: datetime) -> PullFigures:
    ideas = [idea for state in states for idea in state.ideas]
    statuses = Counter(idea.status for idea in ideas)
    triaged = [idea for idea in ideas if idea.triaged_at is not None]
    seconds = [(idea.triaged_at - idea.submitted_at).total_seconds()
               for idea in ideas if idea.triaged_at is not None]
    levels = {state.require_spec().ideas.triage_within for state in states if state.spec}
    pending = [idea.submitted_at for idea in ideas if idea.status is IdeaStatus.PENDING]
    front_line, submitters = _participants(states)
    return PullFigures(
        submitted=len(ideas),
        adopted=statuses[IdeaStatus.ADOPTED] + statuses[IdeaStatus.DELIVERED],
        declined=statuses[IdeaStatus.DECLINED],
        duplicates=statuses[IdeaStatus.DUPLICATE],
        awaiting_triage=statuses[IdeaStatus.PENDING],
        adopted_delivered=statuses[IdeaStatus.DELIVERED],
        median_triage_seconds=statistics.median(seconds) if seconds else None,
        triage_within_seconds=levels.pop().total_seconds() if len(levels) == 1 else None,
        triaged=len(triaged),
        triaged_within_service_level=sum(
            1 for idea in triaged if idea.triaged_at and idea.triaged_at <= idea.triage_due_at),
        oldest_untriaged_at=min(pending, default=None),
        oldest_untriaged_seconds=(now - min(pending)).total_seconds() if pending else None,
        ideas_by_month=dict(sorted(Counter(
            idea.submitted_at.strftime("%Y-%m") for idea in ideas).items())),
        ideas_per_month=_per_month(states, len(ideas), now),
        submitters=len(submitters), front_line=len(front_line),
        supports=sum(len(idea.supporters) for idea in ideas),
    )


def _participants(states: Sequence[InitiativeState]) -> tuple[set[str], set[str]]:
    """Everyone on a named front line, and those of them who submitted where they are on it."""
    members: set[str] = set()
    submitted: set[str] = set()
    for state in states:
        front_line = state.front_line
        if front_line is None:
            continue
        members.update(front_line)
        submitted.update(i.submitted_by for i in state.ideas if i.submitted_by in front_line)
    return members, submitted


def _per_month(states: Sequence[InitiativeState], ideas: int, now: datetime) -> float | None:
    """Ideas over the months since the first launch (a month at least, so a new initiative's
    first idea does not read as thirty a month)."""
    launches = [state.launched_at for state in states if state.launched_at is not None]
    if not launches:
        return None
    ends = [state.closed_at or now for state in states if state.launched_at is not None]
    return monthly_rate(ideas, min(launches), max(ends))


def monthly_rate(ideas: int, since: datetime, until: datetime) -> float:
    """Ideas a month between two moments, counted as a month at least."""
    return ideas / (max(until - since, MONTH) / MONTH)


def triage_queue(state: InitiativeState) -> list[IdeaState]:
    """The ideas awaiting the owner: most supported first, then the oldest."""
    return sorted((i for i in state.ideas if i.status is IdeaStatus.PENDING),
                  key=lambda i: (-len(i.supporters), i.submitted_at))


class IdeaFeedback(BaseModel):
    """What became of one person's idea, and why: what the submitter is owed."""

    model_config = ConfigDict(frozen=True)

    initiative_id: str
    initiative: str
    idea_id: str
    text: str
    status: IdeaStatus
    reason: str
    duplicate_of: str | None
    supporters: int
    submitted_at: datetime
    triage_due_at: datetime
    triaged_at: datetime | None
    delivered_at: datetime | None
    summary: str


def idea_feedback(states: Sequence[InitiativeState], person: str) -> list[IdeaFeedback]:
    """Every idea `person` submitted, newest first."""
    found = [
        IdeaFeedback(
            initiative_id=state.initiative_id, initiative=state.require_spec().name,
            idea_id=idea.id, text=idea.text, status=idea.status, reason=idea.reason,
            duplicate_of=idea.duplicate_of, supporters=len(idea.supporters),
            submitted_at=idea.submitted_at, triage_due_at=idea.triage_due_at,
            triaged_at=idea.triaged_at, delivered_at=idea.delivered_at,
            summary=_summary(idea))
        for state in states if state.spec is not None
        for idea in state.ideas if idea.submitted_by == person
    ]
    return sorted(found, key=lambda f: f.submitted_at, reverse=True)


def _summary(idea: IdeaState) -> str:
    why = f": {idea.reason}" if idea.reason else ""
    if idea.status is IdeaStatus.PENDING:
        return f"awaiting the owner's triage, due {idea.triage_due_at.date().isoformat()}"
    if idea.status is IdeaStatus.DUPLICATE:
        return f"merged into {idea.duplicate_of}, which now carries its support"
    if idea.status is IdeaStatus.DECLINED:
        return f"declined{why}"
    if idea.status is IdeaStatus.DELIVERED:
        at = f" {idea.delivered_at.date().isoformat()}" if idea.delivered_at else ""
        return f"adopted{why}; delivered{at}"
    return f"adopted{why}; not yet delivered"
