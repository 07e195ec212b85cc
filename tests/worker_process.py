"""`python -m workers` as processes of their own, as an operator runs them, for tests that kill
workers and for the soak run that watches their memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from bench.serving import until_serving
from workers.health import READINESS_PATH

STARTUP_TIMEOUT = 30.0


def free_loopback_address() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


class WorkerProcess:
    """One worker process; its output goes to a log file, kept for reading after a failure."""

    def __init__(self, environment: dict[str, str], log_path: Path) -> None:
        # Each worker answers probes on a port of its own, so a test can tell when this one
        # (not a sibling) polls its task queue.
        self.health_address = free_loopback_address()
        self.log_path = log_path
        with log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "workers"], stdout=log, stderr=subprocess.STDOUT,
                env={**environment, "BATON_HEALTH_ADDRESS": self.health_address})

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    async def ready(self, timeout: float = STARTUP_TIMEOUT) -> WorkerProcess:
        """Returns once the worker polls its task queue."""
        url = f"http://{self.health_address}{READINESS_PATH}"
        async with httpx.AsyncClient(timeout=2.0) as http:
            if await until_serving(http, url, lambda: self.running, timeout):
                return self
        assert self.running, f"worker exited early; see {self.log_path}"
        raise AssertionError(f"worker not ready after {timeout:.0f} s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, in-flight tasks and local activities are cut off."""
        if self.running:
            self._process.kill()
        self._process.wait()

    def rss_mb(self) -> float:
        return psutil.Process(self.pid).memory_info().rss / 2**20


class WorkerProcesses:
    """Starts workers that share one environment (task queue, schema, servers)."""

    def __init__(self, environment: dict[str, str], log_dir: Path) -> None:
        self.environment = environment
        self._log_dir = log_dir
        self.started: list[WorkerProcess] = []

    def start(self) -> WorkerProcess:
        log_path = self._log_dir / f"worker-{len(self.started) + 1}.log"
        process = WorkerProcess(self.environment, log_path)
        self.started.append(process)
        return process

    async def start_ready(self) -> WorkerProcess:
        return await self.start().ready()

    def kill_all(self) -> None:
        for process in self.started:
            process.kill()


@contextmanager
def worker_processes(*, temporal_address: str, database_url: str, schema: str, task_queue: str,
                     home: Path, **extra: str) -> Iterator[WorkerProcesses]:
    """Workers for one task queue and schema; whatever is still running is killed at the end."""
    environment = {**os.environ, "TEMPORAL_ADDRESS": temporal_address,
                   "DATABASE_URL": database_url, "BATON_DB_SCHEMA": schema,
                   "BATON_TASK_QUEUE": task_queue, "BATON_HOME": str(home),
                   "BATON_LOG_FORMAT": "json",
                   # Tests serve metric sources on loopback, which a worker refuses by default.
                   "BATON_METRIC_SOURCE_HOSTS": "127.0.0.1", **extra}
    workers = WorkerProcesses(environment, home)
    try:
        yield workers
    finally:
        workers.kill_all()
