"""The use cases in-process, against the shared servers and a real worker of the test's own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client

from app.context import Context, Where
from store import EventStore
from workers.embedded_temporal import EmbeddedTemporal
from workers.settings import Settings
from workers.worker import build_worker


@pytest.fixture
def use_case_client(temporal_client: Client) -> Client:
    """The Temporal client the use cases get (the worker keeps its own): a module may give them
    one that watches what they ask."""
    return temporal_client


@pytest.fixture
async def context(temporal_client: Client, use_case_client: Client,
                  temporal_server: EmbeddedTemporal, database_url: str,
                  task_queue: str) -> AsyncIterator[Context]:
    schema = f"app_{uuid.uuid4().hex[:12]}"
    async with await EventStore.connect(database_url, schema=schema) as store:

        async def temporal() -> Client:
            return use_case_client

        async def reader() -> EventStore:
            return await EventStore.connect(database_url, schema=schema, migrate=False)

        where = Where(temporal_address=temporal_server.address, namespace="default",
                      task_queue=task_queue, db_schema=schema, audit_dsn=database_url)
        async with (
            build_worker(temporal_client, store, Settings.from_env({}), task_queue=task_queue),
            Context(where=where, open_temporal=temporal, open_store=reader,
                    open_read_store=reader, open_audit_store=reader) as opened,
        ):
            while not await opened.workers_polling():  # the server learns of it on its poll
                await asyncio.sleep(0.05)
            yield opened
        await store.drop_schema()
