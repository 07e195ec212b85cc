"""Auditing a large store: replay + verify of every stream against a raw fetch of the same rows,
and replaying one initiative as the store grows.

    (a) 1,000,000 events across 10,000 initiatives (100 each, a realistic lifecycle): the audit's
        own scan (one snapshot, a cursor in (stream, version) order, each stream's chain
        recomputed, its ids and head row checked, its events folded into its state), on one
        process and on one per core as `baton audit verify --all` runs it on a large store,
        against the same cursor over the same rows with nothing done to them, jsonb left as
        text; and, as the least an application reading events does, with json.loads on each
        payload
        The least any verifier of this record format can do, measured the same way: the same
        cursor with only each event's canonical encoding rebuilt and its hash recomputed (no
        event built, nothing checked, nothing folded), on one process; and the fold alone, the
        CPU per event of replaying events already built in memory. Together they say how much
        of the gap to the raw fetch is the format's own arithmetic and how much is the domain's.
    (b) one initiative replayed (read, chain checked, folded), in ms, when the store holds
        10,000 events in all and again at 1,000,000: the read goes by the (stream, version)
        index, so it should not notice the rest of the store

Streams are written straight into the tables (bench.synthetic_streams), hashes computed here.
BATON_BENCH_AUDIT_INITIATIVES scales (a) down for a quick look.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable

import asyncpg
import orjson

from audit import replay, verify_streams
from audit.replay import replay_events
from store import GENESIS_HASH, EventStore
from store.canonical_json import reencode_jsonb
from store.chain import WITH_RECORDED_AT, chain_hash, encode_stored
from store.rows import recorded_event
from store.statements import EVENT_COLUMNS

from .harness import CpuMeter, postgres, say
from .synthetic_streams import initiative_ids, lifecycle, load

SCHEMA = "bench_audit"
EVENTS_PER_INITIATIVE = 100
SMALL_STORE = 100  # initiatives: 10,000 events
LARGE_STORE = int(os.environ.get("BATON_BENCH_AUDIT_INITIATIVES", "10000"))
PROCESSES = os.cpu_count() or 1  # as `baton audit verify --all` does on a large store
REPLAYS = 50  # of one initiative, per store size; the median counts
ROUNDS = 2  # best of, alternating audit and raw
PAGE = 5_000
RAW_SCAN = f"SELECT {EVENT_COLUMNS} FROM {SCHEMA}.events ORDER BY stream_id, version"


async def replay_one_ms(store: EventStore, initiative_id: str) -> float:
    timings = []
    for _ in range(REPLAYS):
        begun = time.perf_counter()
        replayed = await replay(store, initiative_id)
        timings.append((time.perf_counter() - begun) * 1000)
        assert replayed.chain_break is None and replayed.state.version == EVENTS_PER_INITIATIVE
    return statistics.median(timings)


async def raw_scan(connection: asyncpg.Connection, decode_json: bool) -> int:
    """The same rows as the audit's scan, through the same kind of cursor, left as they come
    or with each payload parsed by json.loads."""
    count = 0
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        cursor = await connection.cursor(RAW_SCAN)
        while rows := await cursor.fetch(PAGE):
            if decode_json:
                for row in rows:
                    json.loads(row["payload"])  # jsonb reaches a plain connection as text
            count += len(rows)
    return count


async def hash_floor_scan(connection: asyncpg.Connection) -> int:
    """The same cursor, each row's hash recomputed from its columns and nothing else done."""
    count = 0
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        cursor = await connection.cursor(RAW_SCAN)
        computed, stream = GENESIS_HASH, None
        while rows := await cursor.fetch(PAGE):
            for (_, event_id, stream_id, version, type_, schema_version, actor, occurred_at,
                 recorded_at, payload, _, _, _, encoding) in rows:  # fmt: skip
                if stream_id != stream:
                    computed, stream = GENESIS_HASH, stream_id
                computed = chain_hash(computed, encode_stored(
                    event_id, stream_id, version, type_, schema_version, actor, occurred_at,
                    orjson.Fragment(reencode_jsonb(payload)), None,
                    recorded_at if encoding == WITH_RECORDED_AT else None))
            count += len(rows)
    return count


async def fold_cpu_us_per_event(connection: asyncpg.Connection, streams: int) -> float:
    """CPU per event of folding `streams` streams already read and built, best of ROUNDS."""
    rows = await connection.fetch(f"{RAW_SCAN} LIMIT {streams * EVENTS_PER_INITIATIVE}")
    events = [recorded_event(row) for row in rows]
    by_stream = [events[start:start + EVENTS_PER_INITIATIVE]
                 for start in range(0, len(events), EVENTS_PER_INITIATIVE)]
    best = float("inf")
    for _ in range(ROUNDS + 1):
        begun = time.process_time()
        for stream in by_stream:
            replay_events(stream[0].stream_id, stream)
        best = min(best, time.process_time() - begun)
    return best / len(events) * 1e6


async def audit_scan(store: EventStore, dsn: str, processes: int) -> int:
    verified = await verify_streams(store, None, None, processes=processes, dsn=dsn)
    assert all(stream.ok for stream in verified), [s for s in verified if not s.ok][:1]
    return sum(stream.version for stream in verified)


class Measured:
    """Best rate and lowest CPU per event of each workload over the rounds."""

    def __init__(self, meter: CpuMeter) -> None:
        self.meter = meter
        self.figures: dict[str, float] = {}

    def cpu_seconds(self) -> float:
        # The worker processes of a parallel scan count too; they are reaped by the time it ends.
        children = os.times()
        return self.meter.seconds() + children.children_user + children.children_system

    async def run(self, key: str, expected: int, work: Callable[[], Awaitable[int]]) -> None:
        cpu, begun = self.cpu_seconds(), time.perf_counter()
        assert await work() == expected
        rate = expected / (time.perf_counter() - begun)
        self.figures[f"{key}_per_s"] = max(self.figures.get(f"{key}_per_s", 0.0), rate)
        shown = f"  {key:<36} {rate:>10,.0f}/s"
        if self.meter.available:
            used = (self.cpu_seconds() - cpu) / expected * 1e6
            cpu_key = f"{key.rpartition('_')[0]}_cpu_us_per_event"
            self.figures[cpu_key] = min(self.figures.get(cpu_key, float("inf")), used)
            shown += f" {used:>7.1f} us cpu/event"
        say(shown)


async def measure(dsn: str) -> dict[str, float]:
    plain = await asyncpg.connect(dsn)
    await plain.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    store = await EventStore.connect(dsn, schema=SCHEMA)
    template = lifecycle(EVENTS_PER_INITIATIVE)
    ids = list(initiative_ids(0, LARGE_STORE))
    probe = ids[SMALL_STORE // 2]
    try:
        say(f"loading {SMALL_STORE * EVENTS_PER_INITIATIVE:,} events")
        await load(plain, SCHEMA, ids[:SMALL_STORE], template)
        small_ms = await replay_one_ms(store, probe)
        say(f"  replay one initiative in a store of {SMALL_STORE * EVENTS_PER_INITIATIVE:,}: "
            f"{small_ms:.2f} ms")
        say(f"loading up to {LARGE_STORE * EVENTS_PER_INITIATIVE:,} events")
        await load(plain, SCHEMA, ids[SMALL_STORE:], template)
        large_ms = await replay_one_ms(store, probe)
        say(f"  replay one initiative in a store of {LARGE_STORE * EVENTS_PER_INITIATIVE:,}: "
            f"{large_ms:.2f} ms")

        total = LARGE_STORE * EVENTS_PER_INITIATIVE
        measured = Measured(await CpuMeter.of(plain))
        for round_number in range(1, ROUNDS + 1):
            say(f"round {round_number}/{ROUNDS}")
            await measured.run("audit_replay_verify_1proc_events", total,
                               lambda: audit_scan(store, dsn, 1))
            await measured.run("audit_replay_verify_events", total,
                               lambda: audit_scan(store, dsn, PROCESSES))
            await measured.run("audit_raw_fetch_rows", total, lambda: raw_scan(plain, False))
            await measured.run("audit_raw_fetch_json_rows", total,
                               lambda: raw_scan(plain, True))
            await measured.run("audit_hash_floor_1proc_events", total,
                               lambda: hash_floor_scan(plain))
        fold_us = await fold_cpu_us_per_event(plain, SMALL_STORE)
        say(f"  fold alone: {fold_us:.1f} us cpu/event")
    finally:
        await plain.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        await store.close()
        await plain.close()
    figures = measured.figures
    audit_rate = figures["audit_replay_verify_events_per_s"]
    return figures | {
        "audit_processes": PROCESSES,
        "audit_replay_verify_1proc_ratio":
            figures["audit_replay_verify_1proc_events_per_s"]
            / figures["audit_raw_fetch_rows_per_s"],
        "audit_replay_verify_ratio": audit_rate / figures["audit_raw_fetch_rows_per_s"],
        "audit_hash_floor_1proc_ratio":
            figures["audit_hash_floor_1proc_events_per_s"] / figures["audit_raw_fetch_rows_per_s"],
        "audit_fold_cpu_us_per_event": fold_us,
        "audit_replay_verify_vs_json_fetch_ratio":
            audit_rate / figures["audit_raw_fetch_json_rows_per_s"],
        "audit_replay_one_ms_at_10k_events": small_ms,
        "audit_replay_one_ms_at_1m_events": large_ms,
        "audit_replay_one_growth_ratio": large_ms / small_ms,
    }


def run() -> dict[str, float]:
    with postgres() as dsn:
        return asyncio.run(measure(dsn))


if __name__ == "__main__":
    from .harness import merge_results

    merge_results(run())
