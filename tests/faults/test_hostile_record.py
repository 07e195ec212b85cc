"""The record against someone who may read it, or reach behind it: an auditor who tries to stall
the writers, a head row rewritten to take the blame off a forged chain, a stream deleted whole,
secrets in a DSN's query string, and local state left readable by a careless umask."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
from pathlib import Path

import asyncpg
import pytest

from audit.digest import check_digest, take_digest
from store import EventStore
from store.dsn import redact_dsn
from store.errors import StreamDisagreement
from tests.auditor_login import auditor_dsn
from tests.cli.runner import Baton
from tests.store.builders import events
from tests.store.conftest import store as store_of_its_own
from tests.store.test_head_disagreement import owner_rewrites

__all__ = ["auditor_dsn", "store_of_its_own"]  # fixtures: imported to be found, not called


async def test_an_auditor_who_takes_every_lock_it_can_stalls_no_writer(
    store_of_its_own: EventStore, auditor_dsn: str
) -> None:
    store, schema = store_of_its_own, store_of_its_own.schema
    auditor = await asyncpg.connect(auditor_dsn)
    try:
        async with auditor.transaction(isolation="serializable", readonly=True):
            for attempt in (
                "SELECT pg_advisory_lock(1650553967, '{s}.events'::regclass::oid::integer)",
                "SELECT pg_advisory_xact_lock(1650553967, '{s}.events'::regclass::oid::integer)",
                "SELECT pg_advisory_lock(k) FROM generate_series(1, 64) AS k",
                "LOCK TABLE {s}.events, {s}.streams, {s}.stream_flags IN ACCESS SHARE MODE",
                "SELECT count(*) FROM {s}.events",
            ):
                await auditor.execute(attempt.format(s=schema))

            async def writer(number: int) -> None:
                stream_id = f"w-{number}"
                for version in range(10):
                    await store.append(stream_id, version, events(stream_id, version, 1))

            await asyncio.wait_for(asyncio.gather(*(writer(n) for n in range(8))), timeout=20)
    finally:
        await auditor.close()
    assert await store.pool.fetchval(f"SELECT count(*) FROM {schema}.events") == 80


async def test_a_head_row_moved_to_a_forged_chain_end_is_refused_and_flagged(
    store_of_its_own: EventStore, admin: asyncpg.Connection
) -> None:
    """The forger moves the head row on to a hash of their own, hoping the next honest append
    chains onto it and takes the blame. It is refused, and the stream flagged, every time."""
    store, s = store_of_its_own, store_of_its_own.schema
    await store.append("victim", 0, events("victim", 0, 3))
    await admin.execute(f"UPDATE {s}.streams SET version = 4, head_hash = repeat('b', 64)")
    for version in (3, 4, 4):
        with pytest.raises(StreamDisagreement, match="head row says version 4"):
            await EventStore(store.pool, s).append("victim", version, events("victim", version, 1))
    assert await admin.fetchval(f"SELECT count(*) FROM {s}.events") == 3
    assert await admin.fetchval(f"SELECT stream_id FROM {s}.stream_flags") == "victim"


async def test_a_stream_deleted_whole_behind_the_store_is_caught_by_the_digest(
    store_of_its_own: EventStore, admin: asyncpg.Connection
) -> None:
    store, s = store_of_its_own, store_of_its_own.schema
    for stream_id in ("kept", "erased"):
        await store.append(stream_id, 0, events(stream_id, 0, 2))
    digest = await take_digest(store)
    await owner_rewrites(admin, f"{s}.events", "events_are_append_only",
                         f"DELETE FROM {s}.events WHERE stream_id = 'erased'")
    await owner_rewrites(admin, f"{s}.streams", "streams_are_not_deleted",
                         f"DELETE FROM {s}.streams WHERE stream_id = 'erased'")
    assert [(f.stream_id, f.version) for f in await check_digest(store, digest)] == [
        ("erased", None)]


@pytest.mark.parametrize("dsn", [
    "postgresql://baton@db.example/baton?password=hunter2",
    "postgresql://baton@db.example/baton?sslmode=require&password=hunter2&sslpassword=hunter2",
    "postgresql://baton:hunter2@db.example/baton?Password=hunter2",
    "postgresql://baton:hunter2@db.example:5432/baton?application_name=x&PGPASSWORD=hunter2",
    "postgresql://baton:hunter2@db.example/baton?password=hunter2#password=hunter2",
    "host=db.example user=baton password=hunter2 dbname=baton",
    "host=db.example password = 'hunter2 with spaces' dbname=baton",
])
def test_no_password_survives_redaction(dsn: str) -> None:
    shown = redact_dsn(dsn)
    assert "hunter2" not in shown
    assert "db.example" in shown


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.servers  # `baton up`, servers and all
async def test_local_state_is_private_whatever_the_umask(tmp_path: Path) -> None:
    home = tmp_path / "home"
    baton = Baton(BATON_HOME=str(home), BATON_TEMPORAL_PORT=str(_free_port()),
                  BATON_UI_PORT=str(_free_port()), BATON_LOG_LEVEL="WARNING")
    careless = os.umask(0)  # the user's shell: everything world-writable
    try:
        started = await baton("up", "--detach")
    finally:
        os.umask(careless)
    try:
        assert started.code == 0, started.stderr
        exposed = []
        for path in [home, *home.rglob("*")]:
            mode = path.lstat().st_mode
            bits = stat.S_IMODE(mode)
            # Run as root, the embedded PostgreSQL's own user must pass through BATON_HOME.
            allowed = {0o700, 0o711} if path == home and os.geteuid() == 0 else {0o700}
            if (stat.S_ISDIR(mode) and bits not in allowed) or (
                    stat.S_ISREG(mode) and bits & 0o077):
                exposed.append(f"{path} {stat.S_IMODE(mode):o}")
        assert not exposed, "\n".join(exposed)
    finally:
        assert (await baton("down")).code == 0
