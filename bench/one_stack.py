"""One Baton stack for a benchmark: a throwaway PostgreSQL (or DATABASE_URL), a Temporal dev
server of its own and one worker, all in this process."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.client import Client

from devstack.embedded_temporal import FREE_PORT, TIME_SKIPPING_ARGS, start_embedded_temporal
from store import EventStore
from workers.settings import Settings
from workers.temporal_client import connect_client
from workers.worker import build_worker
from workflows.client import InitiativeClient

from .harness import postgres


@asynccontextmanager
async def one_stack(schema: str, *, time_skipping: bool = False,
                    ) -> AsyncIterator[tuple[Client, InitiativeClient]]:
    """The Temporal client and the initiatives' client of a fresh stack; `time_skipping` lets
    a workflow's clock be moved on (`temporalio.testing.TimeSkipper`)."""
    settings = Settings.from_env({})
    with postgres() as dsn, tempfile.TemporaryDirectory() as home:
        server = await start_embedded_temporal(
            Path(home), port=FREE_PORT, ui_port=None,
            extra_args=TIME_SKIPPING_ARGS if time_skipping else ())
        async with server:
            client = await connect_client(settings, address=server.address)
            store = await EventStore.connect(dsn, schema=schema)
            queue = f"bench-{uuid.uuid4().hex[:6]}"
            try:
                async with build_worker(client, store, settings, task_queue=queue):
                    yield client, InitiativeClient(client, queue)
            finally:
                await store.drop_schema()
                await store.close()
