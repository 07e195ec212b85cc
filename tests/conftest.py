"""Servers shared by the whole test session: one PostgreSQL and one Temporal dev server.

Tests isolate themselves by name instead of by server: each gets its own task queue
(`task_queue`) and should use its own workflow ids and database schema.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from hypothesis import settings
from temporalio.client import Client
from temporalio.testing import TimeSkipper

from devstack.embedded_postgres import ensure_embedded_postgres
from devstack.embedded_temporal import (
    FREE_PORT,
    TIME_SKIPPING_ARGS,
    EmbeddedTemporal,
    start_embedded_temporal,
)
from tests.auditor_login import auditor_dsn  # noqa: F401  (for every test)
from tests.installed.package import installed_baton  # noqa: F401  (one build per session)
from tests.timeouts import (  # noqa: F401  (the hooks and fixture take effect from here)
    _loop_for_timeouts,
    pytest_timeout_cancel_timer,
    pytest_timeout_set_timer,
)
from workers.settings import Settings
from workers.temporal_client import connect_client

# A test that needs one of these starts real servers (or processes of its own): it is left out
# of the fast tier, `make test-fast` (`-m "not servers"`).
SERVER_FIXTURES = frozenset({"database_url", "temporal_server", "installed_baton"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "servers: needs PostgreSQL, Temporal, a browser or processes of its own")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


# Hypothesis's per-example deadline is a timed assertion: on a shared machine it fails on load,
# not on a fault. Speed is measured by the benchmarks.
settings.register_profile("baton", deadline=None)
settings.load_profile("baton")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DATABASE_URL when the environment sets it, else a throwaway embedded PostgreSQL."""
    if configured := os.environ.get("DATABASE_URL"):
        yield configured
        return
    server = ensure_embedded_postgres(tmp_path_factory.mktemp("database") / "postgres")
    yield server.dsn
    server.stop()


@pytest.fixture(scope="session")
async def temporal_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[EmbeddedTemporal]:
    """One dev server for every test, normal and time-skipping alike.

    Time skipping (temporalio 1.35, experimental) is per workflow, not per server: the
    server is started with `--dynamic-config-value frontend.WorkflowTimeSkippingEnabled=true`
    (TIME_SKIPPING_ARGS), and a workflow's clock only moves faster when a client asks for
    it, so every other workflow keeps real time. Recipe, with the `time_skipper` fixture:

        handle = await temporal_client.start_workflow(..., task_queue=task_queue)
        await time_skipper.fast_forward(handle, timedelta(days=30))  # bounded jump
        await time_skipper.fast_forward(handle)  # or: skip until the workflow ends

    or start through `time_skipper.client`, which skips every timer as soon as the workflow
    is idle. Each fast-forward takes about a second of real time.

    `WorkflowEnvironment.start_time_skipping_v2(dev_server_existing_path=<venv>/bin/temporal,
    dev_server_extra_args=list(TIME_SKIPPING_ARGS))` does the same but starts a server of
    its own; `TimeSkipper` over the shared client avoids a second server. Without the flag
    the server answers "The Time-Skipping feature is not enabled for namespace.", so
    TEMPORAL_ADDRESS is deliberately not used here.
    """
    server = await start_embedded_temporal(
        Path(tmp_path_factory.mktemp("temporal")),
        port=FREE_PORT,
        ui_port=None,
        extra_args=TIME_SKIPPING_ARGS,
    )
    async with server:
        yield server


@pytest.fixture(scope="session")
async def temporal_client(temporal_server: EmbeddedTemporal) -> Client:
    """A client with the pydantic data converter, as the application uses."""
    return await connect_client(Settings.from_env({}), address=temporal_server.address)


@pytest.fixture
def time_skipper(temporal_client: Client) -> TimeSkipper:
    """Moves one workflow's clock at a time; see `temporal_server` for the recipe."""
    return TimeSkipper(temporal_client)


@pytest.fixture
def task_queue(request: pytest.FixtureRequest) -> str:
    """A task queue no other test polls, named after the test to ease reading server logs."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:60]
    return f"{readable}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def admin(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain connection as the database's owner, without the store's codecs, for going behind
    the store's back."""
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()
