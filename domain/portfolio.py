"""The portfolio figures, computed from the folded states: pure, so the same rows always give the
same figures, and tests need no database."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, computed_field

from domain import InitiativeState, Phase
from domain.benefits import BenefitFigures, BenefitTotal, benefit, summed_benefits
from domain.commitments import Commitment, commitments
from domain.pull import PullFigures, PullPart, merged_pull, pull_part
from domain.state import CheckStatus
from domain.visibility import ReliabilityFigure, Viewer, may_see


@dataclass(frozen=True)
class PortfolioEntry:
    """One initiative as the read model keeps it."""

    state: InitiativeState
    regressions: int  # regressions ever recorded, recovered or not


class _Figure(BaseModel):
    model_config = ConfigDict(frozen=True)


class OpenRegression(_Figure):
    initiative_id: str
    name: str
    owner: str
    regressed_at: datetime | None
    response_plan: str | None
    plan_due_at: datetime | None
    escalated: bool


class StuckInitiative(_Figure):
    """An initiative whose engine could not record what it decided: the PMO's to resolve."""

    initiative_id: str
    name: str
    reason: str
    since: datetime


class SustainedGain(_Figure):
    """Of the initiatives that finished sustainment, how many held the gain at every check."""

    finished: int
    held: int
    sustained_after_recovery: int
    closed_regressed: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rate(self) -> float | None:
        return self.held / self.finished if self.finished else None


class CommitmentTally(_Figure):
    """Dated commitments: kept on time, kept late, past due, not yet due."""

    on_time: int
    late: int
    overdue: int
    open: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rate(self) -> float | None:
        judged = self.on_time + self.late + self.overdue
        return self.on_time / judged if judged else None


class Reliability(CommitmentTally):
    """One person's dated commitments."""

    person: str


class OthersReliability(CommitmentTally):
    """The commitments of the people whose own figures the viewer may not see, summed."""

    people: int


class PortfolioRow(_Figure):
    """One initiative in the portfolio's list."""

    initiative_id: str
    name: str
    phase: str
    pmo: str
    sponsor: str
    owner: str
    updated_at: datetime | None
    next_due_at: datetime | None  # of its pending commitments, the earliest

    def overdue(self, now: datetime) -> bool:
        return self.next_due_at is not None and self.next_due_at < now


class Portfolio(_Figure):
    as_of: datetime
    initiatives: int
    by_phase: dict[str, int]
    overdue_commitments: list[Commitment]
    open_regressions: list[OpenRegression]
    stuck: list[StuckInitiative] = []
    sustained_gain: SustainedGain
    pull: PullFigures
    reliability: list[Reliability]  # each person's, where the viewer may see it
    reliability_of_others: OthersReliability | None = None
    benefit: list[BenefitTotal]  # one line per currency


@dataclass(frozen=True)
class EntryFigures:
    """What one initiative adds to the portfolio, fixed for as long as its version is: a reader
    may keep it per (initiative, version) and only `combine` again, since the clock changes
    nothing here but which pending commitments are overdue (and the pull figures' ages)."""

    state: InitiativeState
    open_regression: OpenRegression | None
    stuck: StuckInitiative | None
    held: bool  # sustained with every check passed and no regression ever recorded
    kept: dict[str, tuple[int, int]]  # person -> (on time, late)
    pending: tuple[Commitment, ...]  # still owed and not settled; judged against the clock
    pull: PullPart
    benefit: BenefitFigures | None

    @property
    def phase(self) -> Phase:
        return self.state.phase


def entry_figures(entry: PortfolioEntry) -> EntryFigures:
    state = entry.state
    found = commitments(state)
    kept: dict[str, tuple[int, int]] = {}
    for commitment in found:
        on_time = commitment.on_time()
        if on_time is not None:
            early, late = kept.get(commitment.person, (0, 0))
            kept[commitment.person] = (early + on_time, late + (not on_time))
    stuck = None
    if state.stuck and state.is_open:
        stuck = StuckInitiative(initiative_id=state.initiative_id, name=state.require_spec().name,
                                reason=state.stuck[-1].reason, since=state.stuck[0].at)
    return EntryFigures(
        state=state,
        open_regression=_open_regression(state) if state.phase is Phase.REGRESSED else None,
        stuck=stuck,
        # A regression outside any check leaves no regressed check behind, hence the count too.
        held=state.phase is Phase.SUSTAINED and entry.regressions == 0
        and all(c.status is CheckStatus.PASSED for c in state.checks),
        kept=kept,
        # No one is held to what can no longer be met: a closed initiative, a settled promise.
        pending=tuple(c for c in found if c.delivered_at is None and not c.settled)
        if state.is_open else (),
        pull=pull_part(state), benefit=benefit(state))


def portfolio(entries: Sequence[PortfolioEntry], now: datetime) -> Portfolio:
    return combine([entry_figures(entry) for entry in entries], now)


def combine(parts: Sequence[EntryFigures], now: datetime) -> Portfolio:
    counts = Counter(part.phase for part in parts)
    return Portfolio(
        as_of=now,
        initiatives=len(parts),
        by_phase={phase.value: counts[phase] for phase in Phase if counts[phase]},
        overdue_commitments=sorted(
            (c for part in parts for c in part.pending if c.overdue(now)),
            key=lambda c: c.due_at),
        open_regressions=[part.open_regression for part in parts if part.open_regression],
        stuck=[part.stuck for part in parts if part.stuck],
        sustained_gain=sustained_gain(counts[Phase.SUSTAINED], counts[Phase.CLOSED_REGRESSED],
                                      sum(1 for part in parts if part.held)),
        pull=merged_pull([part.pull for part in parts], now),
        reliability=_reliability(parts, now),
        benefit=summed_benefits(part.benefit for part in parts),
    )


def _open_regression(state: InitiativeState) -> OpenRegression:
    plan = state.response_plan
    return OpenRegression(
        initiative_id=state.initiative_id, name=state.require_spec().name, owner=state.owner,
        regressed_at=state.regressed_at, response_plan=plan.action if plan else None,
        plan_due_at=plan.due_at if plan else None,
        escalated=state.response_escalated or bool(plan and plan.escalated))


def sustained_gain(sustained: int, closed_regressed: int, held: int) -> SustainedGain:
    """From how many initiatives are sustained, closed regressed, and held the gain."""
    return SustainedGain(
        finished=sustained + closed_regressed, held=held,
        sustained_after_recovery=sustained - held, closed_regressed=closed_regressed)


def _reliability(parts: Sequence[EntryFigures], now: datetime) -> list[Reliability]:
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # on time, late, overdue, open
    for part in parts:
        for person, (on_time, late) in part.kept.items():
            counts = tally[person]
            counts[0] += on_time
            counts[1] += late
        for commitment in part.pending:
            tally[commitment.person][2 if commitment.overdue(now) else 3] += 1
    return [Reliability(person=person, on_time=t[0], late=t[1], overdue=t[2], open=t[3])
            for person, t in sorted(tally.items())]


def as_seen_by(figures: Portfolio, parts: Sequence[EntryFigures], viewer: Viewer) -> Portfolio:
    """`figures` (of `parts`) with each person's reliability only where `viewer` may see it; the
    others' are summed into one line."""
    sponsors: dict[str, set[str]] = defaultdict(set)
    for part in parts:
        sponsor = part.state.require_spec().sponsor
        for person in {*part.kept, *(c.person for c in part.pending)}:
            sponsors[person].add(sponsor)
    return reliability_seen_by(
        figures, {person: frozenset(found) for person, found in sponsors.items()}, viewer)


def reliability_seen_by(figures: Portfolio, sponsors_of: Mapping[str, frozenset[str]],
                        viewer: Viewer) -> Portfolio:
    """`as_seen_by`, given the sponsors of the initiatives each person holds commitments in."""
    shown: list[Reliability] = []
    hidden: list[Reliability] = []
    for line in figures.reliability:
        seen = may_see(viewer, ReliabilityFigure(line.person,
                                                 sponsors_of.get(line.person, frozenset())))
        (shown if seen else hidden).append(line)
    others = None if not hidden else OthersReliability(
        people=len(hidden), on_time=sum(r.on_time for r in hidden),
        late=sum(r.late for r in hidden), overdue=sum(r.overdue for r in hidden),
        open=sum(r.open for r in hidden))
    return figures.model_copy(update={"reliability": shown, "reliability_of_others": others})
