"""What an initiative's improvement is worth: claimed, verified and lost, from its folded state.

The spec's `benefit.per_unit` values one unit of improvement of the metric for a year. Each
sustainment check closes a period: from the approval (or the check before) to its due date.

- claimed: the delivered improvement at that annual rate over every period of the sustainment
  plan, which is what a tool that stops at close would book.
- verified: only periods whose check passed, at the gain that check found retained (never more
  than was delivered), less any time within them spent regressed.
- lost: the claimed accrual of periods whose check regressed, and of regressed time within
  periods that a later check confirmed.

A regression lasts from its detection to the first sign the gain is back: a confirmed recovery,
a passed check, a new delivery, or the close. When a reopened initiative delivers anew, the earlier
delivery keeps the periods its checks judged and claims nothing for the ones it never reached; a
cancelled one likewise. Everything here is a function of the state, and so of the events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.envelope import Event
from domain.evolve import fold
from domain.spec import Direction, InitiativeSpec
from domain.state import CheckState, CheckStatus, InitiativeState, Phase

YEAR = timedelta(days=365)
_DAY = timedelta(days=1)


class PeriodStatus(StrEnum):
    PENDING = "pending"  # its check has not been judged yet
    VERIFIED = "verified"  # its check passed
    LOST = "lost"  # its check found a regression


class _Figure(BaseModel):
    model_config = ConfigDict(frozen=True)


class BenefitPeriod(_Figure):
    """One check's period and what it contributes; the audit report lists these."""

    delivery: int  # 1, or more when a reopened initiative delivered again
    check: int
    starts_at: datetime | None  # None until the ownership review schedules the checks
    ends_at: datetime | None
    days: float
    status: PeriodStatus
    judged_at: datetime | None
    reading: float | None
    retention: float | None
    credited_units: float  # improvement retained at the check, at most the delivered one
    regressed_days: float
    claimed: float
    verified: float
    lost: float


class BenefitFigures(_Figure):
    currency: str
    per_unit: float
    delivered_units: float  # improvement of the metric delivered, in its unit
    annual: float  # the claimed rate per year
    claimed: float
    verified: float
    lost: float
    periods: tuple[BenefitPeriod, ...]


class BenefitTotal(_Figure):
    currency: str
    initiatives: int
    claimed: float
    verified: float
    lost: float


@dataclass(frozen=True)
class _Delivery:
    number: int
    value: float
    delivered_at: datetime
    checks: tuple[CheckState, ...]  # empty until the review schedules them
    abandoned: bool


def improvement_units(spec: InitiativeSpec, reading: float) -> float:
    """How far `reading` is from the baseline in the better direction; never below zero."""
    better = spec.metric.baseline - reading
    if spec.metric.direction is Direction.INCREASE:
        better = -better
    return max(0.0, better)


def annual_at_target(spec: InitiativeSpec) -> float | None:
    """What the improvement is worth a year if it reaches its target: the business case."""
    if spec.benefit is None:
        return None
    return _money(improvement_units(spec, spec.metric.target) * spec.benefit.per_unit)


def benefit(state: InitiativeState) -> BenefitFigures | None:
    """The figures of one initiative; None when its spec puts no value on the improvement."""
    spec = state.spec
    if spec is None or spec.benefit is None:
        return None
    deliveries = _deliveries(state)
    regressions = _regressions(state, deliveries)
    periods = [period for delivery in deliveries
               for period in _periods(spec, delivery, regressions)]
    delivered = improvement_units(spec, state.delivered_value) if (
        state.delivered_value is not None) else 0.0
    return BenefitFigures(
        currency=spec.benefit.currency, per_unit=spec.benefit.per_unit,
        delivered_units=delivered, annual=_money(delivered * spec.benefit.per_unit),
        claimed=_money(sum(p.claimed for p in periods)),
        verified=_money(sum(p.verified for p in periods)),
        lost=_money(sum(p.lost for p in periods)),
        periods=tuple(p.model_copy(update={k: _money(getattr(p, k))
                                           for k in ("claimed", "verified", "lost")})
                      for p in periods))


def benefit_of_events(initiative_id: str, events: Iterable[Event]) -> BenefitFigures | None:
    return benefit(fold(initiative_id, events))


def benefit_totals(states: Iterable[InitiativeState]) -> list[BenefitTotal]:
    """The portfolio's figures, one line per currency."""
    return summed_benefits(benefit(state) for state in states)


def summed_benefits(each: Iterable[BenefitFigures | None]) -> list[BenefitTotal]:
    """`benefit_totals` from each initiative's figures, as a portfolio keeps them per version."""
    by_currency: dict[str, list[BenefitFigures]] = defaultdict(list)
    for figures in each:
        if figures is not None:
            by_currency[figures.currency].append(figures)
    return [BenefitTotal(currency=currency, initiatives=len(figures),
                         claimed=_money(sum(f.claimed for f in figures)),
                         verified=_money(sum(f.verified for f in figures)),
                         lost=_money(sum(f.lost for f in figures)))
            for currency, figures in sorted(by_currency.items())]


def _money(amount: float) -> float:
    return round(amount, 2)


def _deliveries(state: InitiativeState) -> list[_Delivery]:
    found = [_Delivery(n, r.delivered_value, r.delivered_at, r.checks, abandoned=True)
             for n, r in enumerate(state.earlier_rounds, start=1)]
    if state.delivered_value is not None and state.delivered_at is not None:
        # Reopened (back to improving) or cancelled: the plan will not run to its end.
        abandoned = state.phase in (Phase.IMPROVING, Phase.CANCELLED)
        found.append(_Delivery(len(found) + 1, state.delivered_value, state.delivered_at,
                               state.checks, abandoned))
    return found


def _regressions(state: InitiativeState,
                 deliveries: Sequence[_Delivery]) -> list[tuple[datetime, datetime | None]]:
    """Each regression as (from, until); until is None while it lasts."""
    passed = [c.judged_at for d in deliveries for c in d.checks
              if c.status is CheckStatus.PASSED and c.judged_at is not None]
    ends_of_any = [*passed, *(d.delivered_at for d in deliveries)]
    if state.closed_at is not None:
        ends_of_any.append(state.closed_at)
    spans = []
    for regression in state.regressions:
        start = regression.regressed_at
        ends = [at for at in ends_of_any if at > start]
        if regression.recovered_at is not None:
            ends.append(regression.recovered_at)
        spans.append((start, min(ends, default=None)))
    return spans


def _periods(spec: InitiativeSpec, delivery: _Delivery,
             regressions: Sequence[tuple[datetime, datetime | None]]) -> list[BenefitPeriod]:
    offsets = spec.sustainment.checks
    delivered = improvement_units(spec, delivery.value)
    gain = abs(spec.metric.baseline - spec.metric.target)
    rate = spec.benefit.per_unit if spec.benefit else 0.0
    found = []
    for index, offset in enumerate(offsets):
        length = offset - (offsets[index - 1] if index else timedelta(0))
        check = delivery.checks[index] if index < len(delivery.checks) else None
        status = _status(check)
        if status is PeriodStatus.PENDING and delivery.abandoned:
            continue
        ends_at = check.due_at if check else None
        starts_at = ends_at - length if ends_at else None
        claimed = delivered * rate * (length / YEAR)
        credited, regressed, verified, lost = 0.0, timedelta(0), 0.0, 0.0
        if status is PeriodStatus.LOST:
            regressed, lost = length, claimed
        elif status is PeriodStatus.VERIFIED and check is not None and starts_at and ends_at:
            credited = min(delivered, max(0.0, (check.retention or 0.0) * gain))
            regressed = min(length, sum((_overlap(starts_at, ends_at, span)
                                         for span in regressions), timedelta(0)))
            verified = credited * rate * ((length - regressed) / YEAR)
            lost = delivered * rate * (regressed / YEAR)
        found.append(BenefitPeriod(
            delivery=delivery.number, check=index + 1, starts_at=starts_at, ends_at=ends_at,
            days=length / _DAY, status=status, judged_at=check.judged_at if check else None,
            reading=check.reading if check else None,
            retention=check.retention if check else None, credited_units=credited,
            regressed_days=regressed / _DAY, claimed=claimed, verified=verified, lost=lost))
    return found


def _status(check: CheckState | None) -> PeriodStatus:
    if check is not None and check.status is CheckStatus.PASSED:
        return PeriodStatus.VERIFIED
    if check is not None and check.status is CheckStatus.REGRESSED:
        return PeriodStatus.LOST
    return PeriodStatus.PENDING


def _overlap(start: datetime, end: datetime,
             span: tuple[datetime, datetime | None]) -> timedelta:
    since, until = span
    later_start = max(start, since)
    earlier_end = end if until is None else min(end, until)
    return max(timedelta(0), earlier_end - later_start)
