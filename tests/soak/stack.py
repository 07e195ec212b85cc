"""A stack of the load run's own: embedded PostgreSQL (or DATABASE_URL) and Temporal, and one
worker process whose memory can be watched."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client

from bench.harness import postgres
from devstack.embedded_temporal import FREE_PORT, start_embedded_temporal
from store import EventStore
from tests.worker_process import WorkerProcess, free_loopback_address, worker_processes
from tests.workflows.metric_source import LOOPBACK_HOSTS
from workers.settings import Settings
from workers.temporal_client import connect_client
from workflows.client import InitiativeClient


@dataclass(frozen=True)
class SoakStack:
    store: EventStore
    initiatives: InitiativeClient
    worker: WorkerProcess
    metrics_address: str  # the worker's Prometheus metrics (see `breakdown`)
    pids: dict[str, list[int]]  # each part of the stack, for its CPU share
    temporal_client: Client  # for the bare baseline on the same server


@asynccontextmanager
async def soak_stack(home: Path) -> AsyncIterator[SoakStack]:
    schema, queue = f"soak_{uuid.uuid4().hex[:8]}", f"soak-{uuid.uuid4().hex[:8]}"
    with postgres() as dsn:
        server = await start_embedded_temporal(home / "temporal", port=FREE_PORT, ui_port=None)
        async with server, await EventStore.connect(dsn, schema=schema) as store:
            # Warnings only: a worker logging every append would measure its logging.
            metrics = free_loopback_address()
            with worker_processes(temporal_address=server.address, database_url=dsn,
                                  schema=schema, task_queue=queue, home=home,
                                  BATON_LOG_LEVEL="WARNING",
                                  BATON_METRICS_ADDRESS=metrics) as workers:
                worker = await workers.start_ready()
                client = await connect_client(Settings.from_env({}), address=server.address)
                backend = await store.pool.fetchval("SELECT pg_backend_pid()")
                pids = {"worker": [worker.pid], "temporal": [server.pid],
                        "postgres": [_postmaster_of(backend)], "client": [os.getpid()]}
                initiatives = InitiativeClient(client, queue, source_hosts=LOOPBACK_HOSTS)
                yield SoakStack(store, initiatives, worker, metrics, pids, client)
            await store.drop_schema()


def _postmaster_of(backend: int) -> int:
    """The postmaster, whose children are every backend and PostgreSQL's own workers."""
    import psutil

    try:
        parent = psutil.Process(backend).parent()
    except psutil.Error:
        return backend
    return parent.pid if parent is not None else backend
