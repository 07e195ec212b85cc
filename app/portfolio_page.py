"""The portfolio page's figures, filtered by phase, PMO, sponsor and owner, with its bottleneck
view: summed by PostgreSQL from the rows the projections keep in the append's transaction
(`store.portfolio.sums`), so a request reads figures, never states.

While some initiative recorded events its rows do not hold yet (a store older than those rows,
until a worker catches them up), the page is folded from the states instead, as
`portfolio_page_of` does: the same figures, only slower.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from domain.commitments import Commitment
from domain.portfolio import (
    EntryFigures,
    Portfolio,
    PortfolioEntry,
    PortfolioRow,
    as_seen_by,
    combine,
    entry_figures,
    reliability_seen_by,
)
from domain.state import OPEN_PHASES
from domain.visibility import (
    THE_OPERATOR,
    PortfolioShare,
    Viewer,
    may_see,
    sponsor_of_shares_seen,
)

QUIET_AFTER = timedelta(days=30)
FILTERS = ("phase", "pmo", "sponsor", "owner")
BOTTLENECK_ROWS = 10
_OPEN = frozenset(phase.value for phase in OPEN_PHASES)
QUIET_ROWS = BOTTLENECK_ROWS * 2
LIST_ROWS = 200  # the page lists the newest; the CSV asks for them all

__all__ = ["PortfolioFilter", "PortfolioPage", "PortfolioRow", "portfolio_page",
           "portfolio_page_of"]


class PortfolioFilter(BaseModel):
    model_config = ConfigDict(frozen=True)
    phase: str | None = None
    pmo: str | None = None
    sponsor: str | None = None
    owner: str | None = None


@dataclass(frozen=True)
class PortfolioPage:
    figures: Portfolio
    rows: list[PortfolioRow]  # the filtered initiatives, newest change first (up to a limit)
    row_count: int  # how many initiatives the filter chose, listed or not
    overdue_count: int  # commitments overdue, listed in `figures` or not
    overdue_longest: list[Commitment]
    quiet: list[PortfolioRow]  # open, and no event for QUIET_AFTER: oldest first
    choices: dict[str, list[str]]  # the values each filter can take


@use_case
async def portfolio_page(context: Context, where: PortfolioFilter, viewer: Viewer,
                         now: datetime | None = None, *, rows: int | None = LIST_ROWS,
                         overdue: int | None = BOTTLENECK_ROWS) -> PortfolioPage:
    """The figures of the initiatives whose share `viewer` may see (`domain.visibility`), with
    the newest `rows` of them and the `overdue` commitments overdue longest (all of either
    without a number)."""
    from app.portfolio import require_portfolio_reader
    from store.portfolio import PortfolioReader, PortfolioSums, Scope

    now = now or datetime.now(UTC)
    store = await context.read_store()
    sums = PortfolioSums(store.schema)
    only = sponsor_of_shares_seen(viewer)
    async with sums.snapshot(store.pool) as connection:
        read = await sums.read(
            connection, Scope(**where.model_dump(), only_sponsor=only), now, rows=rows,
            overdue=overdue, quiet_before=now - QUIET_AFTER, quiet=QUIET_ROWS, sponsor=only)
    if not read.behind:
        require_portfolio_reader(viewer, frozenset({only}) if only and read.sponsors
                                 else frozenset())
        figures = reliability_seen_by(read.figures, read.sponsors_of, viewer)
        return PortfolioPage(
            figures=figures, rows=read.rows, row_count=figures.initiatives,
            overdue_count=read.overdue,
            overdue_longest=figures.overdue_commitments[:BOTTLENECK_ROWS],
            quiet=read.quiet, choices=read.choices)
    entries = await PortfolioReader(store.pool, store.schema).entries()
    require_portfolio_reader(viewer, frozenset(
        e.state.require_spec().sponsor for e in entries if e.state.spec))
    page = portfolio_page_of(entries, where, now, viewer=viewer)
    figures = page.figures.model_copy(update={
        "overdue_commitments": page.figures.overdue_commitments[:overdue]})
    return replace(page, figures=figures, rows=page.rows[:rows])


def portfolio_page_of(entries: Iterable[PortfolioEntry], where: PortfolioFilter,
                      now: datetime, *, viewer: Viewer = THE_OPERATOR) -> PortfolioPage:
    """The page for these initiatives alone, folded from their states: no I/O. The figures are
    those the read model's sums give for the same initiatives."""
    parts = sorted((entry_figures(e) for e in entries if e.state.spec is not None),
                   key=_newest_first)
    seen = [part for part in parts if may_see(viewer, PortfolioShare(part.state))]
    wanted = {name: value for name, value in where.model_dump().items() if value is not None}
    chosen = [part for part in seen
              if all(getattr(_row(part), name) == value for name, value in wanted.items())]
    figures = as_seen_by(combine(chosen, now), chosen, viewer)
    rows = [_row(part) for part in chosen]
    return PortfolioPage(
        figures=figures, rows=rows, row_count=len(rows),
        overdue_count=len(figures.overdue_commitments),
        overdue_longest=figures.overdue_commitments[:BOTTLENECK_ROWS],
        quiet=[row for row in reversed(rows) if row.phase in _OPEN and (
            row.updated_at is None or row.updated_at < now - QUIET_AFTER)][:QUIET_ROWS],
        choices=_choices([_row(part) for part in seen]))


def _newest_first(part: EntryFigures) -> tuple[float, str]:
    """As the read model lists them: newest change first, then by id."""
    updated = part.state.updated_at
    return (-updated.timestamp() if updated else 0.0), part.state.initiative_id


def _row(part: EntryFigures) -> PortfolioRow:
    state = part.state
    spec = state.require_spec()
    return PortfolioRow(
        initiative_id=state.initiative_id, name=spec.name, phase=state.phase.value,
        pmo=spec.pmo, sponsor=spec.sponsor, owner=state.owner, updated_at=state.updated_at,
        next_due_at=min((c.due_at for c in part.pending), default=None))


def _choices(rows: Sequence[PortfolioRow]) -> dict[str, list[str]]:
    return {name: sorted({getattr(row, name) for row in rows}) for name in FILTERS}

