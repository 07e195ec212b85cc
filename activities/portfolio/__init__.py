"""The portfolio read model: one row per initiative in PostgreSQL, projected in the same
transaction as the initiative's events, and the figures a PMO watches."""

from .figures import Portfolio, PortfolioEntry, portfolio
from .projection import PortfolioProjection
from .reader import InitiativeSummary, PortfolioReader

__all__ = [
    "InitiativeSummary", "Portfolio", "PortfolioEntry", "PortfolioProjection", "PortfolioReader",
    "portfolio",
]
