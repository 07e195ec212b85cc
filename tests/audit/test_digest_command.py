"""`baton audit digest` and `baton audit verify --all --digest FILE`: the auditor keeps the digest,
and a stream deleted whole behind the store is named, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg

from .conftest import AuditStack, tamper


async def test_a_stream_deleted_whole_after_the_digest_is_named(
    audit_stack: AuditStack, admin: asyncpg.Connection, tmp_path: Path
) -> None:
    kept, erased = await audit_stack.recorded(), await audit_stack.recorded()
    digest = tmp_path / "digest.json"
    taken = await audit_stack.baton("audit", "digest", "-o", str(digest))
    assert taken.code == 0, taken.stderr
    assert "keep it" in taken.stderr
    streams = {s for s, _, _ in json.loads(digest.read_text())["streams"]}
    assert {kept, erased} <= streams

    verify = ("audit", "verify", "--all", "--store-only", "--digest", str(digest))
    assert (await audit_stack.baton(*verify)).code == 0
    s = audit_stack.store.schema
    await tamper(admin, s, f"DELETE FROM {s}.events WHERE stream_id = '{erased}'",
                 f"DELETE FROM {s}.streams WHERE stream_id = '{erased}'",
                 f"DELETE FROM {s}.portfolio_initiatives WHERE initiative_id = '{erased}'")

    plain = await audit_stack.baton("audit", "verify", "--all", "--store-only")
    assert plain.code == 0, "without the digest, nothing says the stream was there"
    found = await audit_stack.baton(*verify)
    assert found.code == 1, found.stdout + found.stderr
    assert f"{erased}: the whole stream is gone" in found.stdout
    as_json = await audit_stack.baton(*verify, "--json")
    [finding] = as_json.json["digest"]["findings"]
    assert (finding["id"], finding["version"]) == (erased, None)


async def test_a_digest_file_is_taken_at_its_word_only_when_it_is_one(
    audit_stack: AuditStack, tmp_path: Path
) -> None:
    digest = tmp_path / "digest.json"
    assert (await audit_stack.baton("audit", "digest", "-o", str(digest))).code == 0
    edited = tmp_path / "edited.json"
    edited.write_text(digest.read_text().replace('"streams": [', '"streams": [["x", 1, "'
                                                  + "a" * 64 + '"],'))
    for args, line in (
        (("--all", "--digest", str(edited)), "the digest file was altered"),
        (("--all", "--digest", str(tmp_path / "none.json")), "cannot read it"),
        (("some-id", "--digest", str(digest)), "use it with --all"),
    ):
        refused = await audit_stack.baton("audit", "verify", "--store-only", *args)
        assert refused.code == 2, refused.stderr
        assert line in refused.error_line
