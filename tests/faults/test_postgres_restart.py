"""PostgreSQL stopped and started again while initiatives record: the appends retry until it is
back, nothing is lost or recorded twice, and the portfolio read model agrees with the store."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client

from devstack.embedded_postgres import EmbeddedPostgres, ensure_embedded_postgres
from domain import commands as c
from store import EventStore
from tests.domain.builders import PMO, SPONSOR
from tests.workflows.scenario import quick_spec
from workers.settings import Settings
from workers.worker import build_worker
from workflows.client import InitiativeClient

from .chaos import events_recorded
from .integrity import check_integrity, read_model_disagreements
from .lifecycles import Ledger, ideas_adopted

INITIATIVES = 8
OUTAGE_SECONDS = 1.5
IDEAS, IDEAS_RECORD = ideas_adopted(20)  # enough work that the outage lands amid it
COMMANDS = (c.ApproveLaunch(actor=SPONSOR), *IDEAS, c.Cancel(actor=PMO, reason="done here"))
RECORD = IDEAS_RECORD + Counter({"InitiativeLaunched": 1, "LaunchApproved": 1, "Cancelled": 1})


@pytest.fixture
async def postgres(tmp_path: Path) -> AsyncIterator[EmbeddedPostgres]:
    """A server of this test's own: stopping the session's would break every other test."""
    server = await asyncio.to_thread(ensure_embedded_postgres, tmp_path / "postgres")
    yield server
    await asyncio.to_thread(server.stop)


@pytest.fixture
async def store(postgres: EmbeddedPostgres) -> AsyncIterator[EventStore]:
    async with await EventStore.connect(postgres.dsn, schema="baton") as event_store:
        yield event_store


async def test_appends_wait_out_a_postgres_restart(
    postgres: EmbeddedPostgres, store: EventStore, temporal_client: Client,
    initiatives: InitiativeClient, task_queue: str, chance: random.Random,
) -> None:
    worker = build_worker(temporal_client, store, Settings.from_env({}), task_queue=task_queue)
    ledger = Ledger()
    async with worker:
        spec = quick_spec()
        lives = asyncio.gather(*(ledger.run_lifecycle(initiatives, spec, COMMANDS)
                                 for _ in range(INITIATIVES)))
        await events_recorded(store, at_least=chance.randint(INITIATIVES, 3 * INITIATIVES))
        # pg_ctl blocks; off the event loop, the worker in this process goes on meanwhile.
        await asyncio.to_thread(postgres.stop)
        await asyncio.sleep(OUTAGE_SECONDS)
        restarted = await asyncio.to_thread(ensure_embedded_postgres, postgres.data_dir)
        assert restarted.dsn == postgres.dsn
        async with asyncio.timeout(60):
            await lives

    integrity = await check_integrity(store, ledger, RECORD)
    assert integrity.ok, integrity
    assert await read_model_disagreements(store) == []
    # Some command was in flight while the server was down, and was recorded once it was back.
    assert max(ledger.latencies_ms) > OUTAGE_SECONDS * 1000
