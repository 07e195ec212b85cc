"""Pull as the figures show it: who takes part, how fast ideas are answered, what became of them.

One function serves an initiative and the portfolio alike: give it one state or all of them.
`NOW_DEPENDENT` names the figures that change with the clock alone; a view that must read the
same whenever it is rebuilt from the record (an initiative's state) leaves them out.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class PullPart:
    """What one initiative adds to the pull figures, fixed for as long as its version is: a
    portfolio keeps it per (initiative, version) and only merges again (`merged_pull`)."""

    submitted: int
    statuses: tuple[int, ...]  # ideas per status, in the order of IdeaStatus
    triage_seconds: tuple[float, ...]
    triaged_within_service_level: int
    triage_within: timedelta | None  # None without a spec
    oldest_untriaged_at: datetime | None
    ideas_by_month: dict[str, int]
    front_line: frozenset[str]
    submitters: frozenset[str]  # of the front line, who submitted here
    supports: int
    launched_at: datetime | None
    closed_at: datetime | None


_STATUSES = tuple(IdeaStatus)
_STATUS_INDEX = {status: index for index, status in enumerate(_STATUSES)}


def pull_part(state: InitiativeState) -> PullPart:
    ideas = state.ideas
    statuses = [0] * len(_STATUSES)
    months: dict[str, int] = {}
    seconds, within, pending, supports = [], 0, [], 0
    for idea in ideas:
        statuses[_STATUS_INDEX[idea.status]] += 1
        at = idea.submitted_at
        month = month_of(at)
        months[month] = months.get(month, 0) + 1
        supports += len(idea.supporters)
        if idea.triaged_at is not None:
            seconds.append((idea.triaged_at - at).total_seconds())
            within += idea.triaged_at <= idea.triage_due_at
        if idea.status is IdeaStatus.PENDING:
            pending.append(at)
    front_line = frozenset(state.front_line or ())
    return PullPart(
        submitted=len(ideas), statuses=tuple(statuses), triage_seconds=tuple(seconds),
        triaged_within_service_level=within,
        triage_within=state.spec.ideas.triage_within if state.spec else None,
        oldest_untriaged_at=min(pending, default=None), ideas_by_month=months,
        front_line=front_line,
        submitters=frozenset(i.submitted_by for i in ideas if i.submitted_by in front_line),
        supports=supports, launched_at=state.launched_at, closed_at=state.closed_at)


def month_of(at: datetime) -> str:
    """The calendar month ideas are counted in, "2026-01", as `at`'s own offset reads it."""
    return f"{at.year:04d}-{at.month:02d}"  # strftime("%Y-%m"), in a fraction of its time


def pull_figures(states: Sequence[InitiativeState], now: datetime) -> PullFigures:
    return merged_pull([pull_part(state) for state in states], now)


def merged_pull(parts: Sequence[PullPart], now: datetime) -> PullFigures:
    """The pull figures of the initiatives these parts are of."""
    counts = [sum(column) for column in zip(*(part.statuses for part in parts),
                                            strict=True)] or [0] * len(_STATUSES)
    status = dict(zip(_STATUSES, counts, strict=True))
    seconds = [second for part in parts for second in part.triage_seconds]
    levels = {part.triage_within for part in parts if part.triage_within is not None}
    pending = [part.oldest_untriaged_at for part in parts if part.oldest_untriaged_at]
    oldest = min(pending, default=None)
    months: Counter[str] = Counter()
    for part in parts:
        for month, submitted in part.ideas_by_month.items():
            months[month] += submitted
    submitted = sum(part.submitted for part in parts)
    return PullFigures(
        submitted=submitted,
        adopted=status[IdeaStatus.ADOPTED] + status[IdeaStatus.DELIVERED],
        declined=status[IdeaStatus.DECLINED],
        duplicates=status[IdeaStatus.DUPLICATE],
        awaiting_triage=status[IdeaStatus.PENDING],
        adopted_delivered=status[IdeaStatus.DELIVERED],
        median_triage_seconds=statistics.median(seconds) if seconds else None,
        triage_within_seconds=levels.pop().total_seconds() if len(levels) == 1 else None,
        triaged=len(seconds),
        triaged_within_service_level=sum(part.triaged_within_service_level for part in parts),
        oldest_untriaged_at=oldest,
        oldest_untriaged_seconds=(now - oldest).total_seconds() if oldest else None,
        ideas_by_month=dict(sorted(months.items())),
        ideas_per_month=_per_month(parts, submitted, now),
        submitters=len(frozenset().union(*(part.submitters for part in parts))),
        front_line=len(frozenset().union(*(part.front_line for part in parts))),
        supports=sum(part.supports for part in parts),
    )


def _per_month(parts: Sequence[PullPart], ideas: int, now: datetime) -> float | None:
    """Ideas over the months since the first launch (a month at least, so a new initiative's
    first idea does not read as thirty a month)."""
    launches = [part.launched_at for part in parts if part.launched_at is not None]
    if not launches:
        return None
    ends = [part.closed_at or now for part in parts if part.launched_at is not None]
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
