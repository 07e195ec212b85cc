"""Verifying a large store on several processes, all reading one snapshot.

Recomputing hashes and folding events is CPU work that one Python process does on one core, so
a store of millions of events is split into parts, each verified by a process of its own. The
parent exports its snapshot (`pg_export_snapshot`) and every part imports it, so the parts
together see exactly what one scan would have seen. The parent keeps its transaction open
meanwhile: that keeps the snapshot importable, and lets it re-read, in the very same snapshot,
the few streams whose location needs Temporal's histories (the processes do not talk to it).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import asyncpg

from store import EventStore, configure_connection
from store.models import Connection

from .collector import paced_for_scanning
from .findings import Witnessed
from .scan import streams_in_snapshot
from .verify import VerifiedStream, Witnesses, verify_stored

PARTS_PER_PROCESS = 4  # smaller parts even out the load, and report progress more often
_SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")


@dataclass(frozen=True)
class Part:
    dsn: str
    schema: str
    snapshot: str
    stream_ids: Sequence[str]
    witnessed: dict[str, Witnessed]


def verify_part(part: Part) -> list[VerifiedStream]:
    """In a worker process: the part's streams, against the witnesses the parent asked."""
    with paced_for_scanning():
        return asyncio.run(_verify_part(part))


async def _verify_part(part: Part) -> list[VerifiedStream]:
    if not _SNAPSHOT_ID.match(part.snapshot):
        raise ValueError(f"not a snapshot id: {part.snapshot!r}")
    connection = await asyncpg.connect(part.dsn)
    try:
        await configure_connection(connection)
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            await connection.execute(f"SET TRANSACTION SNAPSHOT '{part.snapshot}'")
            return [await verify_stored(stored, part.witnessed.get(stored.stream_id), None)
                    async for stored in streams_in_snapshot(
                        connection, part.schema, part.stream_ids)]
    finally:
        await connection.close()


async def verify_in_processes(
    store: EventStore,
    dsn: str,
    processes: int,
    ids: Sequence[str],
    witnessed: dict[str, Witnessed],
    witnesses: Witnesses | None,
    on_verified: Callable[[VerifiedStream], None],
) -> list[VerifiedStream]:
    size = max(1, -(-len(ids) // (processes * PARTS_PER_PROCESS)))
    chunks = [ids[start:start + size] for start in range(0, len(ids), size)]
    # Spawned, not forked: the parent may hold Temporal's runtime threads and asyncio state.
    context = multiprocessing.get_context("spawn")
    loop = asyncio.get_running_loop()
    async with store.pool.acquire() as connection, connection.transaction(
            isolation="repeatable_read", readonly=True):
        snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            pending = [loop.run_in_executor(pool, verify_part, Part(
                dsn, store.schema, snapshot, chunk,
                {iid: witnessed[iid] for iid in chunk if iid in witnessed})) for chunk in chunks]
            for done in asyncio.as_completed(pending):
                for verified in await done:
                    on_verified(verified)
            parts = [await part for part in pending]
        found = [verified for part in parts for verified in part]
        if witnesses is not None:
            found = await _locate_rewrites(connection, store.schema, found, witnessed, witnesses)
    return found


async def _locate_rewrites(
    connection: Connection, schema: str, found: list[VerifiedStream],
    witnessed: dict[str, Witnessed], witnesses: Witnesses,
) -> list[VerifiedStream]:
    """Verify again, with Temporal's help, the streams whose chain holds but disagrees with a
    witness (see `verify_stored`)."""
    again = [v.audit.stream_id for v in found if not v.ok and v.audit.chain.broken_version is None]
    if not again:
        return found
    located = {stored.stream_id: await verify_stored(stored, witnessed.get(stored.stream_id),
                                                     witnesses)
               async for stored in streams_in_snapshot(connection, schema, again)}
    return [located.get(v.audit.stream_id, v) for v in found]
