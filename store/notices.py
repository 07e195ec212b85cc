"""The notices table (migration 0014): what appends owe people, kept with the events that owe it
and taken from here by whichever worker delivers it.

A worker claims due rows for a lease (`FOR UPDATE SKIP LOCKED`, so any number of workers share
the table without delivering one notice twice at once), delivers what each still owes, and
then either deletes the row or puts it back with what was delivered and when to try again. A
worker that dies mid-delivery leaves its lease to run out; the next claim takes the row again,
and receivers dedupe on the notice's id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from .migrations import quote_schema
from .models import Connection, Projection, RecordedEvent


def wake_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel an append with notices wakes the schema's workers on."""
    return f"baton_notices.{schema}"


@dataclass(frozen=True)
class Claimed:
    notice_id: str
    notification: dict[str, object]  # as the workflow wrote it
    noticed_at: datetime
    recorded_at: datetime
    attempts: int
    delivered: frozenset[str]


@dataclass(frozen=True)
class Backlog:
    """The notices still owed, and when the oldest of them was recorded."""

    count: int
    oldest_at: datetime | None


class NoticeQueue:
    def __init__(self, schema: str) -> None:
        s = quote_schema(schema)
        self.channel = wake_channel(schema)
        self._keep = (
            f"WITH kept AS (INSERT INTO {s}.notices (notice_id, initiative_id, notification, "
            "noticed_at) SELECT n.id, $2, n.notification::jsonb, $3 "
            "FROM unnest($1::text[], $4::text[]) AS n (id, notification) "
            "ON CONFLICT (notice_id) DO NOTHING RETURNING 1) "
            "SELECT pg_notify($5, '') FROM (SELECT 1 FROM kept LIMIT 1) AS any_kept")
        self._claim = (
            f"UPDATE {s}.notices AS n SET leased_until = now() + $2::interval "
            f"WHERE n.notice_id IN (SELECT notice_id FROM {s}.notices "
            "WHERE due_at <= now() AND (leased_until IS NULL OR leased_until < now()) "
            "ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED) "
            "RETURNING n.notice_id, n.notification::text, n.noticed_at, n.recorded_at, "
            "n.attempts, n.delivered")
        self._done = f"DELETE FROM {s}.notices WHERE notice_id = ANY($1::text[])"
        self._again = (
            f"UPDATE {s}.notices SET delivered = $2, attempts = attempts + 1, "
            "due_at = now() + $3::interval, leased_until = NULL, last_error = $4 "
            "WHERE notice_id = $1")
        self._next_due = (
            f"SELECT min(greatest(due_at, coalesce(leased_until, due_at))) - now() "
            f"FROM {s}.notices")
        self._owed = f"SELECT count(*) FROM {s}.notices"
        self._backlog = f"SELECT count(*), min(recorded_at) FROM {s}.notices"

    def keeping(self, initiative_id: str, noticed_at: datetime,
                notifications: Sequence[tuple[str, str]], then: Projection | None,
                ) -> Projection | None:
        """A projection that keeps (id, notification as JSON) pairs in the append's
        transaction, then runs `then`; the workers are woken at commit. A notice kept already
        (by an append retried after its answer was lost) is kept once."""
        if not notifications:
            return then
        ids, texts = [i for i, _ in notifications], [n for _, n in notifications]

        async def project(connection: Connection, recorded: Sequence[RecordedEvent]) -> None:
            await connection.execute(self._keep, ids, initiative_id, noticed_at, texts,
                                     self.channel)
            if then is not None:
                await then(connection, recorded)

        return project

    async def claim(self, pool: asyncpg.Pool, limit: int, lease: timedelta) -> list[Claimed]:
        rows = await pool.fetch(self._claim, limit, lease)
        return [Claimed(r["notice_id"], json.loads(r["notification"]), r["noticed_at"],
                        r["recorded_at"], r["attempts"], frozenset(r["delivered"]))
                for r in rows]

    async def delivered(self, pool: asyncpg.Pool, notice_ids: Sequence[str]) -> None:
        """Forget notices owed no more."""
        if notice_ids:
            await pool.execute(self._done, list(notice_ids))

    async def try_again(self, pool: asyncpg.Pool, notice_id: str, delivered: frozenset[str],
                        after: timedelta, error: str) -> None:
        await pool.execute(self._again, notice_id, sorted(delivered), after, error)

    async def next_due_in(self, pool: asyncpg.Pool) -> timedelta | None:
        """How long until a notice falls due (negative: one is due); None when none is owed."""
        due: timedelta | None = await pool.fetchval(self._next_due)
        return due

    async def owed(self, pool: asyncpg.Pool) -> int:
        count: int = await pool.fetchval(self._owed)
        return count

    async def backlog(self, executor: asyncpg.Pool | Connection) -> Backlog:
        row = await executor.fetchrow(self._backlog)
        return Backlog(0, None) if row is None else Backlog(row[0], row[1])
