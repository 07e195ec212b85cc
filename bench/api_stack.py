"""The whole stack the HTTP benchmarks measure: an embedded Temporal server, PostgreSQL
(`bench.harness.postgres`) and a worker in this process, and `baton web` in a process of its own
on loopback, as the manifests run it."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from app.identity import Grant
from app.tokens import Tokens
from devstack.embedded_temporal import FREE_PORT, start_embedded_temporal
from store import EventStore
from store.tokens import TokenStore
from workers.settings import Settings
from workers.temporal_client import connect_client
from workers.worker import build_worker
from workflows.client import InitiativeClient

from .harness import postgres
from .metric_server import LOOPBACK_HOSTS, LOOPBACK_SOURCES, serve_constant_metric
from .web_process import web_process


@dataclass
class ApiStack:
    base_url: str  # the web app's
    metric_url: str  # a metric source reading a constant 5.0
    store: EventStore
    initiatives: InitiativeClient  # straight to the workflows, past the API

    async def token(self, person: str, *grants: Grant) -> str:
        return (await Tokens(TokenStore(self.store.pool, self.store.schema)).issue(
            person, set(grants))).token


@asynccontextmanager
async def api_stack(name: str) -> AsyncIterator[ApiStack]:
    """A stack of its own; `name` goes into its schema and task queue."""
    settings = Settings.from_env({"BATON_METRIC_SOURCE_HOSTS": LOOPBACK_SOURCES})
    with (postgres() as dsn, tempfile.TemporaryDirectory() as home,
          serve_constant_metric(5.0) as metric_url):
        server = await start_embedded_temporal(Path(home), port=FREE_PORT, ui_port=None)
        async with server:
            client = await connect_client(settings, address=server.address)
            store = await EventStore.connect(dsn, schema=f"bench_{name}")
            queue = f"bench-{name}-{uuid.uuid4().hex[:6]}"
            try:
                async with (build_worker(client, store, settings, task_queue=queue),
                            web_process(Path(home), TEMPORAL_ADDRESS=server.address,
                                        DATABASE_URL=dsn, BATON_DB_SCHEMA=store.schema,
                                        BATON_TASK_QUEUE=queue,
                                        BATON_METRIC_SOURCE_HOSTS=LOOPBACK_SOURCES) as base_url):
                    yield ApiStack(base_url, metric_url, store, InitiativeClient(
                        client, queue, source_hosts=LOOPBACK_HOSTS))
            finally:
                await store.drop_schema()
                await store.close()
