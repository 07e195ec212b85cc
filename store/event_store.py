"""The PostgreSQL event store: append-only streams, one global order, a hash chain per stream."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import asyncpg

from domain.envelope import Event

from .batch import PreparedBatch, prepare_batch
from .chain import ENCODING_VERSION, GENESIS_HASH, canonical_encoding
from .errors import (
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidAppend,
    StoreError,
    StreamDisagreement,
)
from .figure_rows import PORTFOLIO_FIGURES_MIGRATION, FigureRows
from .head_cache import HeadCache
from .migrations import Migration, apply_migrations, quote_schema
from .models import (
    AppendResult,
    ChainVerification,
    Connection,
    Projection,
    RecordedEvent,
    StreamHead,
)
from .rows import configure_connection, recorded_event, recorded_head, stored_links
from .statements import LAST_VERSION, Statements
from .verification import verify_chain
from .work import WORK_ITEMS_MIGRATION, WorkItems
from .writes import Attempt, attempt

_EMPTY_STREAM = StreamHead(0, GENESIS_HASH)

# A failed attempt brings back the head it found, so a second one only fails if the stream moved
# again in between, and then the version check reports a conflict; the third is slack.
_MAX_ATTEMPTS = 3
# How long a global reader that could not get the fence steps aside before it asks again.
_FIRST_READ_PAUSE = 0.005
_LAST_READ_PAUSE = 0.2


class EventStore:
    """Event streams in one PostgreSQL schema, over an asyncpg pool.

    A stream is one initiative; an event's `sequence` is its version in the stream. Appends are
    optimistic (`expected_version`), atomic, idempotent by event id, and hash-chained. Every
    event also gets a global `position`, and `read_all` returns positions in an order that no
    later commit can fill in behind a reader (see `read_all`). That guarantee holds only while
    every event enters through `append` (the database function append_to_stream), which is
    what takes the fence.
    """

    def __init__(self, pool: asyncpg.Pool, schema: str = "baton", *, owns_pool: bool = False,
                 dsn: str | None = None):
        """Wrap an existing pool, which must have been created with `init=configure_connection`;
        `dsn`, where known, lets `listening` open a connection of its own."""
        self._pool = pool
        self._dsn = dsn
        self._schema = schema
        self._owns_pool = owns_pool
        self._sql = Statements.for_schema(schema)
        self._heads = HeadCache()

    @classmethod
    async def connect(
        cls,
        dsn: str,
        schema: str = "baton",
        *,
        migrate: bool = True,
        min_pool_size: int = 1,
        max_pool_size: int = 10,
        **pool_options: Any,
    ) -> EventStore:
        """Open a pool on `dsn` and, unless `migrate=False` (read-only users), migrate `schema`.

        `pool_options` go to asyncpg.create_pool.
        """
        Statements.for_schema(schema)  # reject a bad schema name before connecting
        pool_options.setdefault("reset", _leave_session_as_is)
        pool = await asyncpg.create_pool(
            dsn,
            min_size=min_pool_size,
            max_size=max_pool_size,
            init=configure_connection,
            **pool_options,
        )
        store = cls(pool, schema, owns_pool=True, dsn=dsn)
        try:
            if migrate:
                await store.migrate()
        except BaseException:
            await pool.close()
            raise
        return store

    @property
    def schema(self) -> str:
        return self._schema

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    @asynccontextmanager
    async def listening(self, channel: str,
                        heard: Callable[[], None]) -> AsyncIterator[Connection]:
        """A connection that calls `heard` for each NOTIFY on `channel` while the context lasts:
        one of its own when the DSN is known, so it takes no place from the appends in the pool.
        """

        def notified(_connection: object, _pid: int, _channel: str, _payload: object) -> None:
            heard()

        async with contextlib.AsyncExitStack() as stack:
            if self._dsn is None:
                connection: Connection = await stack.enter_async_context(self._pool.acquire())
            else:
                connection = await asyncpg.connect(self._dsn)
                stack.push_async_callback(connection.close)
            await connection.add_listener(channel, notified)
            try:
                yield connection
            finally:
                if not connection.is_closed():
                    await connection.remove_listener(channel, notified)

    async def close(self) -> None:
        if self._owns_pool:
            await self._pool.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def migrate(self) -> list[Migration]:
        """Apply pending migrations; safe when several processes start at once."""
        async with self._pool.acquire() as connection:
            applied = await apply_migrations(connection, self._schema)
            if any(m.name == WORK_ITEMS_MIGRATION for m in applied):
                # A table of what each person owes starts with what is already owed.
                await WorkItems(self._schema).backfill(connection)
            if any(m.name == PORTFOLIO_FIGURES_MIGRATION for m in applied):
                # So do the rows the portfolio's figures are summed from.
                await FigureRows(self._schema).backfill(connection)
            return applied

    async def drop_schema(self) -> None:
        """Drop this store's schema with everything in it: for tests and throwaway databases."""
        await self._pool.execute(f"DROP SCHEMA IF EXISTS {quote_schema(self._schema)} CASCADE")
        self._heads = HeadCache()

    # -- writing ----------------------------------------------------------------------------

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        *,
        project: Projection | None = None,
    ) -> AppendResult:
        """Append `events` as versions expected_version + 1, ... of `stream_id`, atomically.

        Raises ConcurrencyConflict when the stream is not at `expected_version`, unless every
        event id is already recorded with identical content: that is a retry of an append that
        succeeded, and its original result comes back (`already_recorded`) with nothing written.
        IdempotencyConflict if the ids are recorded otherwise; InvalidAppend if the events do
        not fit (wrong initiative, sequences not continuing expected_version, non-JSON payload).

        `project` runs inside the append's transaction once the events are written, so a read
        model it updates commits or rolls back with them. It must not call `read_all`, which
        waits for this very transaction to end, nor change session settings other than with
        SET LOCAL (the pool does not reset connections; see `_leave_session_as_is`).
        """
        batch = prepare_batch(stream_id, expected_version, events)
        head = self._head_hint(stream_id, expected_version)
        if head is None:
            head = await self.stream_head(stream_id) or _EMPTY_STREAM
        for _ in range(_MAX_ATTEMPTS):
            # Even a head that is not at expected_version goes to the database, which finds a
            # head row that its last event contradicts, whatever version that row claims.
            outcome = await self._write(batch, head.head_hash, project)
            if isinstance(outcome, AppendResult):
                return outcome
            if outcome.version != expected_version:
                return await self._settle_stale_append(batch, outcome.version)
            head = outcome
        raise StoreError(f"stream {stream_id!r} kept changing its head during one append")

    def _head_hint(self, stream_id: str, expected_version: int) -> StreamHead | None:
        if expected_version == 0:
            return _EMPTY_STREAM
        cached = self._heads.get(stream_id)
        return cached if cached is not None and cached.version == expected_version else None

    async def _write(
        self, batch: PreparedBatch, prev_hash: str, project: Projection | None
    ) -> AppendResult | StreamHead:
        """One attempt; returns the stream's actual head when it was not where we assumed."""
        hashes = batch.hashes_from(prev_hash)
        statements = (self._sql.append_one, self._sql.append)
        try:
            if project is None:
                row = await attempt(self._pool, statements, batch, prev_hash, hashes)
            else:
                async with self._pool.acquire() as connection, connection.transaction():
                    row = await attempt(connection, statements, batch, prev_hash, hashes)
                    if row.appended:
                        await project(connection, _recorded(batch, row, prev_hash, hashes))
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name and error.constraint_name.endswith("event_id_key"):
                head = await self.stream_head(batch.stream_id) or _EMPTY_STREAM
                return await self._settle_stale_append(batch, head.version)
            raise StoreError(f"stream {batch.stream_id!r}: {error}") from error
        except asyncpg.DataError as error:
            message = f"stream {batch.stream_id!r} refused the events: {error}"
            raise InvalidAppend(message) from error

        if row.disagreement is not None:
            raise StreamDisagreement(batch.stream_id, row.disagreement)
        head = StreamHead(row.stream_version, row.stream_head)
        self._heads.remember(batch.stream_id, head)
        if not row.appended:
            return head
        return AppendResult(row.positions, head.version, head.head_hash)

    async def _settle_stale_append(self, batch: PreparedBatch, actual_version: int) -> AppendResult:
        """The stream is not at the expected version: an exact retry, or a conflict."""
        rows = await self._pool.fetch(self._sql.events_by_id, batch.event_ids)
        if not rows:
            raise ConcurrencyConflict(batch.stream_id, batch.expected_version, actual_version)
        stored = {row["event_id"]: recorded_event(row) for row in rows}
        found = [event_id for event_id in batch.event_ids if event_id in stored]
        if len(found) < len(batch.event_ids):
            detail = f"only {len(found)} of the {len(batch.event_ids)} events are recorded"
        elif all(  # the content, not when it was recorded: a retry is always later
            canonical_encoding(stored[event.event_id].event) == canonical_encoding(event)
            for event in batch.events
        ):
            last = stored[batch.event_ids[-1]]
            positions = tuple(stored[event_id].position for event_id in batch.event_ids)
            return AppendResult(positions, last.version, last.hash, already_recorded=True)
        else:
            detail = _describe_difference(batch, [stored[event_id] for event_id in found])
        raise IdempotencyConflict(batch.stream_id, found, actual_version, detail)

    # -- reading ----------------------------------------------------------------------------

    async def stream_head(self, stream_id: str) -> StreamHead | None:
        row = await self._pool.fetchrow(self._sql.stream_head, stream_id)
        if row is None:
            return None
        head = StreamHead(row["version"], row["head_hash"])
        self._heads.remember(stream_id, head)
        return head

    async def read_stream(
        self, stream_id: str, *, to_version: int | None = None, as_of: datetime | None = None
    ) -> list[RecordedEvent]:
        """The stream in version order, up to `to_version`.

        With `as_of`, the stream as it stood at that moment: the events up to, not including,
        the first one that occurred after it. While occurred_at grows with the version, as the
        workflows write it, that is every event that occurred at or before `as_of`.
        """
        last = LAST_VERSION if to_version is None else to_version
        if as_of is None:
            rows = await self._pool.fetch(self._sql.read_stream, stream_id, last)
        else:
            if as_of.tzinfo is None:
                raise ValueError(f"as_of must be timezone-aware, got naive {as_of!r}")
            rows = await self._pool.fetch(self._sql.read_stream_as_of, stream_id, last, as_of)
        return [recorded_event(row) for row in rows]

    async def read_versions(self, stream_id: str, first: int, last: int) -> list[RecordedEvent]:
        """Versions `first` to `last` of the stream, in order: what one request recorded."""
        rows = await self._pool.fetch(self._sql.read_versions, stream_id, first, last)
        return [recorded_event(row) for row in rows]

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Up to `limit` events with positions after `after_position`, in position order.

        A follower that passes the last position it saw never skips an event, even though
        positions come from a sequence and appends commit in any order. The database function
        behind it first takes SHARE on the events table, which conflicts with the ROW EXCLUSIVE
        lock every insert takes before it draws a position and keeps until its commit is
        visible. So once the read holds the lock, no append is between "position taken" and
        "commit visible", and every position below what the read sees is either visible to it
        or never will be (rolled back). Appends pay nothing for this; they wait only for a
        reader that is queued or reading, and for a short lock timeout at most: a reader that
        cannot get the lock by then (behind a long append, or a vacuum of the table) steps
        aside and tries again a moment later.

        Only roles that may change the events table can take that lock; the auditor role,
        which may only read, cannot hold up a writer (store/migrations/0009_record_integrity.sql).
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        pause = _FIRST_READ_PAUSE
        while True:
            try:
                rows = await self._pool.fetch(self._sql.read_all, after_position, limit)
            except asyncpg.LockNotAvailableError:
                await asyncio.sleep(pause)
                pause = min(pause * 2, _LAST_READ_PAUSE)
                continue
            return [recorded_event(row) for row in rows]

    async def verify_stream(self, stream_id: str) -> ChainVerification:
        """Recompute the stream's chain from its stored rows and compare it with its head row."""
        rows = await self._pool.fetch(self._sql.chain_of_stream, stream_id)
        return verify_chain(stream_id, stored_links(stream_id, rows), recorded_head(rows))


async def _leave_session_as_is(connection: Connection) -> None:
    """Pool release hook. asyncpg's default sends a reset query (RESET ALL, unlock all advisory
    locks...) on every release: a round trip and about a third of the client CPU a single-event
    append costs. The store leaves no session state behind: its locks are transaction-scoped and
    it never SETs outside a transaction. (Projections must keep to SET LOCAL likewise.)"""


def _recorded(
    batch: PreparedBatch, row: Attempt, prev_hash: str, hashes: list[str]
) -> list[RecordedEvent]:
    prev_hashes = batch.prev_hashes(prev_hash, hashes)
    return [
        RecordedEvent(event, position, prev, hash_, batch.recorded_at, ENCODING_VERSION)
        for event, position, prev, hash_ in zip(
            batch.events, row.positions, prev_hashes, hashes, strict=True
        )
    ]


def _describe_difference(batch: PreparedBatch, stored: list[RecordedEvent]) -> str:
    elsewhere = sorted({event.stream_id for event in stored} - {batch.stream_id})
    if elsewhere:
        return f"they are recorded in stream(s) {', '.join(map(repr, elsewhere))}"
    versions = ", ".join(str(event.version) for event in stored)
    return f"the recorded events (versions {versions}) differ from the ones given"
