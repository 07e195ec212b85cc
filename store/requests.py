"""The request log: which request recorded which versions of a stream."""

from __future__ import annotations

from collections.abc import Sequence

from store import EventStore, Projection, RecordedEvent
from store.migrations import quote_schema
from store.models import Connection


class RequestLog:
    def __init__(self, schema: str) -> None:
        s = quote_schema(schema)
        self._insert = (
            f"INSERT INTO {s}.command_requests (stream_id, request_id, first_version, "
            "last_version) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        self._since = (
            f"SELECT request_id, first_version, last_version FROM {s}.command_requests "
            "WHERE stream_id = $1 AND last_version > $2")

    def recording(self, request_id: str | None, then: Projection | None) -> Projection | None:
        """A projection that logs `request_id` for the appended events, then runs `then`."""
        if request_id is None:
            return then

        async def project(connection: Connection,
                          recorded: Sequence[RecordedEvent]) -> None:
            if recorded:
                await connection.execute(self._insert, recorded[0].stream_id, request_id,
                                         recorded[0].version, recorded[-1].version)
            if then is not None:
                await then(connection, recorded)

        return project

    async def since(self, store: EventStore, stream_id: str,
                    version: int) -> dict[str, tuple[int, int]]:
        """Requests that recorded versions after `version`: id -> (first, last version)."""
        rows = await store.pool.fetch(self._since, stream_id, version)
        return {r["request_id"]: (r["first_version"], r["last_version"]) for r in rows}
