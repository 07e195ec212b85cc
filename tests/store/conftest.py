"""A store of its own per test, on the session's PostgreSQL server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from store import EventStore
from tests.databases import FreshDatabase


@pytest.fixture
async def store(fresh_database: FreshDatabase) -> AsyncIterator[EventStore]:
    """An EventStore on an empty, fully migrated schema of its own."""
    event_store = await EventStore.connect(fresh_database.dsn, schema=fresh_database.schema,
                                           max_pool_size=12)
    try:
        yield event_store
    finally:
        await event_store.close()
