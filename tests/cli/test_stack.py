"""Running Baton: `up --detach`, `status`, `down` on a home and ports of their own; `worker`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
from pathlib import Path

import pytest

from devstack.stack_files import process_alive
from tests.domain.builders import PMO

from .conftest import Stack
from .runner import BATON, Baton


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.servers  # `baton up`, servers and all
async def test_up_detach_status_down(tmp_path: Path, spec: Path) -> None:
    home = tmp_path / "home"
    baton = Baton(BATON_HOME=str(home), BATON_TEMPORAL_PORT=str(free_port()),
                  BATON_UI_PORT=str(free_port()), BATON_WEB_PORT=str(free_port()),
                  BATON_LOG_LEVEL="WARNING")
    started = await baton("up", "--detach", "--json")
    try:
        assert started.code == 0, started.stderr
        assert (home / "up.pid").exists() and (home / "up.log").exists()
        status = await baton.ok("status", "--json")
        report = status.json
        assert report["temporal_address"] == started.json["temporal_address"]
        assert report["ui_url"].startswith("http://127.0.0.1:")
        assert report["database_url"].startswith("postgresql://")
        assert report["temporal_reachable"] and report["database_reachable"]
        assert report["workers"], "the detached worker polls the task queue"
        assert report["notices_owed"]["count"] >= 0  # the stack's schema is migrated
        assert report["web_url"] == f"http://127.0.0.1:{baton.env['BATON_WEB_PORT']}"
        assert report["web_url"] == started.json["web_url"]
        assert (await baton.ok("up", "--detach")).stderr.startswith("baton is already up")
        stack = json.loads((home / "stack.json").read_text())

        iid = (await baton.ok("launch", str(spec), actor=PMO)).stdout.strip()
        assert (await baton.ok("show", iid, "--json")).json["phase"] == "proposed"
        assert [row["id"] for row in (await baton.ok("list", "--json")).json] == [iid]
    finally:
        stopped = await baton("down")
    assert stopped.code == 0, stopped.stderr
    assert not any(process_alive(stack[key]) for key in ("pid", "temporal_pid", "postgres_pid"))
    assert not (home / "up.pid").exists() and not (home / "stack.json").exists()
    after = await baton("status", "--json")
    assert after.code == 3 and after.json["stack"]["running"] is False
    assert (await baton.ok("down")).stdout.strip() == "baton is not up"


async def test_worker_command_serves_its_queue_and_stops_on_sigterm(
        shared_stack: Stack, spec: Path) -> None:
    queue = f"own-worker-{os.getpid()}"
    own_queue = shared_stack.baton.with_env(BATON_TASK_QUEUE=queue)
    process = await asyncio.create_subprocess_exec(
        str(BATON), "worker", "--task-queue", queue, env=own_queue.env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert process.stderr is not None
        first = await asyncio.wait_for(process.stderr.readline(), 20)
        assert b"worker polling task queue" in first
        iid = await _launch_when_polled(own_queue, spec)
        assert (await own_queue.ok("show", iid, "--json")).json["version"] == 1
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 20)
    assert code == 0


async def _launch_when_polled(baton: Baton, spec: Path) -> str:
    """The worker announces itself before its first poll reaches the server."""
    for _ in range(50):
        outcome = await baton("launch", str(spec), actor=PMO)
        if outcome.code != 3:
            assert outcome.code == 0, outcome.stderr
            return outcome.stdout.strip()
        await asyncio.sleep(0.2)
    raise AssertionError("the worker never polled its task queue")
