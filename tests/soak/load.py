"""Keep `lanes` initiatives alive at once for a while: each lane runs one whole lifecycle after
another. Meanwhile the worker's memory is sampled; afterwards every record is checked."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

from bench.harness import say
from domain import InitiativeSpec
from tests.faults.integrity import Integrity, check_integrity
from tests.faults.lifecycles import UNATTENDED_RECORD, Ledger, ideas_adopted, unattended_spec
from tests.workflows.scenario import HANDOFF

from .breakdown import CpuShares
from .stack import SoakStack

IDEAS, IDEAS_RECORD = ideas_adopted(2)  # more updates per lifecycle than the handoff alone
COMMANDS = (*HANDOFF[:2], *IDEAS, *HANDOFF[2:])
RECORD = UNATTENDED_RECORD + IDEAS_RECORD
DRAIN_SECONDS = 120.0  # for lifecycles under way when time is up to finish
REPORT_EVERY_SECONDS = 10.0


@dataclass(frozen=True)
class Sample:
    elapsed_s: float
    rss_mb: float


@dataclass(frozen=True)
class SoakResult:
    seconds: float
    lifecycles: int
    ledger: Ledger
    samples: list[Sample]
    integrity: Integrity
    cpu_shares: dict[str, float]
    spec: InitiativeSpec  # what every lifecycle of the run launched


async def soak(stack: SoakStack, metric_url: str, lanes: int, seconds: float,
               sample_every: float) -> SoakResult:
    ledger, spec = Ledger(), unattended_spec(metric_url)
    started = time.monotonic()
    until = started + seconds

    async def lane() -> None:
        while time.monotonic() < until:
            await ledger.run_lifecycle(stack.initiatives, spec, COMMANDS)

    samples: list[Sample] = []
    cpu = CpuShares(stack.pids)
    sampler = asyncio.create_task(_sample(stack, started, sample_every, samples, ledger))
    try:
        # Lifecycles still running after the drain count as unfinished in the integrity check.
        done, stuck = await asyncio.wait([asyncio.create_task(lane()) for _ in range(lanes)],
                                         timeout=seconds + DRAIN_SECONDS)
    finally:
        sampler.cancel()
    for lane_task in stuck:
        lane_task.cancel()
    elapsed = time.monotonic() - started
    shares = cpu.figures(elapsed)
    # A lane that failed leaves its last initiative unfinished, which the check reports.
    for failed in [task.exception() for task in done if task.exception() is not None]:
        say(f"a lane stopped: {failed!r}")
    lifecycles = len(ledger.finished)
    say(f"checking {len(ledger.acknowledged)} initiatives against the store")
    integrity = await check_integrity(stack.store, ledger, RECORD)
    return SoakResult(elapsed, lifecycles, ledger, samples, integrity, shares, spec)


async def _sample(stack: SoakStack, started: float, every: float, samples: list[Sample],
                  ledger: Ledger) -> None:
    reported = -REPORT_EVERY_SECONDS
    while True:
        sample = Sample(time.monotonic() - started, stack.worker.rss_mb())
        samples.append(sample)
        if sample.elapsed_s - reported >= REPORT_EVERY_SECONDS:
            reported = sample.elapsed_s
            say(f"  {sample.elapsed_s:6.0f} s  worker RSS {sample.rss_mb:6.1f} MB  "
                f"{len(ledger.finished):>6} lifecycles done")
        await asyncio.sleep(every)


def figures(result: SoakResult, lanes: int) -> dict[str, float]:
    latencies = sorted(result.ledger.latencies_ms)
    rss = [s.rss_mb for s in result.samples]
    return {
        "soak_concurrent_initiatives": lanes,
        "soak_minutes": result.seconds / 60,
        "soak_lifecycles": result.lifecycles,
        "soak_lifecycles_per_s": result.lifecycles / result.seconds,
        "soak_updates_per_s": len(latencies) / result.seconds,
        "soak_events": result.integrity.events,
        "soak_update_p50_ms": statistics.median(latencies),
        "soak_update_p99_ms": p99(latencies),
        "soak_worker_rss_idle_mb": rss[0],
        "soak_worker_rss_peak_mb": max(rss),
        "soak_worker_rss_settled_mb": statistics.median(middle_third(rss)),
        "soak_worker_rss_growth_mb": rss_growth(rss),
        "soak_lost_events": result.integrity.lost,
        "soak_duplicated_events": result.integrity.duplicated,
        "soak_broken_records": len(result.integrity.problems),
    } | result.cpu_shares | cpu_per_update(result.cpu_shares, result.seconds, len(latencies))


def cpu_per_update(shares: dict[str, float], seconds: float, updates: int) -> dict[str, float]:
    """Each part's CPU per update, in ms (launches and timers included): what an update costs
    the machine, which bounds the rate two cores can sustain."""
    return {key.replace("_cores", "_ms_per_update"): share * seconds * 1000 / max(updates, 1)
            for key, share in shares.items()}


def p99(ascending: list[float]) -> float:
    return ascending[max(0, int(len(ascending) * 0.99) - 1)]


def middle_third(values: list[float]) -> list[float]:
    third = len(values) // 3
    return values[third:2 * third] or values


def rss_growth(rss: list[float]) -> float:
    """From the middle third of the run to the last (the first is warm-up), in MB; medians, so
    that the allocator's ups and downs of a few MB do not decide it."""
    last_third = rss[2 * (len(rss) // 3):]
    return statistics.median(last_third) - statistics.median(middle_third(rss))
