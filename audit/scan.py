"""Reading many streams with their head rows in one consistent snapshot, stream by stream.

One REPEATABLE READ, READ ONLY transaction holds the snapshot, so an append that commits during a
long scan can neither make a head row disagree with the events read for it nor be half seen; and
it needs nothing but SELECT, as the auditor role has. Events come through a cursor in
(stream, version) order, a page at a time, so a store of any size streams in constant memory.
Several processes can share one snapshot (`pg_export_snapshot`) and scan a part each.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import dataclass

import asyncpg

from store import RecordedEvent, StreamHead
from store.migrations import quote_schema
from store.models import Connection
from store.rows import recorded_event
from store.statements import EVENT_COLUMNS

PAGE = 5_000


@dataclass(frozen=True, slots=True)
class StoredStream:
    stream_id: str
    events: list[RecordedEvent]
    head_row: StreamHead | None


async def stream_ids(pool: asyncpg.Pool, schema: str) -> list[str]:
    """Every stream that has a head row or an event, in the database's order."""
    s = quote_schema(schema)
    rows = await pool.fetch(
        f"SELECT stream_id FROM {s}.streams UNION SELECT DISTINCT stream_id FROM {s}.events "
        "ORDER BY 1")
    return [row[0] for row in rows]


async def recorded_events(pool: asyncpg.Pool, schema: str) -> int:
    """How many events the head rows account for: the size of a scan, without counting rows."""
    total = await pool.fetchval(f"SELECT coalesce(sum(version), 0) FROM {quote_schema(schema)}"
                                ".streams")
    return int(total)


async def scan_streams(
    pool: asyncpg.Pool, schema: str, wanted: Sequence[str] | None = None
) -> AsyncGenerator[StoredStream, None]:
    """Each stream of `wanted` (every stream when None) with its events and head row, in a
    snapshot of its own."""
    async with (
        pool.acquire() as connection,
        connection.transaction(isolation="repeatable_read", readonly=True),
        aclosing(streams_in_snapshot(connection, schema, wanted)) as streams,
    ):
        async for stored in streams:
            yield stored


async def streams_in_snapshot(
    connection: Connection, schema: str, wanted: Sequence[str] | None = None,
    page: int = PAGE,
) -> AsyncGenerator[StoredStream, None]:
    """Like `scan_streams`, inside the REPEATABLE READ transaction `connection` holds.

    A stream asked for that has neither events nor a head row comes back empty, so callers can
    say it is unknown.
    """
    s = quote_schema(schema)
    only = "" if wanted is None else " WHERE stream_id = ANY($1::text[])"
    arguments = () if wanted is None else (list(wanted),)
    heads = {row[0]: StreamHead(row[1], row[2]) for row in await connection.fetch(
        f"SELECT stream_id, version, head_hash FROM {s}.streams{only}", *arguments)}
    cursor = await connection.cursor(
        f"SELECT {EVENT_COLUMNS} FROM {s}.events{only} ORDER BY stream_id, version", *arguments)
    current: str | None = None
    events: list[RecordedEvent] = []
    seen: set[str] = set()
    while rows := await cursor.fetch(page):
        for row in rows:
            stream_id = row[2]
            if stream_id != current:
                if current is not None:
                    yield StoredStream(current, events, heads.pop(current, None))
                    seen.add(current)
                current, events = stream_id, []
            events.append(recorded_event(row, for_verifying=True))
    if current is not None:
        yield StoredStream(current, events, heads.pop(current, None))
        seen.add(current)
    # Head rows whose events are all gone, then the streams asked for that do not exist.
    for stream_id, head in heads.items():
        yield StoredStream(stream_id, [], head)
        seen.add(stream_id)
    for stream_id in dict.fromkeys(wanted or ()):
        if stream_id not in seen:
            yield StoredStream(stream_id, [], None)


async def read_one_stream(pool: asyncpg.Pool, schema: str, stream_id: str) -> StoredStream:
    """One stream with its head row, read in one snapshot (empty when it does not exist)."""
    async with aclosing(scan_streams(pool, schema, [stream_id])) as streams:
        async for stored in streams:
            return stored
    raise AssertionError("scan_streams yields every stream asked for")
