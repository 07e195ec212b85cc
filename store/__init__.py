"""The PostgreSQL event store.

`EventStore` appends and reads hash-chained event streams; `chain` holds the canonical encoding and
hash that any verifier must share; `verification.verify_chain` recomputes a chain from rows.
"""

from .chain import GENESIS_HASH, canonical_encoding, event_hash
from .errors import (
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidAppend,
    MigrationError,
    StoreError,
)
from .event_store import EventStore
from .models import AppendResult, ChainVerification, Projection, RecordedEvent, StreamHead
from .rows import configure_connection

__all__ = [
    "GENESIS_HASH",
    "AppendResult",
    "ChainVerification",
    "ConcurrencyConflict",
    "EventStore",
    "IdempotencyConflict",
    "InvalidAppend",
    "MigrationError",
    "Projection",
    "RecordedEvent",
    "StoreError",
    "StreamHead",
    "canonical_encoding",
    "configure_connection",
    "event_hash",
]
