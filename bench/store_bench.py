"""The event store against raw asyncpg on an equivalent table, on one PostgreSQL server.

The raw table is `LIKE events INCLUDING ALL`: the same columns, identity, checks and unique
indexes, without the append-only trigger. Both sides get ready-made Event objects, so what is
compared is the store's work (validation, canonical encoding, hashing, the fence and head-row
locks, the head row update) against a plain INSERT of the same values.

    (a) single-event appends, 8 concurrent writers, each on a stream of its own
    (b) 100-event batches on one connection
    (c) reading: read_stream + hash verification, verify_stream and read_all against raw fetches
    (d) the fence's price: (a) again while a follower pages through read_all
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import asyncpg

from activities.store import EventStore
from activities.store.verification import links_of, verify_chain
from domain.envelope import Event

from .harness import postgres, rate, say

SCHEMA = "bench_store"
WRITERS = 8
SINGLE_APPENDS_PER_WRITER = 400
BATCH_SIZE = 100
BATCHES = 120
ROUNDS = 3  # best of, alternating store and raw, to damp the noise of a small shared machine
T0 = datetime(2026, 1, 1, tzinfo=UTC)
PAYLOAD = {
    "owner": "alice@example.com",
    "metrics": {"baseline": 12.5, "target": 9.75, "unit": "defects per 1000"},
    "notes": "control plan reviewed; response plan walked through",
    "checkpoints": [30, 60, 90],
}
RAW_COLUMNS = (
    "event_id, stream_id, version, type, schema_version, actor, occurred_at, payload, "
    "prev_hash, hash"
)
RAW_INSERT = (
    f"INSERT INTO {SCHEMA}.raw_events ({RAW_COLUMNS}) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
)
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
    """Each workload writes fresh streams, so rounds do not disturb each other's versions.

    The raw side uses one plain connection per writer: no pool, no codecs, the cheapest way
    asyncpg offers to run the same statements.
    """

    def __init__(
        self,
        store: EventStore,
        raw: Sequence[asyncpg.Connection],
        raw_json: asyncpg.Connection,
    ) -> None:
        self.store = store
        self.raw = raw
        self.raw_json = raw_json
        self.round = 0

    def _streams(self, kind: str, count: int) -> list[str]:
        self.round += 1
        return [f"{kind}-{self.round}-{n}" for n in range(count)]

    async def store_single(self, follower: bool = False) -> float:
        streams = self._streams("single", WRITERS)
        planned = {s: make_events(s, 1, SINGLE_APPENDS_PER_WRITER) for s in streams}

        async def writer(stream_id: str) -> None:
            for version, event in enumerate(planned[stream_id]):
                await self.store.append(stream_id, version, [event])

        async def all_writers() -> None:
            await asyncio.gather(*(writer(s) for s in streams))

        if not follower:
            return await rate(WRITERS * SINGLE_APPENDS_PER_WRITER, all_writers)
        stop = asyncio.Event()
        following = asyncio.create_task(self._follow(stop))
        try:
            return await rate(WRITERS * SINGLE_APPENDS_PER_WRITER, all_writers)
        finally:
            stop.set()
            await following

    async def _follow(self, stop: asyncio.Event) -> None:
        after = (await self.store.pool.fetchval(f"SELECT max(position) FROM {SCHEMA}.events")) or 0
        while not stop.is_set():
            page = await self.store.read_all(after, limit=1000)
            after = page[-1].position if page else after

    async def raw_single(self) -> float:
        streams = self._streams("raw-single", WRITERS)
        planned = {s: make_events(s, 1, SINGLE_APPENDS_PER_WRITER) for s in streams}

        async def writer(stream_id: str, connection: asyncpg.Connection) -> None:
            for event in planned[stream_id]:
                await connection.execute(RAW_INSERT, *raw_row(event))

        async def all_writers() -> None:
            await asyncio.gather(*map(writer, streams, self.raw))

        return await rate(WRITERS * SINGLE_APPENDS_PER_WRITER, all_writers)

    async def store_batches(self) -> tuple[float, list[str]]:
        streams = self._streams("batch", BATCHES)
        planned = {s: make_events(s, 1, BATCH_SIZE) for s in streams}

        async def append_all() -> None:
            for stream_id in streams:
                await self.store.append(stream_id, 0, planned[stream_id])

        return await rate(BATCHES * BATCH_SIZE, append_all), streams

    async def raw_batches(self) -> float:
        streams = self._streams("raw-batch", BATCHES)
        planned = {s: make_events(s, 1, BATCH_SIZE) for s in streams}

        async def insert_all() -> None:
            connection = self.raw[0]
            for stream_id in streams:
                async with connection.transaction():
                    await connection.executemany(
                        RAW_INSERT, [raw_row(e) for e in planned[stream_id]]
                    )

        return await rate(BATCHES * BATCH_SIZE, insert_all)

    async def replay_and_verify(self, streams: Sequence[str]) -> float:
        async def replay() -> None:
            for stream_id in streams:
                recorded = await self.store.read_stream(stream_id)
                head = await self.store.stream_head(stream_id)
                assert verify_chain(stream_id, links_of(recorded), head).ok

        return await rate(len(streams) * BATCH_SIZE, replay)

    async def verify_streams(self, streams: Sequence[str]) -> float:
        async def verify() -> None:
            for stream_id in streams:
                assert (await self.store.verify_stream(stream_id)).ok

        return await rate(len(streams) * BATCH_SIZE, verify)

    async def raw_fetch_streams(self, streams: Sequence[str], json: bool = False) -> float:
        query = f"SELECT * FROM {SCHEMA}.events WHERE stream_id = $1 ORDER BY version"
        connection = self.raw_json if json else self.raw[0]

        async def fetch() -> None:
            for stream_id in streams:
                await connection.fetch(query, stream_id)

        return await rate(len(streams) * BATCH_SIZE, fetch)

    async def read_all(self, count: int) -> float:
        async def page_through() -> None:
            after, seen = 0, 0
            while seen < count and (page := await self.store.read_all(after, limit=1000)):
                after, seen = page[-1].position, seen + len(page)

        return await rate(count, page_through)

    async def raw_fetch_all(self, count: int, json: bool = False) -> float:
        query = f"SELECT * FROM {SCHEMA}.events WHERE position > $1 ORDER BY position LIMIT 1000"
        connection = self.raw_json if json else self.raw[0]

        async def page_through() -> None:
            after, seen = 0, 0
            while seen < count and (page := await connection.fetch(query, after)):
                after, seen = page[-1]["position"], seen + len(page)

        return await rate(count, page_through)


async def _json_connection(dsn: str) -> asyncpg.Connection:
    """A plain connection that decodes jsonb with json.loads, the usual asyncpg recipe."""
    connection = await asyncpg.connect(dsn)
    await connection.set_type_codec(
        "jsonb", schema="pg_catalog", encoder=json.dumps, decoder=json.loads
    )
    return connection


async def measure(dsn: str) -> dict[str, float]:
    admin = await asyncpg.connect(dsn)
    await admin.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    store = await EventStore.connect(
        dsn, schema=SCHEMA, min_pool_size=WRITERS + 1, max_pool_size=WRITERS + 1
    )
    await admin.execute(f"CREATE TABLE {SCHEMA}.raw_events (LIKE {SCHEMA}.events INCLUDING ALL)")
    raw = [await asyncpg.connect(dsn) for _ in range(WRITERS)]
    raw_json = await _json_connection(dsn)
    work = Workloads(store, raw, raw_json)
    best: dict[str, float] = {}

    def keep(key: str, value: float) -> None:
        best[key] = max(best.get(key, 0.0), value)
        say(f"  {key:<40} {value:>12,.0f}/s")

    try:
        say("warming up")
        await work.store_single()
        await work.raw_single()
        for round_number in range(1, ROUNDS + 1):
            say(f"round {round_number}/{ROUNDS}")
            keep("store_append_single_events_per_s", await work.store_single())
            keep("raw_insert_single_rows_per_s", await work.raw_single())
            store_rate, streams = await work.store_batches()
            keep("store_append_batch100_events_per_s", store_rate)
            keep("raw_insert_batch100_rows_per_s", await work.raw_batches())
            keep("store_replay_verify_events_per_s", await work.replay_and_verify(streams))
            keep("store_verify_stream_events_per_s", await work.verify_streams(streams))
            keep("raw_fetch_stream_rows_per_s", await work.raw_fetch_streams(streams))
            keep(
                "raw_fetch_stream_json_rows_per_s",
                await work.raw_fetch_streams(streams, json=True),
            )
            total = await admin.fetchval(f"SELECT count(*) FROM {SCHEMA}.events")
            keep("store_read_all_events_per_s", await work.read_all(total))
            keep("raw_fetch_all_rows_per_s", await work.raw_fetch_all(total))
            keep("raw_fetch_all_json_rows_per_s", await work.raw_fetch_all(total, json=True))
            keep(
                "store_append_single_with_follower_events_per_s",
                await work.store_single(follower=True),
            )
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        await admin.close()
        for connection in [*raw, raw_json]:
            await connection.close()
        await store.close()
    return best | ratios(best)


def ratios(best: dict[str, float]) -> dict[str, float]:
    def ratio(numerator: str, denominator: str) -> float:
        return best[numerator] / best[denominator]

    return {
        "store_append_single_ratio": ratio(
            "store_append_single_events_per_s", "raw_insert_single_rows_per_s"
        ),
        "store_append_batch100_ratio": ratio(
            "store_append_batch100_events_per_s", "raw_insert_batch100_rows_per_s"
        ),
        "store_replay_verify_ratio": ratio(
            "store_replay_verify_events_per_s", "raw_fetch_stream_rows_per_s"
        ),
        "store_replay_verify_vs_json_fetch_ratio": ratio(
            "store_replay_verify_events_per_s", "raw_fetch_stream_json_rows_per_s"
        ),
        "store_verify_stream_ratio": ratio(
            "store_verify_stream_events_per_s", "raw_fetch_stream_rows_per_s"
        ),
        "store_read_all_ratio": ratio("store_read_all_events_per_s", "raw_fetch_all_rows_per_s"),
        "store_read_all_vs_json_fetch_ratio": ratio(
            "store_read_all_events_per_s", "raw_fetch_all_json_rows_per_s"
        ),
        "store_verify_stream_vs_json_fetch_ratio": ratio(
            "store_verify_stream_events_per_s", "raw_fetch_stream_json_rows_per_s"
        ),
        "store_append_single_with_follower_ratio": ratio(
            "store_append_single_with_follower_events_per_s", "store_append_single_events_per_s"
        ),
    }


def run() -> dict[str, float]:
    with postgres() as dsn:
        return asyncio.run(measure(dsn))


if __name__ == "__main__":
    from .harness import merge_results

    merge_results(run())
