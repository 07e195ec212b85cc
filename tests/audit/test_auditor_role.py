"""The migrations create a read-only auditor role; a login in it can audit and cannot write."""

from __future__ import annotations

import socket

import asyncpg
import pytest

from audit import replay, verify_streams
from store import EventStore
from tests.auditor_login import auditor_dsn
from tests.store.builders import events

from .conftest import AuditStack

__all__ = ["auditor_dsn"]  # a fixture: imported to be found, not called


async def test_the_migrations_grant_the_auditor_role_select_only(
    audit_stack: AuditStack, admin: asyncpg.Connection
) -> None:
    schema = audit_stack.store.schema
    for table in ("events", "streams", "portfolio_initiatives"):
        rights = await admin.fetchrow(
            "SELECT has_table_privilege('baton_auditor', $1, 'SELECT') AS reads, "
            "has_table_privilege('baton_auditor', $1, 'INSERT, UPDATE, DELETE, TRUNCATE') "
            "AS writes", f"{schema}.{table}")
        assert rights is not None
        assert (rights["reads"], rights["writes"]) == (True, False), table


async def test_an_auditor_login_audits_but_cannot_write(
    audit_stack: AuditStack, auditor_dsn: str
) -> None:
    iid = await audit_stack.recorded()
    schema = audit_stack.store.schema
    async with await EventStore.connect(auditor_dsn, schema=schema, migrate=False) as auditor:
        [verified] = await verify_streams(auditor, [iid], audit_stack.witnesses)
        assert verified.ok and verified.version == 10
        assert (await replay(auditor, iid, to_version=4)).state.version == 4
        for statement in (
            f"INSERT INTO {schema}.events (event_id, stream_id, version, type, schema_version, "
            "actor, occurred_at, payload, prev_hash, hash) SELECT gen_random_uuid(), stream_id, "
            f"version + 100, type, schema_version, actor, occurred_at, payload, prev_hash, hash "
            f"FROM {schema}.events LIMIT 1",
            f"UPDATE {schema}.streams SET version = version + 1",
            f"DELETE FROM {schema}.portfolio_initiatives",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await auditor.pool.execute(statement)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await auditor.append("forged", 0, events("forged", 0, 1))

    # The CLI audits through BATON_AUDIT_DATABASE_URL alone: the main database is out of reach.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    auditor_cli = audit_stack.baton.with_env(
        BATON_AUDIT_DATABASE_URL=auditor_dsn,
        DATABASE_URL=f"postgresql://nobody@127.0.0.1:{closed}/none")
    assert (await auditor_cli("audit", "verify", iid)).code == 0
    assert (await auditor_cli("audit", "replay", iid, "--version", "3")).code == 0
