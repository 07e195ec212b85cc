"""What the portfolio page keeps of each initiative is frozen out of the collector's sight after
the first reading (`audit.collector.paced_for_loading`): that is only safe while it holds no
reference cycles, so that a kept row replaced later is still freed, by reference count."""

from __future__ import annotations

import gc

from app.portfolio_page import _kept
from bench.synthetic_streams import lifecycle
from domain import fold
from domain.portfolio import PortfolioEntry

EVENTS = lifecycle(100)
STATES = [fold(EVENTS[0].initiative_id, EVENTS[:cut]) for cut in range(1, len(EVENTS) + 1)]


def test_a_kept_row_holds_no_reference_cycles() -> None:
    gc.collect()
    gc.disable()
    try:
        kept = [_kept(PortfolioEntry(state, regressions=cut % 3), state.version)
                for cut, state in enumerate(STATES)]
        assert kept
        del kept
        assert gc.collect() == 0  # nothing was left for the collector: all freed by refcount
    finally:
        gc.enable()
