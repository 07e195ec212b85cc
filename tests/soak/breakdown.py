"""Where an update's time goes, from the worker's own Prometheus metrics (Temporal's core).

The client times each update from call to answer. Of that, the worker's metrics say how long each
workflow task waited in the task queue before the worker picked it up (schedule-to-start: a busy
worker or too few pollers), how long the worker spent on it (execution: the sandbox, `decide`,
the fold, and the local activity inside it), and how long the local activity took (the append:
PostgreSQL and the projection). What neither accounts for is the server and the network between
client, server and worker: the Temporal server's own work (persistence in SQLite, matching,
update bookkeeping) and the client's.
"""

from __future__ import annotations

import contextlib
import re
import urllib.request
from collections import defaultdict
from dataclasses import dataclass

# Histograms (milliseconds) and counters of the core SDK, as this breakdown names them.
HISTOGRAMS = {
    "workflow_task_schedule_to_start": "temporal_workflow_task_schedule_to_start_latency",
    "workflow_task_execution": "temporal_workflow_task_execution_latency",
    "local_activity_execution": "temporal_local_activity_execution_latency",
    "activity_execution": "temporal_activity_execution_latency",
    "activity_schedule_to_start": "temporal_activity_schedule_to_start_latency",
}
COUNTERS = {
    "sticky_cache_hit": "temporal_sticky_cache_hit",
    "sticky_cache_miss": "temporal_sticky_cache_miss",
    "workflow_task_completed": "temporal_workflow_task_execution_latency_count",
    "local_activities": "temporal_local_activity_execution_latency_count",
    "activities": "temporal_activity_execution_latency_count",
}
_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>[^}]*)\})?\s+"
                     r"(?P<value>\S+)")


@dataclass(frozen=True)
class Histogram:
    buckets: list[tuple[float, float]]  # (upper bound, cumulative count), ascending
    count: float
    total: float

    def quantile(self, q: float) -> float:
        """The upper bound of the bucket holding the q-th observation (Prometheus-style, no
        interpolation beyond the bucket): an upper estimate."""
        if not self.count:
            return 0.0
        wanted = q * self.count
        for bound, cumulative in self.buckets:
            if cumulative >= wanted:
                return bound
        return self.buckets[-1][0]

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0


def scrape(address: str) -> str:
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as response:
        return str(response.read().decode())


def parse(text: str) -> tuple[dict[str, Histogram], dict[str, float]]:
    """Histograms and counters summed over their labels (task queues, activity types...)."""
    buckets: dict[str, dict[float, float]] = defaultdict(lambda: defaultdict(float))
    sums: dict[str, float] = defaultdict(float)
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match is None or line.startswith("#"):
            continue
        name, labels, value = match["name"], match["labels"] or "", float(match["value"])
        if name.endswith("_bucket"):
            bound = re.search(r'le="([^"]+)"', labels)
            if bound:
                buckets[name[:-len("_bucket")]][float(bound[1])] += value
        else:
            sums[name] += value
    histograms = {
        key: Histogram(sorted(buckets[metric].items()), sums.get(f"{metric}_count", 0.0),
                       sums.get(f"{metric}_sum", 0.0))
        for key, metric in HISTOGRAMS.items() if metric in buckets}
    counters = {key: sums.get(metric, 0.0) for key, metric in COUNTERS.items()}
    return histograms, counters


def figures(text: str) -> dict[str, float]:
    """`soak_*` figures of the breakdown."""
    histograms, counters = parse(text)
    found: dict[str, float] = {}
    for key, histogram in histograms.items():
        found[f"soak_{key}_mean_ms"] = histogram.mean
        found[f"soak_{key}_p50_ms"] = histogram.quantile(0.5)
        found[f"soak_{key}_p99_ms"] = histogram.quantile(0.99)
    for key, value in counters.items():
        found[f"soak_{key}"] = value
    lookups = counters["sticky_cache_hit"] + counters["sticky_cache_miss"]
    if lookups:
        found["soak_sticky_cache_hit_ratio"] = counters["sticky_cache_hit"] / lookups
    return found


class CpuShares:
    """CPU seconds spent by each part of the stack over the run: on a machine of two cores, the
    part that takes most of them is where a queue forms."""

    def __init__(self, parts: dict[str, list[int]]) -> None:
        self._parts = parts  # name -> pids; for PostgreSQL, the postmaster (its children count)
        self._start = self._now()

    def _now(self) -> dict[str, float]:
        return {name: sum(_cpu(pid, children=name == "postgres") for pid in pids)
                for name, pids in self._parts.items()}

    def figures(self, seconds: float) -> dict[str, float]:
        end = self._now()
        return {f"soak_cpu_{name}_cores": (end[name] - self._start[name]) / seconds
                for name in self._parts}


def _cpu(pid: int, *, children: bool) -> float:
    import psutil

    try:
        process = psutil.Process(pid)
        processes = [process, *process.children(recursive=True)] if children else [process]
        total = 0.0
        for one in processes:
            with contextlib.suppress(psutil.Error):
                times = one.cpu_times()
                total += times.user + times.system
        return total
    except psutil.Error:
        return 0.0
