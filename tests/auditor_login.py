"""A login in the read-only auditor role, as the README tells a DBA to create one."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest


def as_user(dsn: str, user: str, password: str) -> str:
    parts = urlsplit(dsn)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))


@pytest.fixture
async def auditor_dsn(admin: asyncpg.Connection, database_url: str) -> AsyncIterator[str]:
    """A DSN logging in as a fresh member of `baton_auditor` (which the store's migrations make:
    depend on a store fixture that migrated first)."""
    if not await admin.fetchval(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"):
        pytest.skip("creating a login role needs CREATEROLE")
    user = f"auditor_{uuid.uuid4().hex[:8]}"
    await admin.execute(f"CREATE ROLE {user} LOGIN PASSWORD 'read-only' IN ROLE baton_auditor")
    try:
        yield as_user(database_url, user, "read-only")
    finally:
        await admin.execute(f"DROP OWNED BY {user}; DROP ROLE {user}")
