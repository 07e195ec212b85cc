"""`python -m tests.soak [--initiatives N] [--minutes M]` (or `make soak`): the load run.

Prints its figures and merges them into bench/results.json (keys `soak_*`). Exits 1 when an event
was lost or recorded twice, a record is broken, or the worker's memory kept growing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

from bench.harness import RESULTS_PATH, merge_results, say
from bench.lifecycle_bench import same_shape
from domain.pull_stream import pull_stream_id
from store import EventStore
from tests.workflows.metric_source import serve_metric

from .bare import bare_soak
from .breakdown import figures as breakdown
from .breakdown import scrape
from .load import COMMANDS, SoakResult, figures, soak
from .stack import soak_stack

# Growth the run tolerates once the worker has settled: allocator noise rather than a leak.
MAX_RSS_GROWTH = 0.10
BARE_SECONDS = 30.0  # the bare baseline's run: its latency settles within seconds


async def run(lanes: int, seconds: float,
              sample_every: float) -> tuple[SoakResult, str, dict[str, float]]:
    """The run's result, the worker's metrics at its end, and the bare baseline's figures."""
    with tempfile.TemporaryDirectory(prefix="baton-soak-") as home, \
            serve_metric([5.0]) as source:
        async with soak_stack(Path(home)) as stack:
            say(f"{lanes} initiatives at a time for {seconds / 60:g} min")
            result = await soak(stack, source.url, lanes, seconds, sample_every)
            metrics = await asyncio.to_thread(scrape, stack.metrics_address)
            # Shaped like the run's own lifecycles: their updates, their checks' timers, and
            # their appends, metric reads and notices as plain activity calls.
            sample = next(iter(result.ledger.finished))
            checks = [due.total_seconds() for due in result.spec.sustainment.checks]
            plan = await same_shape(stack.initiatives, stack.store, sample, len(COMMANDS),
                                    checks)
            say(f"baseline: {lanes} bare workflows at a time for {BARE_SECONDS:g} s, each "
                f"{plan.updates} updates, then per check {plan.local_calls_per_timer} local and "
                f"{plan.remote_calls_per_timer} ordinary activity calls")
            bare = await bare_soak(stack.temporal_client, lanes, min(seconds, BARE_SECONDS),
                                   plan, stack.pids)
            appends = await recorded_events(stack.store, sample)
            say(f"and again, the first {appends} local calls of each recording an event in the "
                "store, as many as a lifecycle of the run recorded")
            bare |= await bare_soak(stack.temporal_client, lanes, min(seconds, BARE_SECONDS),
                                    plan, stack.pids, store=stack.store, appends=appends)
            return result, metrics, bare


async def recorded_events(store: EventStore, iid: str) -> int:
    """The events one initiative recorded, on its own stream and its pull stream."""
    heads = [await store.stream_head(stream) for stream in (iid, pull_stream_id(iid))]
    return sum(head.version for head in heads if head is not None)


def vs_bare(measured: dict[str, float]) -> dict[str, float]:
    """Baton against each baseline: throughput (higher is better) and p99 (lower is)."""
    ratios = {}
    for base in ("bare", "bare_store"):
        ratios[f"soak_updates_per_s_vs_{base}_ratio"] = (
            measured["soak_updates_per_s"] / measured[f"soak_{base}_updates_per_s"])
        ratios[f"soak_update_p99_vs_{base}_ratio"] = (
            measured["soak_update_p99_ms"] / measured[f"soak_{base}_update_p99_ms"])
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--initiatives", type=int,
                        default=int(os.environ.get("SOAK_INITIATIVES", "50")),
                        help="initiatives alive at once (default: $SOAK_INITIATIVES or 50)")
    parser.add_argument("--minutes", type=float,
                        default=float(os.environ.get("SOAK_MINUTES", "2")),
                        help="how long to keep launching (default: $SOAK_MINUTES or 2)")
    parser.add_argument("--sample-every", type=float, default=2.0, metavar="SECONDS",
                        help="worker memory sampling interval (default: 2)")
    args = parser.parse_args(argv)
    result, metrics, bare = asyncio.run(
        run(args.initiatives, args.minutes * 60, args.sample_every))
    measured = figures(result, args.initiatives) | breakdown(metrics) | bare
    measured |= vs_bare(measured)
    merge_results(measured)
    width = max(map(len, measured))
    for key, value in measured.items():
        print(f"{key:<{width}}  {value:>12,.2f}")
    say(f"figures merged into {RESULTS_PATH}")
    for problem in result.integrity.problems[:20]:
        say(f"broken: {problem}")
    settled = measured["soak_worker_rss_settled_mb"]
    leaking = measured["soak_worker_rss_growth_mb"] > MAX_RSS_GROWTH * settled
    if leaking:
        say(f"worker memory grew by more than {MAX_RSS_GROWTH:.0%} after settling")
    return 0 if result.integrity.ok and not leaking else 1


if __name__ == "__main__":
    sys.exit(main())
