"""The event store against raw asyncpg on an equivalent table, on one PostgreSQL server.

The raw table is `LIKE events INCLUDING ALL`: the same columns, identity, checks and unique
indexes, without the append-only trigger. Both sides get ready-made Event objects, so what is
compared is the store's work (validation, canonical encoding, hashing, the fence, the head row)
against a plain INSERT of the same values over plain connections (no pool, no codecs), and,
for single events, through an asyncpg pool as it comes by default.

    (a) single-event appends, 8 concurrent writers, each on a stream of its own
    (b) 100-event batches, one after another
    (c) reading: read_stream + chain verification, verify_stream, read_all, each against a raw
        fetch of the same rows, with jsonb left as text and, as the usual recipe, json.loads;
        and read_stream alone (events built, nothing verified), the share of building events
    (d) the fence's price: (a) again while a follower pages through read_all

Besides rates, the CPU spent per event by this process and the server is recorded: on a shared
machine it moves far less than the rates do.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

import asyncpg

from domain.envelope import Event
from store import EventStore
from store.verification import links_of, verify_chain

from .harness import CpuMeter, postgres, rate, say

SCHEMA = "bench_store"
WRITERS = 8
SINGLE_APPENDS_PER_WRITER = 400
BATCH_SIZE = 100
BATCHES = 120
ROUNDS = 5  # best of, alternating store and raw, to damp the noise of a small shared machine
T0 = datetime(2026, 1, 1, tzinfo=UTC)
PAYLOAD = {
    "owner": "alice@example.com",
    "metrics": {"baseline": 12.5, "target": 9.75, "unit": "defects per 1000"},
    "notes": "control plan reviewed; response plan walked through",
    "checkpoints": [30, 60, 90],
}
RAW_INSERT = (
    f"INSERT INTO {SCHEMA}.raw_events (event_id, stream_id, version, type, schema_version, "
    "actor, occurred_at, payload, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
)
RAW_STREAM = f"SELECT * FROM {SCHEMA}.events WHERE stream_id = $1 ORDER BY version"
RAW_PAGE = f"SELECT * FROM {SCHEMA}.events WHERE position > $1 ORDER BY position LIMIT 1000"
DUMMY_HASH = "0" * 64


def make_events(stream_id: str, first: int, count: int) -> list[Event]:
    return [
        Event(
            event_id=uuid.uuid4(),
            initiative_id=stream_id,
            sequence=sequence,
            type="SustainmentAuditRecorded",
            schema_version=1,
            actor="owner@example.com",
            occurred_at=T0 + timedelta(seconds=sequence),
            payload=PAYLOAD,
        )
        for sequence in range(first, first + count)
    ]


def raw_row(event: Event) -> tuple[object, ...]:
    return (
        event.event_id,
        event.initiative_id,
        event.sequence,
        event.type,
        event.schema_version,
        event.actor,
        event.occurred_at,
        json.dumps(event.payload),
        DUMMY_HASH,
        DUMMY_HASH,
    )


class Workloads:
    """Each workload writes fresh streams, so that rounds do not disturb each other."""

    def __init__(
        self,
        store: EventStore,
        raw: Sequence[asyncpg.Connection],
        raw_json: asyncpg.Connection,
        raw_pool: asyncpg.Pool,
    ) -> None:
        self.store = store
        self.raw = raw
        self.raw_json = raw_json
        self.raw_pool = raw_pool
        self.round = 0

    def _streams(self, kind: str, count: int) -> list[str]:
        self.round += 1
        return [f"{kind}-{self.round}-{n}" for n in range(count)]

    def _single_writers(
        self, append: Callable[[int, str, int, Event], Awaitable[object]]
    ) -> Callable[[], Awaitable[None]]:
        """8 writers, each appending single events to its own stream; `append(writer, ...)`."""
        streams = self._streams("single", WRITERS)
        planned = {s: make_events(s, 1, SINGLE_APPENDS_PER_WRITER) for s in streams}

        async def writer(number: int, stream_id: str) -> None:
            for version, event in enumerate(planned[stream_id]):
                await append(number, stream_id, version, event)

        async def all_writers() -> None:
            await asyncio.gather(*(writer(n, s) for n, s in enumerate(streams)))

        return all_writers

    def store_single(self) -> Callable[[], Awaitable[None]]:
        async def append(_: int, stream_id: str, version: int, event: Event) -> None:
            await self.store.append(stream_id, version, [event])

        return self._single_writers(append)

    def store_single_followed(self) -> Callable[[], Awaitable[None]]:
        writers = self.store_single()

        async def followed() -> None:
            stop = asyncio.Event()
            following = asyncio.create_task(self._follow(stop))
            try:
                await writers()
            finally:
                stop.set()
                await following

        return followed

    async def _follow(self, stop: asyncio.Event) -> None:
        after = (await self.store.pool.fetchval(f"SELECT max(position) FROM {SCHEMA}.events")) or 0
        while not stop.is_set():
            page = await self.store.read_all(after, limit=1000)
            after = page[-1].position if page else after

    def raw_single(self) -> Callable[[], Awaitable[None]]:
        async def insert(writer: int, _: str, __: int, event: Event) -> None:
            await self.raw[writer].execute(RAW_INSERT, *raw_row(event))

        return self._single_writers(insert)

    def raw_single_pooled(self) -> Callable[[], Awaitable[None]]:
        """What an application inserting through an asyncpg pool, as configured by default, gets."""

        async def insert(_: int, __: str, ___: int, event: Event) -> None:
            await self.raw_pool.execute(RAW_INSERT, *raw_row(event))

        return self._single_writers(insert)

    def store_batches(self) -> tuple[Callable[[], Awaitable[None]], list[str]]:
        streams = self._streams("batch", BATCHES)
        planned = {s: make_events(s, 1, BATCH_SIZE) for s in streams}

        async def append_all() -> None:
            for stream_id in streams:
                await self.store.append(stream_id, 0, planned[stream_id])

        return append_all, streams

    def raw_batches(self) -> Callable[[], Awaitable[None]]:
        streams = self._streams("raw-batch", BATCHES)
        planned = {s: make_events(s, 1, BATCH_SIZE) for s in streams}

        async def insert_all() -> None:
            connection = self.raw[0]
            for stream_id in streams:
                async with connection.transaction():
                    await connection.executemany(
                        RAW_INSERT, [raw_row(e) for e in planned[stream_id]]
                    )

        return insert_all

    def replay_and_verify(self, streams: Sequence[str]) -> Callable[[], Awaitable[None]]:
        async def replay() -> None:
            for stream_id in streams:
                recorded = await self.store.read_stream(stream_id)
                verification = verify_chain(stream_id, links_of(recorded), None)
                assert verification.broken_version is None, verification

        return replay

    def read_streams(self, streams: Sequence[str]) -> Callable[[], Awaitable[None]]:
        async def read() -> None:
            for stream_id in streams:
                await self.store.read_stream(stream_id)

        return read

    def verify_streams(self, streams: Sequence[str]) -> Callable[[], Awaitable[None]]:
        async def verify() -> None:
            for stream_id in streams:
                assert (await self.store.verify_stream(stream_id)).ok

        return verify

    def raw_fetch_streams(
        self, streams: Sequence[str], decode_json: bool
    ) -> Callable[[], Awaitable[None]]:
        connection = self.raw_json if decode_json else self.raw[0]

        async def fetch() -> None:
            for stream_id in streams:
                await connection.fetch(RAW_STREAM, stream_id)

        return fetch

    def read_all(self, count: int) -> Callable[[], Awaitable[None]]:
        async def page_through() -> None:
            after, seen = 0, 0
            while seen < count and (page := await self.store.read_all(after, limit=1000)):
                after, seen = page[-1].position, seen + len(page)

        return page_through

    def raw_fetch_all(self, count: int, decode_json: bool) -> Callable[[], Awaitable[None]]:
        connection = self.raw_json if decode_json else self.raw[0]

        async def page_through() -> None:
            after, seen = 0, 0
            while seen < count and (page := await connection.fetch(RAW_PAGE, after)):
                after, seen = page[-1]["position"], seen + len(page)

        return page_through


class Figures:
    """Best rate and lowest CPU per event of each workload over the rounds."""

    def __init__(self, meter: CpuMeter) -> None:
        self.meter = meter
        self.best: dict[str, float] = {}

    async def measure(self, key: str, count: int, work: Callable[[], Awaitable[None]]) -> None:
        cpu_before = self.meter.seconds()
        per_second = await rate(count, work)
        self.best[f"{key}_per_s"] = max(self.best.get(f"{key}_per_s", 0.0), per_second)
        shown = f"  {key:<44} {per_second:>10,.0f}/s"
        if self.meter.available:
            cpu = (self.meter.seconds() - cpu_before) / count * 1e6
            cpu_key = f"{key.rpartition('_')[0]}_cpu_us_per_event"
            self.best[cpu_key] = min(self.best.get(cpu_key, float("inf")), cpu)
            shown += f" {cpu:>8,.1f} us cpu/event"
        say(shown)

    def ratio(self, name: str, numerator: str, denominator: str) -> dict[str, float]:
        """The rate ratio, and the CPU ratio the other way round: below 1, the store costs more."""
        figures = {name: self.best[f"{numerator}_per_s"] / self.best[f"{denominator}_per_s"]}
        cpu = [f"{key.rpartition('_')[0]}_cpu_us_per_event" for key in (numerator, denominator)]
        if all(key in self.best for key in cpu):
            figures[name.replace("_ratio", "_cpu_ratio")] = self.best[cpu[1]] / self.best[cpu[0]]
        return figures


async def measure(dsn: str) -> dict[str, float]:
    admin = await asyncpg.connect(dsn)
    await admin.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    store = await EventStore.connect(
        dsn, schema=SCHEMA, min_pool_size=WRITERS + 1, max_pool_size=WRITERS + 1
    )
    await admin.execute(f"CREATE TABLE {SCHEMA}.raw_events (LIKE {SCHEMA}.events INCLUDING ALL)")
    raw = [await asyncpg.connect(dsn) for _ in range(WRITERS)]
    raw_json = await asyncpg.connect(dsn)
    await raw_json.set_type_codec(
        "jsonb", schema="pg_catalog", encoder=json.dumps, decoder=json.loads
    )
    raw_pool = await asyncpg.create_pool(dsn, min_size=WRITERS, max_size=WRITERS)
    work = Workloads(store, raw, raw_json, raw_pool)
    figures = Figures(await CpuMeter.of(admin))
    single = WRITERS * SINGLE_APPENDS_PER_WRITER
    batched = BATCHES * BATCH_SIZE
    try:
        say("warming up")
        await work.store_single()()
        await work.raw_single()()
        for round_number in range(1, ROUNDS + 1):
            say(f"round {round_number}/{ROUNDS}")
            await figures.measure("store_append_single_events", single, work.store_single())
            await figures.measure("raw_insert_single_rows", single, work.raw_single())
            await figures.measure("raw_insert_single_pooled_rows", single, work.raw_single_pooled())
            append_batches, streams = work.store_batches()
            await figures.measure("store_append_batch100_events", batched, append_batches)
            await figures.measure("raw_insert_batch100_rows", batched, work.raw_batches())
            replayed = len(streams) * BATCH_SIZE
            await figures.measure(
                "store_replay_verify_events", replayed, work.replay_and_verify(streams)
            )
            await figures.measure(
                "store_verify_stream_events", replayed, work.verify_streams(streams)
            )
            await figures.measure("store_read_stream_events", replayed, work.read_streams(streams))
            await figures.measure(
                "raw_fetch_stream_rows", replayed, work.raw_fetch_streams(streams, False)
            )
            await figures.measure(
                "raw_fetch_stream_json_rows", replayed, work.raw_fetch_streams(streams, True)
            )
            total = await admin.fetchval(f"SELECT count(*) FROM {SCHEMA}.events")
            await figures.measure("store_read_all_events", total, work.read_all(total))
            await figures.measure("raw_fetch_all_rows", total, work.raw_fetch_all(total, False))
            await figures.measure("raw_fetch_all_json_rows", total, work.raw_fetch_all(total, True))
            await figures.measure(
                "store_append_single_followed_events", single, work.store_single_followed()
            )
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        for connection in [admin, *raw, raw_json]:
            await connection.close()
        await raw_pool.close()
        await store.close()
    return figures.best | ratios(figures)


def ratios(figures: Figures) -> dict[str, float]:
    pairs = {
        "store_append_single_ratio": ("store_append_single_events", "raw_insert_single_rows"),
        "store_append_single_vs_pooled_raw_ratio": (
            "store_append_single_events",
            "raw_insert_single_pooled_rows",
        ),
        "store_append_batch100_ratio": (
            "store_append_batch100_events",
            "raw_insert_batch100_rows",
        ),
        "store_replay_verify_ratio": ("store_replay_verify_events", "raw_fetch_stream_rows"),
        "store_replay_verify_vs_json_fetch_ratio": (
            "store_replay_verify_events",
            "raw_fetch_stream_json_rows",
        ),
        "store_read_stream_vs_json_fetch_ratio": (
            "store_read_stream_events",
            "raw_fetch_stream_json_rows",
        ),
        "store_verify_stream_ratio": ("store_verify_stream_events", "raw_fetch_stream_rows"),
        "store_verify_stream_vs_json_fetch_ratio": (
            "store_verify_stream_events",
            "raw_fetch_stream_json_rows",
        ),
        "store_read_all_ratio": ("store_read_all_events", "raw_fetch_all_rows"),
        "store_read_all_vs_json_fetch_ratio": ("store_read_all_events", "raw_fetch_all_json_rows"),
        "store_append_single_followed_ratio": (
            "store_append_single_followed_events",
            "store_append_single_events",
        ),
    }
    result: dict[str, float] = {}
    for name, (numerator, denominator) in pairs.items():
        result |= figures.ratio(name, numerator, denominator)
    return result


def run() -> dict[str, float]:
    with postgres() as dsn:
        return asyncio.run(measure(dsn))


if __name__ == "__main__":
    from .harness import merge_results

    merge_results(run())
