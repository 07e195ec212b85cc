"""`baton web` in a process of its own, as the manifests run it (`deploy/`): the HTTP benchmarks
time the door a client reaches, not a server sharing the benchmark's own interpreter."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from devstack.ports import free_port

from .serving import until_serving

READY_TIMEOUT = 60.0


@asynccontextmanager
async def web_process(home: Path, **environment: str) -> AsyncIterator[str]:
    """The base URL of a `baton web` started with `environment` (TEMPORAL_ADDRESS,
    DATABASE_URL, BATON_DB_SCHEMA, BATON_TASK_QUEUE...); stopped as Kubernetes stops a pod."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BATON_HOME": str(home), "BATON_WEB_HOST": "127.0.0.1",
           "BATON_WEB_PORT": str(port), "BATON_PUBLIC_URL": url,
           # As the load run's worker: a server logging every request would time its logging.
           "BATON_LOG_LEVEL": "WARNING", "BATON_SESSION_SECRET": secrets.token_hex(32),
           **environment}
    log = (home / "web.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "workers.baton", "web"], env=env,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        await _ready(process, f"{url}/readyz", home / "web.log")
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


async def _ready(process: subprocess.Popen[bytes], probe: str, log: Path) -> None:
    async with httpx.AsyncClient(timeout=2) as http:
        if await until_serving(http, probe, lambda: process.poll() is None, READY_TIMEOUT, 0.2):
            return
    if process.poll() is not None:
        raise RuntimeError(f"baton web exited while starting: {log.read_text()[-2000:]}")
    raise TimeoutError(f"baton web did not answer {probe} in {READY_TIMEOUT:g} s")
