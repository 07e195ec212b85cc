"""Every benchmark still runs end to end, at a scale of seconds, and writes finite figures.

Nothing here times anything: the figures are the benchmarks' business (`make bench`). What this
catches is a benchmark left behind by a change of the code it measures, which would otherwise
only show when someone next runs it.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import pytest

from bench import (
    api_bench,
    audit_bench,
    lifecycle_bench,
    open_initiatives_bench,
    pull_bench,
    store_bench,
    stream_bench,
    web_bench,
)

Measure = Callable[[str], Awaitable[dict[str, float]]]

# Per benchmark: the module, its constants at the smallest scale that still walks every path,
# and how it is measured against the test session's database.
SMALL: dict[str, tuple[ModuleType, dict[str, Any], Measure]] = {
    "store": (store_bench, {"SINGLE_APPENDS_PER_WRITER": 3, "BATCH_SIZE": 4, "BATCHES": 2,
                            "ROUNDS": 1}, store_bench.measure),
    "audit": (audit_bench, {"SMALL_STORE": 2, "LARGE_STORE": 4, "REPLAYS": 2, "ROUNDS": 1},
              audit_bench.measure),
    "web": (web_bench, {"INITIATIVES": 30, "REQUESTS": 3, "FRESH_PROCESSES": 1},
            lambda dsn: web_bench.measure()),
    "lifecycle": (lifecycle_bench, {"CONCURRENT": 2, "ROUNDS": 1, "ROUND_TRIPS": 4},
                  lambda dsn: lifecycle_bench.measure()),
    "open_initiatives": (open_initiatives_bench, {"OPEN": 12, "STARTS_IN_FLIGHT": 6,
                                                 "SAMPLE_EVERY": 0.5},
                         lambda dsn: open_initiatives_bench.measure()),
    "api": (api_bench, {"ROUND_TRIPS": 4, "BLOCK": 2, "INITIATIVES": 100, "MINE": 5,
                        "WORK_READS": 3, "configure_logging": lambda *args: None},
            lambda dsn: api_bench.measure()),
    "pull": (pull_bench, {"FILL_TO": 80, "SAMPLES": 3, "PEOPLE": 5},
             lambda dsn: pull_bench.measure()),
    "stream": (stream_bench, {"STREAM_PEOPLE": 2, "ROUNDS": 1, "BLOCK": 2,
                              "configure_logging": lambda *args: None},
               lambda dsn: stream_bench.measure()),
}


@pytest.mark.parametrize("name", list(SMALL))
async def test_the_benchmark_runs_and_writes_finite_figures(
    name: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, constants, measure = SMALL[name]
    for constant, value in constants.items():
        monkeypatch.setattr(module, constant, value)
    monkeypatch.setenv("DATABASE_URL", database_url)  # bench.harness.postgres() takes it
    figures = await measure(database_url)
    assert figures, name
    assert all(isinstance(v, (int, float)) and math.isfinite(v) for v in figures.values()), {
        key: value for key, value in figures.items() if not math.isfinite(value)}
