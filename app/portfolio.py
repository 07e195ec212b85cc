"""The PMO's figures, from the read model; the figures themselves are `domain.portfolio`, and
who sees which of them `domain.visibility`."""

from __future__ import annotations

from datetime import datetime

from app.context import Context, use_case
from app.errors import Rejected, RejectionKind
from domain.portfolio import Portfolio, PortfolioEntry
from domain.visibility import PortfolioFigures, Viewer, may_see


async def portfolio_entries(context: Context) -> list[PortfolioEntry]:
    from store.portfolio import PortfolioReader

    store = await context.read_store()
    return await PortfolioReader(store.pool, store.schema).entries()


def require_portfolio_reader(viewer: Viewer, sponsors: frozenset[str]) -> None:
    """`sponsors`: everyone who sponsors an initiative (or those of them the viewer is)."""
    if not may_see(viewer, PortfolioFigures(sponsors)):
        raise Rejected("the portfolio is for the PMO office, auditors and sponsors",
                       RejectionKind.FORBIDDEN)


@use_case
async def sponsoring(context: Context, person: str) -> frozenset[str]:
    """`{person}` when they sponsor some initiative, else nothing: all a reader needs to know
    of the sponsors to judge `person`."""
    from store.portfolio import PortfolioSums

    store = await context.read_store()
    sponsors = await PortfolioSums(store.schema).sponsors(store.pool, person)
    if sponsors is None:  # rows behind their streams: as the states have it
        sponsors = any(e.state.spec is not None and e.state.spec.sponsor == person
                       for e in await portfolio_entries(context))
    return frozenset({person}) if sponsors else frozenset()


@use_case
async def figures(context: Context, viewer: Viewer, now: datetime | None = None) -> Portfolio:
    """The figures of the initiatives whose share `viewer` may see."""
    from app.portfolio_page import PortfolioFilter, portfolio_page

    return (await portfolio_page(context, PortfolioFilter(), viewer, now, rows=0,
                                 overdue=None)).figures
