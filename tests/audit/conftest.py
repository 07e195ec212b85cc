"""One store and one worker for the audit tests, and a hand to tamper with what they recorded.

Tampering goes where an attacker with the database owner's rights would: behind the store, with
raw SQL, after switching the append-only triggers off (which is itself visible in the catalog;
the tests switch them back on in the same transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from temporalio.client import Client

from audit.witnesses import TemporalWitnesses
from devstack.embedded_temporal import EmbeddedTemporal
from domain import commands as c
from store import EventStore
from tests.cli.runner import Baton
from tests.domain.builders import OWNER
from tests.workflows.scenario import hand_over, quick_spec
from workers.settings import Settings
from workers.worker import build_worker
from workflows.client import InitiativeClient

# No timer falls due while a test runs, so nothing appends behind a test's back.
CALM = {"expert_on_call": "30d",
        "sustainment": {"checks": ["30d", "60d"], "tolerance": 0.8, "response_within": "10d"}}


@dataclass(frozen=True)
class AuditStack:
    store: EventStore
    initiatives: InitiativeClient
    witnesses: TemporalWitnesses
    temporal_client: Client
    task_queue: str
    baton: Baton  # the installed `baton`, pointed at this store and task queue

    @property
    def events_table(self) -> str:
        return f"{self.store.schema}.events"

    async def recorded(self) -> str:
        """An initiative handed over, with three readings between checks: 10 events, one per
        append (ideas would go to the pull stream)."""
        iid = await hand_over(self.store, self.initiatives, quick_spec(**CALM))
        for value in (5.0, 5.1, 5.2):
            await self.initiatives.send(iid, c.RecordReading(actor=OWNER, value=value))
        return iid


@pytest.fixture(scope="module")
async def audit_stack(
    database_url: str, temporal_client: Client, temporal_server: EmbeddedTemporal,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[AuditStack]:
    schema, queue = f"audit_{uuid.uuid4().hex[:12]}", f"audit-{uuid.uuid4().hex[:12]}"
    store = await EventStore.connect(database_url, schema=schema)
    home: Path = tmp_path_factory.mktemp("audit-home")
    baton = Baton(TEMPORAL_ADDRESS=temporal_server.address, DATABASE_URL=database_url,
                  BATON_DB_SCHEMA=schema, BATON_TASK_QUEUE=queue, BATON_HOME=str(home))
    try:
        async with build_worker(temporal_client, store, Settings.from_env({}), task_queue=queue):
            yield AuditStack(store, InitiativeClient(temporal_client, queue),
                             TemporalWitnesses(temporal_client), temporal_client, queue, baton)
    finally:
        await store.drop_schema()
        await store.close()


_ENABLE = {"A": "ENABLE ALWAYS", "O": "ENABLE", "R": "ENABLE REPLICA"}


async def tamper(admin: asyncpg.Connection, schema: str, *statements: str) -> None:
    """Run `statements` with the append-only protection off, in one transaction that puts each
    trigger back as it was."""
    async with admin.transaction():
        triggers = await admin.fetch(
            "SELECT tgrelid::regclass::text AS tab, tgname, tgenabled::text FROM pg_trigger "
            "WHERE tgrelid = ANY(ARRAY[$1::regclass, $2::regclass]) AND NOT tgisinternal",
            f"{schema}.events", f"{schema}.streams")
        for trigger in triggers:
            await admin.execute(f"ALTER TABLE {trigger['tab']} DISABLE TRIGGER "
                                f"{trigger['tgname']}")
        for statement in statements:
            await admin.execute(statement)
        for trigger in triggers:
            await admin.execute(f"ALTER TABLE {trigger['tab']} "
                                f"{_ENABLE[trigger['tgenabled']]} TRIGGER {trigger['tgname']}")
