"""A real worker per test, on its own task queue and database schema, against the shared servers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from devstack.embedded_temporal import EmbeddedTemporal
from store import EventStore
from tests.worker_process import WorkerProcesses, worker_processes
from tests.workflows.metric_source import LOOPBACK_HOSTS, LOOPBACK_SOURCES
from workers.settings import Settings
from workers.worker import build_worker
from workflows.client import InitiativeClient


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[EventStore]:
    schema = f"test_{uuid.uuid4().hex[:12]}"
    async with await EventStore.connect(database_url, schema=schema) as event_store:
        yield event_store
        await event_store.drop_schema()


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env({"BATON_METRIC_SOURCE_HOSTS": LOOPBACK_SOURCES})


@pytest.fixture
async def worker(temporal_client: Client, store: EventStore, settings: Settings,
                 task_queue: str) -> AsyncIterator[Worker]:
    async with build_worker(temporal_client, store, settings, task_queue=task_queue) as running:
        yield running


@pytest.fixture
def initiatives(temporal_client: Client, task_queue: str) -> InitiativeClient:
    return InitiativeClient(temporal_client, task_queue, source_hosts=LOOPBACK_HOSTS)


@pytest.fixture
def workers(temporal_server: EmbeddedTemporal, database_url: str, store: EventStore,
            task_queue: str, tmp_path: Path) -> Iterator[WorkerProcesses]:
    """Worker processes on the test's task queue and schema, for tests that kill them."""
    with worker_processes(temporal_address=temporal_server.address, database_url=database_url,
                          schema=store.schema, task_queue=task_queue, home=tmp_path) as started:
        yield started
