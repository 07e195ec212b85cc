"""The SQL the store sends, with the schema name filled in once per store."""

from __future__ import annotations

from dataclasses import dataclass

from .migrations import quote_schema
from .writes import append_one

# Column order shared by every query that builds RecordedEvents (see `rows.py`). The payload
# comes as text, parsed by `rows.recorded_event`: the connection's jsonb codec would parse it
# the same way, only with asyncpg calling into Python once more per row.
EVENT_COLUMNS = (
    "position, event_id, stream_id, version, type, schema_version, actor, occurred_at, "
    "recorded_at, payload::text AS payload, prev_hash, hash, provenance, encoding_version"
)

# Wider than any version a stream can reach (the column is an integer).
LAST_VERSION = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Statements:
    append: str
    append_one: str
    stream_head: str
    read_stream: str
    read_versions: str
    read_stream_as_of: str
    read_all: str
    events_by_id: str
    chain_of_stream: str

    @classmethod
    def for_schema(cls, schema: str) -> Statements:
        s = quote_schema(schema)
        return cls(
            append=(
                "SELECT appended, stream_version, stream_head, positions, disagreement "
                f"FROM {s}.append_to_stream($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            ),
            append_one=append_one(s),
            stream_head=f"SELECT version, head_hash FROM {s}.streams WHERE stream_id = $1",
            read_stream=(
                f"SELECT {EVENT_COLUMNS} FROM {s}.events "
                "WHERE stream_id = $1 AND version <= $2 ORDER BY version"
            ),
            read_versions=(
                f"SELECT {EVENT_COLUMNS} FROM {s}.events "
                "WHERE stream_id = $1 AND version BETWEEN $2 AND $3 ORDER BY version"
            ),
            # A stream as it stood at a moment is a prefix of it: version k + 1 was decided on
            # top of version k, so the first event after the moment ends the read.
            read_stream_as_of=(
                f"SELECT {EVENT_COLUMNS} FROM {s}.events "
                "WHERE stream_id = $1 AND version <= $2 AND version < coalesce("
                f"(SELECT min(version) FROM {s}.events WHERE stream_id = $1 AND occurred_at > $3),"
                f" {LAST_VERSION + 1}) ORDER BY version"
            ),
            read_all=f"SELECT {EVENT_COLUMNS} FROM {s}.read_events_after($1, $2)",
            events_by_id=f"SELECT {EVENT_COLUMNS} FROM {s}.events WHERE event_id = ANY($1::uuid[])",
            # Head and events in one statement, hence one snapshot: read apart, an append
            # committing in between would look like a disagreement. The head repeats on every
            # row; with neither, one row of NULLs comes back.
            chain_of_stream=(
                "SELECT h.version, h.head_hash, e.version, e.event_id, e.type, "
                "e.schema_version, e.actor, e.occurred_at, e.payload::text, e.prev_hash, e.hash, "
                "e.provenance, e.recorded_at, e.encoding_version "
                "FROM (VALUES ($1::text)) AS wanted (stream_id) "
                f"LEFT JOIN {s}.streams AS h ON h.stream_id = wanted.stream_id "
                f"LEFT JOIN {s}.events AS e ON e.stream_id = wanted.stream_id "
                "ORDER BY e.version"
            ),
        )
