"""The installed `baton`, pointed at the session's servers, with a worker of the test's own.

Each stack is a database schema and a task queue that nothing else uses, polled by a real worker
running in the test process; `baton` itself always runs as a subprocess.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from temporalio.client import Client

from store import EventStore
from workers.embedded_temporal import EmbeddedTemporal
from workers.settings import Settings
from workers.worker import build_worker

from .runner import Baton, write_spec


@dataclass(frozen=True)
class Stack:
    store: EventStore
    baton: Baton
    home: Path

    async def version(self, initiative_id: str) -> int:
        head = await self.store.stream_head(initiative_id)
        return head.version if head else 0

    async def streams(self) -> int:
        count: int = await self.store.pool.fetchval(
            f"SELECT count(*) FROM {self.store.schema}.streams")
        return count


@asynccontextmanager
async def running_stack(temporal_client: Client, temporal_server: EmbeddedTemporal,
                        database_url: str, home: Path) -> AsyncIterator[Stack]:
    schema, queue = f"cli_{uuid.uuid4().hex[:12]}", f"cli-{uuid.uuid4().hex[:12]}"
    async with await EventStore.connect(database_url, schema=schema) as store:
        worker = build_worker(temporal_client, store, Settings.from_env({}), task_queue=queue)
        async with worker:
            yield Stack(store, Baton(
                TEMPORAL_ADDRESS=temporal_server.address, DATABASE_URL=database_url,
                BATON_DB_SCHEMA=schema, BATON_TASK_QUEUE=queue, BATON_HOME=str(home)), home)
        await store.drop_schema()


@pytest.fixture(scope="session")
async def shared_stack(temporal_client: Client, temporal_server: EmbeddedTemporal,
                       database_url: str,
                       tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """For tests that only look at initiatives they launch themselves."""
    home = tmp_path_factory.mktemp("baton-home")
    async with running_stack(temporal_client, temporal_server, database_url, home) as stack:
        yield stack


@pytest.fixture
async def fresh_stack(temporal_client: Client, temporal_server: EmbeddedTemporal,
                      database_url: str, tmp_path: Path) -> AsyncIterator[Stack]:
    """For tests that count every initiative in the portfolio."""
    async with running_stack(temporal_client, temporal_server, database_url, tmp_path) as stack:
        yield stack


@pytest.fixture
def baton(shared_stack: Stack) -> Baton:
    return shared_stack.baton


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    return write_spec(tmp_path)
