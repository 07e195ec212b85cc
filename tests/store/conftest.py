"""A store on a schema of its own per test, on the session's PostgreSQL server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from store import EventStore


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[EventStore]:
    """An EventStore on a fresh schema, dropped afterwards."""
    schema = f"store_test_{uuid.uuid4().hex[:12]}"
    event_store = await EventStore.connect(database_url, schema=schema, max_pool_size=12)
    try:
        yield event_store
    finally:
        await event_store.drop_schema()
        await event_store.close()
