"""An empty, fully migrated store for each test, from a database migrated once per session.

Running every migration for every test's store costs tens of milliseconds each, hundreds of times
over. Instead the session migrates one template database, and each test gets a copy of it
(`CREATE DATABASE ... TEMPLATE`, a file-level copy that takes a few milliseconds), dropped after
the test. A copy holds the store in TEMPLATE_SCHEMA, with the migrations' records in its
schema_migrations, so connecting a store to it migrates nothing.

Where the role may not create databases (a DATABASE_URL given by the environment, say), each test
gets a schema of its own in the shared database instead, migrated when its store connects, as
before. Tests of the migrations themselves create schemas of their own and migrate from scratch.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from store import EventStore
from store.migrations import quote_schema

TEMPLATE_SCHEMA = "baton"


@dataclass(frozen=True)
class FreshDatabase:
    """Where one test's store lives: `EventStore.connect(dsn, schema=schema)` opens it."""

    dsn: str
    schema: str


def in_database(dsn: str, database: str) -> str:
    """`dsn` naming `database` instead of its own, on the same server as the same role."""
    return urlunsplit(urlsplit(dsn)._replace(path=f"/{database}"))


class StoreTemplate:
    """Hands out fresh databases, copies of a template migrated once (or, without the right to
    create databases, fresh schemas in the shared one)."""

    def __init__(self, admin: asyncpg.Connection, database_url: str, template: str | None):
        self._admin = admin
        self._database_url = database_url
        self._template = template

    @asynccontextmanager
    async def fresh(self, prefix: str) -> AsyncIterator[FreshDatabase]:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        if self._template is None:
            try:
                yield FreshDatabase(self._database_url, name)
            finally:
                await self._admin.execute(f"DROP SCHEMA IF EXISTS {quote_schema(name)} CASCADE")
            return
        await self._admin.execute(f"CREATE DATABASE {name} TEMPLATE {self._template}")
        try:
            yield FreshDatabase(in_database(self._database_url, name), TEMPLATE_SCHEMA)
        finally:
            await self._admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@asynccontextmanager
async def store_template(database_url: str) -> AsyncIterator[StoreTemplate]:
    """A template database with the store migrated into it, for the life of the block."""
    admin = await asyncpg.connect(database_url)
    template = f"baton_template_{uuid.uuid4().hex[:12]}"
    try:
        if "://" not in database_url or not await admin.fetchval(
                "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user"):
            yield StoreTemplate(admin, database_url, None)
            return
        await admin.execute(f"CREATE DATABASE {template}")
        try:
            # Closed again at once: a database is copied only while nobody is connected to it.
            async with await EventStore.connect(in_database(database_url, template),
                                                schema=TEMPLATE_SCHEMA):
                pass
            yield StoreTemplate(admin, database_url, template)
        finally:
            await admin.execute(f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")
    finally:
        await admin.close()
