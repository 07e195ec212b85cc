"""`baton audit verify --all` over a store of many initiatives: one process or several, the same
verdicts, with progress on stderr."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bench.synthetic_streams import initiative_ids, lifecycle, load
from store import EventStore

from .conftest import AuditStack, tamper

INITIATIVES, EVENTS = 300, 20


@pytest.fixture
async def many(database_url: str, admin: asyncpg.Connection) -> AsyncIterator[EventStore]:
    """Initiatives written straight into a schema of their own: no workflow behind them."""
    schema = f"audit_many_{uuid.uuid4().hex[:8]}"
    async with await EventStore.connect(database_url, schema=schema) as store:
        await load(admin, schema, list(initiative_ids(0, INITIATIVES)), lifecycle(EVENTS))
        yield store
        await store.drop_schema()


async def test_every_initiative_is_verified_and_the_altered_one_named(
    audit_stack: AuditStack, admin: asyncpg.Connection, many: EventStore
) -> None:
    altered = "initiative-0000123"
    await tamper(admin, many.schema, f"DELETE FROM {many.schema}.events "
                                     f"WHERE stream_id = '{altered}' AND version = 7")
    baton = audit_stack.baton.with_env(BATON_DB_SCHEMA=many.schema)

    # Several processes, asking Temporal too: it knows none of these, which is no failure.
    parallel = await baton("audit", "verify", "--all", "--jobs", "2", "--json")
    assert parallel.code == 1, parallel.stderr
    assert len(parallel.json) == INITIATIVES
    assert [(e["id"], e["broken_version"]) for e in parallel.json if not e["ok"]] == [
        (altered, 7)]
    assert {e["workflow"] for e in parallel.json} == {None}
    assert "Temporal no longer holds the workflow" in parallel.json[0]["workflow_note"]
    assert f"verified {INITIATIVES} initiatives, 1 altered" in parallel.stderr

    alone = await baton("verify", "--all", "--store-only")
    assert alone.code == 1
    assert f"{altered}  " in alone.stdout and "ALTERED at version 7" in alone.stdout
    assert f"{INITIATIVES} initiatives, 1 altered" in alone.stdout
