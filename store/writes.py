"""One append attempt, as the database sees it: the fewest statements that can do it safely.

Most appends are one event onto an existing stream. For those the head-row update and the insert
go in one statement, with no function to call: the update matches only while the head row is at
the expected version and hash and the stream's last event agrees with it, and the insert takes its
row from the update, so nothing is written otherwise. Everything else (batches, new streams, and
every miss of the single statement, to learn why) goes through the database function
append_to_stream, which checks the same and flags the stream when head row and last event
disagree.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from .batch import PreparedBatch


class Attempt(NamedTuple):
    appended: bool
    stream_version: int
    stream_head: str
    positions: tuple[int, ...]
    disagreement: str | None


class Executor(Protocol):
    """An asyncpg pool or connection."""

    async def fetchrow(self, query: str, *args: object) -> Any: ...

    async def fetchval(self, query: str, *args: object) -> Any: ...


def append_one(schema: str) -> str:
    """The single statement: $1 stream, $2 expected version, $3 its head hash, $4 recorded_at,
    then the event's id, type, schema version, actor, occurred_at, payload, hash and provenance."""
    return f"""
WITH moved AS (
    UPDATE {schema}.streams AS s SET version = $2 + 1, head_hash = $11, updated_at = now()
     WHERE s.stream_id = $1 AND s.version = $2 AND s.head_hash = $3
       AND ($2, $3) = (SELECT e.version, e.hash FROM {schema}.events AS e
                        WHERE e.stream_id = $1 ORDER BY e.version DESC LIMIT 1)
    RETURNING s.stream_id
)
INSERT INTO {schema}.events (event_id, stream_id, version, type, schema_version, actor,
                             occurred_at, recorded_at, payload, prev_hash, hash, provenance,
                             encoding_version)
SELECT $5, moved.stream_id, $2 + 1, $6, $7, $8, $9, $4, $10::text::jsonb, $3, $11,
       $12::text::jsonb, 2 FROM moved
RETURNING position"""


async def attempt(
    executor: Executor, statements: tuple[str, str], batch: PreparedBatch, prev_hash: str,
    hashes: list[str],
) -> Attempt:
    """Append `batch` onto `prev_hash`; `statements` are `append_one` and the function call."""
    single, function = statements
    if len(batch.events) == 1 and batch.expected_version > 0:
        position = await executor.fetchval(
            single, batch.stream_id, batch.expected_version, prev_hash, batch.recorded_at,
            batch.event_ids[0], batch.types[0], batch.schema_versions[0], batch.actors[0],
            batch.occurred_at[0], batch.payloads[0], hashes[0], batch.provenances[0])
        if position is not None:
            return Attempt(True, batch.expected_version + 1, hashes[0], (position,), None)
    row = await executor.fetchrow(
        function, batch.stream_id, batch.expected_version, prev_hash, batch.recorded_at,
        batch.event_ids, batch.types, batch.schema_versions, batch.actors, batch.occurred_at,
        batch.payloads, hashes, batch.provenances)
    appended, version, head, positions, disagreement = row
    return Attempt(appended, version, head, tuple(positions or ()), disagreement)
