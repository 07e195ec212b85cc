"""The PMO's figures, from the read model; the figures themselves are `domain.portfolio`, and
who sees which of them `domain.visibility`."""

from __future__ import annotations

from datetime import UTC, datetime

from app.context import Context, use_case
from app.errors import Rejected, RejectionKind
from domain.portfolio import Portfolio, PortfolioEntry, as_seen_by, combine, entry_figures
from domain.visibility import PortfolioFigures, PortfolioShare, Viewer, may_see


async def portfolio_entries(context: Context) -> list[PortfolioEntry]:
    from store.portfolio import PortfolioReader

    store = await context.read_store()
    return await PortfolioReader(store.pool, store.schema).entries()


def require_portfolio_reader(viewer: Viewer, sponsors: frozenset[str]) -> None:
    """`sponsors`: everyone who sponsors an initiative."""
    if not may_see(viewer, PortfolioFigures(sponsors)):
        raise Rejected("the portfolio is for the PMO office, auditors and sponsors",
                       RejectionKind.FORBIDDEN)


@use_case
async def figures(context: Context, viewer: Viewer, now: datetime | None = None) -> Portfolio:
    """The figures of the initiatives whose share `viewer` may see."""
    entries = [e for e in await portfolio_entries(context) if e.state.spec is not None]
    require_portfolio_reader(viewer, frozenset(e.state.require_spec().sponsor for e in entries))
    parts = [entry_figures(e) for e in entries if may_see(viewer, PortfolioShare(e.state))]
    return as_seen_by(combine(parts, now or datetime.now(UTC)), parts, viewer)
