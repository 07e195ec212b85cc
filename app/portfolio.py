"""The PMO's figures, from the read model; the figures themselves are `domain.portfolio`."""

from __future__ import annotations

from datetime import UTC, datetime

from app.context import Context, use_case
from domain.portfolio import Portfolio, PortfolioEntry, portfolio


async def portfolio_entries(context: Context) -> list[PortfolioEntry]:
    from store.portfolio import PortfolioReader

    store = await context.read_store()
    return await PortfolioReader(store.pool, store.schema).entries()


@use_case
async def figures(context: Context, now: datetime | None = None) -> Portfolio:
    return portfolio(await portfolio_entries(context), now or datetime.now(UTC))
