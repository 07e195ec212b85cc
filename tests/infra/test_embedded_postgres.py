from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg
import psutil
import pytest

from devstack.embedded_postgres import ensure_embedded_postgres
from workers.composition import database_url
from workers.settings import Settings

START_AND_EXIT = """
import sys
from pathlib import Path
from devstack.embedded_postgres import ensure_embedded_postgres
print(ensure_embedded_postgres(Path(sys.argv[1])).pid)
"""


def has_exited(pid: int) -> bool:
    # pg_ctl detaches the postmaster, so whichever process adopted it reaps it; until then
    # a stopped server lingers as a zombie.
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


async def test_database_url_fixture_accepts_connections(database_url: str) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        assert await connection.fetchval("select 1") == 1
    finally:
        await connection.close()


@pytest.mark.servers  # starts a server of its own
def test_server_outlives_the_process_that_started_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "postgres"
    started = subprocess.run(
        [sys.executable, "-c", START_AND_EXIT, str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    pid_from_the_exited_process = int(started.stdout.strip())

    server = ensure_embedded_postgres(data_dir)
    try:
        assert server.reused
        assert server.pid == pid_from_the_exited_process
        assert ensure_embedded_postgres(data_dir).pid == server.pid
    finally:
        server.stop()
    assert has_exited(server.pid)


def test_database_url_prefers_the_environment() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql://baton@db.internal/baton"})

    assert database_url(settings) == "postgresql://baton@db.internal/baton"
