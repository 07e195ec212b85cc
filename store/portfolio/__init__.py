"""The portfolio read model: one row per initiative in PostgreSQL, projected in the same
transaction as the initiative's events. The figures a PMO watches are pure: `domain.portfolio`."""

from .projection import PortfolioProjection
from .reader import InitiativeSummary, PortfolioReader
from .sums import PortfolioSums, Reading, Scope

__all__ = ["InitiativeSummary", "PortfolioProjection", "PortfolioReader", "PortfolioSums",
           "Reading", "Scope"]
