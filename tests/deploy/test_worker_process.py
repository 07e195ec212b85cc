"""`baton worker` as a container runs it: settings from the environment only, probes and metrics on
the addresses given, JSON logs, and a clean exit on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from bench.serving import until_serving
from devstack.embedded_temporal import EmbeddedTemporal
from store import EventStore
from workers.health import LIVENESS_PATH, READINESS_PATH

BATON = Path(sys.executable).parent / "baton"
STARTUP_TIMEOUT = 20.0


@pytest.fixture
async def schema(database_url: str) -> AsyncIterator[str]:
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield name
    async with await EventStore.connect(database_url, schema=name, migrate=False) as store:
        await store.drop_schema()


async def until_ready(http: httpx.AsyncClient, url: str, worker: Process) -> None:
    serving = await until_serving(http, url, lambda: worker.returncode is None, STARTUP_TIMEOUT)
    if not serving and worker.returncode is None:
        raise TimeoutError(f"{url} not ready in {STARTUP_TIMEOUT} s")


async def test_the_worker_answers_probes_serves_metrics_and_logs_json(
    temporal_server: EmbeddedTemporal, database_url: str, schema: str, task_queue: str,
    free_address: Callable[[], str], tmp_path: Path,
) -> None:
    health, metrics = free_address(), free_address()
    environment = {
        "PATH": os.environ["PATH"], "BATON_HOME": str(tmp_path),
        "TEMPORAL_ADDRESS": temporal_server.address, "DATABASE_URL": database_url,
        "BATON_DB_SCHEMA": schema, "BATON_TASK_QUEUE": task_queue, "BATON_LOG_FORMAT": "json",
        "BATON_HEALTH_ADDRESS": health, "BATON_METRICS_ADDRESS": metrics,
    }
    worker = await asyncio.create_subprocess_exec(
        BATON, "worker", env=environment, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    try:
        async with httpx.AsyncClient() as http:
            await until_ready(http, f"http://{health}{READINESS_PATH}", worker)
            alive = await http.get(f"http://{health}{LIVENESS_PATH}")
            scraped = await http.get(f"http://{metrics}/metrics")
    finally:
        if worker.returncode is None:
            worker.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(worker.communicate(), 30)
        print(stderr.decode())  # pytest shows it when the test fails

    assert alive.status_code == 200
    assert f'task_queue="{task_queue}"' in scraped.text  # the worker's own pollers report
    assert worker.returncode == 0
    records = [json.loads(line) for line in stderr.decode().splitlines() if line.startswith("{")]
    assert {"worker started", "worker stopping"} <= {record["event"] for record in records}
