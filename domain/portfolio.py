"""The portfolio figures, computed from the folded states: pure, so the same rows always give the
same figures, and tests need no database."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, computed_field

from domain import InitiativeState, Phase
from domain.benefits import BenefitTotal, benefit_totals
from domain.commitments import Commitment, commitments
from domain.pull import PullFigures, pull_figures
from domain.state import CheckStatus


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


class Reliability(_Figure):
    """One person's dated commitments: kept on time, kept late, past due, not yet due."""

    person: str
    on_time: int
    late: int
    overdue: int
    open: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rate(self) -> float | None:
        judged = self.on_time + self.late + self.overdue
        return self.on_time / judged if judged else None


class Portfolio(_Figure):
    as_of: datetime
    initiatives: int
    by_phase: dict[str, int]
    overdue_commitments: list[Commitment]
    open_regressions: list[OpenRegression]
    stuck: list[StuckInitiative] = []
    sustained_gain: SustainedGain
    pull: PullFigures
    reliability: list[Reliability]
    benefit: list[BenefitTotal]  # one line per currency


def portfolio(entries: Sequence[PortfolioEntry], now: datetime) -> Portfolio:
    states = [entry.state for entry in entries]
    counts = Counter(state.phase for state in states)
    return Portfolio(
        as_of=now,
        initiatives=len(states),
        by_phase={phase.value: counts[phase] for phase in Phase if counts[phase]},
        overdue_commitments=sorted(
            (c for s in states if s.is_open for c in commitments(s) if c.overdue(now)),
            key=lambda c: c.due_at),
        open_regressions=[_open_regression(s) for s in states if s.phase is Phase.REGRESSED],
        stuck=[StuckInitiative(initiative_id=s.initiative_id, name=s.require_spec().name,
                               reason=s.stuck[-1].reason, since=s.stuck[0].at)
               for s in states if s.stuck and s.is_open],
        sustained_gain=_sustained_gain(entries),
        pull=pull_figures(states, now),
        reliability=_reliability(states, now),
        benefit=benefit_totals(states),
    )


def _open_regression(state: InitiativeState) -> OpenRegression:
    plan = state.response_plan
    return OpenRegression(
        initiative_id=state.initiative_id, name=state.require_spec().name, owner=state.owner,
        regressed_at=state.regressed_at, response_plan=plan.action if plan else None,
        plan_due_at=plan.due_at if plan else None,
        escalated=state.response_escalated or bool(plan and plan.escalated))


def _sustained_gain(entries: Sequence[PortfolioEntry]) -> SustainedGain:
    sustained = [e for e in entries if e.state.phase is Phase.SUSTAINED]
    # A regression outside any check leaves no regressed check behind, hence the count as well.
    held = [e for e in sustained if e.regressions == 0
            and all(c.status is CheckStatus.PASSED for c in e.state.checks)]
    closed_regressed = sum(1 for e in entries if e.state.phase is Phase.CLOSED_REGRESSED)
    return SustainedGain(
        finished=len(sustained) + closed_regressed, held=len(held),
        sustained_after_recovery=len(sustained) - len(held), closed_regressed=closed_regressed)


def _reliability(states: Sequence[InitiativeState], now: datetime) -> list[Reliability]:
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    for state in states:
        for commitment in commitments(state):
            outcome = _outcome(commitment, state.is_open, now)
            if outcome is not None:
                tally[commitment.person][outcome] += 1
    return [Reliability(person=person, on_time=t["on_time"], late=t["late"],
                        overdue=t["overdue"], open=t["open"])
            for person, t in sorted(tally.items())]


def _outcome(commitment: Commitment, initiative_open: bool, now: datetime) -> str | None:
    kept = commitment.on_time()
    if kept is not None:
        return "on_time" if kept else "late"
    if not initiative_open or commitment.settled:
        return None  # no one is held to what can no longer be met
    return "overdue" if commitment.overdue(now) else "open"
