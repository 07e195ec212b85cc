"""A digest of every stream's head, kept by the auditor, shows streams deleted whole, cut short
or rewritten after it was taken; an edited digest file is refused."""

from __future__ import annotations

import asyncpg
import pytest

from audit.digest import Digest, DigestError, check_digest, take_digest
from store import EventStore
from tests.store.builders import events
from tests.store.conftest import store
from tests.store.test_head_disagreement import owner_rewrites

__all__ = ["store"]  # a fixture: imported to be found, not called


async def three_streams(store: EventStore) -> Digest:
    for stream_id, count in (("a", 3), ("b", 2), ("c", 4)):
        await store.append(stream_id, 0, events(stream_id, 0, count))
    digest = await take_digest(store)
    assert [(h.stream_id, h.version) for h in digest.heads] == [("a", 3), ("b", 2), ("c", 4)]
    return Digest.from_json(digest.to_json())  # as the auditor reads it back from the file


async def test_an_untouched_store_that_grew_agrees_with_its_digest(store: EventStore) -> None:
    digest = await three_streams(store)
    await store.append("a", 3, events("a", 3, 2))
    await store.append("d", 0, events("d", 0, 1))
    assert await check_digest(store, digest) == []


async def test_a_stream_deleted_whole_is_found(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    digest = await three_streams(store)
    s = store.schema
    await owner_rewrites(admin, f"{s}.events", "events_are_append_only",
                         f"DELETE FROM {s}.events WHERE stream_id = 'b'")
    await owner_rewrites(admin, f"{s}.streams", "streams_are_not_deleted",
                         f"DELETE FROM {s}.streams WHERE stream_id = 'b'")
    [finding] = await check_digest(store, digest)
    assert (finding.stream_id, finding.version) == ("b", None)
    assert finding.reason.startswith("the whole stream is gone: the digest of ")
    assert finding.reason.endswith("records it at version 2")


async def test_a_stream_cut_short_or_rewritten_is_found(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    digest = await three_streams(store)
    s = store.schema
    await owner_rewrites(admin, f"{s}.events", "events_are_append_only",
                         f"DELETE FROM {s}.events WHERE stream_id = 'c' AND version > 2")
    await owner_rewrites(admin, f"{s}.events", "events_are_append_only",
                         f"UPDATE {s}.events SET hash = repeat('d', 64) "
                         "WHERE stream_id = 'a' AND version = 3")
    found = {f.stream_id: f for f in await check_digest(store, digest)}
    assert sorted(found) == ["a", "c"]
    assert found["c"].version == 4 and "version 4 is missing" in found["c"].reason
    assert "rewritten at or before version 3" in found["a"].reason


async def test_no_digest_vouches_for_a_head_row_its_events_contradict(
    store: EventStore, admin: asyncpg.Connection
) -> None:
    await three_streams(store)
    await admin.execute(f"UPDATE {store.schema}.streams SET version = 9 WHERE stream_id = 'a'")
    with pytest.raises(DigestError, match=r"1 stream.* disagrees with their last event: a;"):
        await take_digest(store)


@pytest.mark.parametrize("edit", [
    lambda text: text.replace('"b",\n   2', '"b",\n   1'),
    lambda text: text.replace('"c"', '"x"'),
    lambda text: text.replace("baton-digest/1", "baton-digest/9"),
    lambda text: text[:-20],
])
async def test_an_edited_digest_file_is_refused(store: EventStore, edit: object) -> None:
    text = (await three_streams(store)).to_json()
    edited = edit(text)  # type: ignore[operator]
    assert edited != text
    with pytest.raises(DigestError):
        Digest.from_json(edited)
