"""A digest of every stream's head: the auditor's own witness of which streams the store holds.

The hash chain and the head rows live in the database, so whoever can rewrite the database can
delete a whole stream, events and head row, and leave nothing that says it was ever there. A
digest taken now and kept by the auditor, outside the database (QLDB's digests play this part),
names every stream with its version and head hash; checking the store against it later finds a
stream that is gone, cut short, or rewritten at or before the version the digest saw. Streams
that grew since are fine: the digest's head must still be in their chain, at its version.

The file is JSON; its `digest` is the SHA-256 of the rest in canonical form, so the file cannot
be edited unnoticed either, and the one line of hex is what an auditor can keep elsewhere too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.formatting import when
from store import EventStore
from store.canonical_json import encode_json
from store.migrations import quote_schema
from store.models import Connection

FORMAT = "baton-digest/1"


class DigestError(ValueError):
    """A digest cannot be taken, or a file is not a digest this code can trust."""


@dataclass(frozen=True, slots=True)
class DigestedHead:
    stream_id: str
    version: int
    head_hash: str


@dataclass(frozen=True, slots=True)
class Digest:
    schema: str
    taken_at: datetime
    heads: tuple[DigestedHead, ...]

    @property
    def digest(self) -> str:
        return hashlib.sha256(encode_json(self._body())).hexdigest()

    def _body(self) -> dict[str, Any]:
        return {"format": FORMAT, "schema": self.schema, "taken_at": self.taken_at.isoformat(),
                "streams": [[h.stream_id, h.version, h.head_hash] for h in self.heads]}

    def to_json(self) -> str:
        return json.dumps({**self._body(), "digest": self.digest}, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Digest:
        """The digest a file holds; DigestError when it is not one, or was edited."""
        try:
            body = json.loads(text)
            if body.get("format") != FORMAT:
                raise DigestError(f"not a Baton digest (format {body.get('format')!r}, "
                                  f"expected {FORMAT!r})")
            digest = cls(str(body["schema"]), datetime.fromisoformat(body["taken_at"]),
                         tuple(DigestedHead(str(s), int(v), str(h)) for s, v, h in body["streams"]))
            claimed = body["digest"]
        except DigestError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise DigestError(f"not a Baton digest: {error}") from None
        if claimed != digest.digest:
            raise DigestError("the digest file was altered: its content does not hash to its "
                              "`digest`")
        return digest


@dataclass(frozen=True, slots=True)
class DigestFinding:
    """A stream the store no longer holds as the digest saw it."""

    stream_id: str
    version: int | None  # the first version not as the digest saw it; None: the whole stream
    reason: str


# Every head row beside its stream's last event, in one snapshot.
_HEADS = """
SELECT coalesce(h.stream_id, l.stream_id) AS stream_id, h.version, h.head_hash,
       l.version AS last_version, l.hash AS last_hash
  FROM {s}.streams AS h
  FULL JOIN (SELECT DISTINCT ON (stream_id) stream_id, version, hash FROM {s}.events
              ORDER BY stream_id, version DESC) AS l ON l.stream_id = h.stream_id
 ORDER BY 1
"""

# What the store holds today at each version a digest recorded.
_AT_DIGEST = """
SELECT d.stream_id, d.version, e.hash,
       EXISTS (SELECT FROM {s}.events AS x WHERE x.stream_id = d.stream_id)
       OR EXISTS (SELECT FROM {s}.streams AS y WHERE y.stream_id = d.stream_id) AS known
  FROM unnest($1::text[], $2::integer[]) AS d (stream_id, version)
  LEFT JOIN {s}.events AS e ON e.stream_id = d.stream_id AND e.version = d.version
"""


async def take_digest(store: EventStore) -> Digest:
    """Every stream's head, from one snapshot. Refused while a head row disagrees with its
    stream's last event: that stream must be verified first, and a digest must not vouch for
    either side."""
    s = quote_schema(store.schema)
    async with store.pool.acquire() as connection, connection.transaction(
            isolation="repeatable_read", readonly=True):
        taken_at = await connection.fetchval("SELECT now()")
        rows = await connection.fetch(_HEADS.format(s=s))
    disagreeing = [row["stream_id"] for row in rows
                   if (row["version"], row["head_hash"]) != (row["last_version"],
                                                             row["last_hash"])]
    if disagreeing:
        shown = ", ".join(disagreeing[:5]) + (" ..." if len(disagreeing) > 5 else "")
        raise DigestError(f"{len(disagreeing)} stream(s) whose head row disagrees with their "
                          f"last event: {shown}; run `baton audit verify` on them first")
    return Digest(store.schema, taken_at.astimezone(UTC),
                  tuple(DigestedHead(r["stream_id"], r["version"], r["head_hash"])
                        for r in rows if r["version"]))


async def check_digest(store: EventStore, digest: Digest) -> list[DigestFinding]:
    """Each stream of `digest` that the store no longer holds as the digest saw it."""
    if digest.schema != store.schema:
        raise DigestError(f"the digest is of schema {digest.schema!r}, not {store.schema!r}")
    heads = {head.stream_id: head for head in digest.heads}
    connection: Connection
    async with store.pool.acquire() as connection:
        rows = await connection.fetch(_AT_DIGEST.format(s=quote_schema(store.schema)),
                                      list(heads), [head.version for head in heads.values()])
    seen = f"the digest of {when(digest.taken_at, seconds=True)}"
    findings = []
    for row in sorted(rows, key=lambda row: row["stream_id"]):
        head = heads[row["stream_id"]]
        if not row["known"]:
            findings.append(DigestFinding(head.stream_id, None, (
                f"the whole stream is gone: {seen} records it at version {head.version}")))
        elif row["hash"] is None:
            findings.append(DigestFinding(head.stream_id, head.version, (
                f"version {head.version} is missing: {seen} records the stream up to it")))
        elif row["hash"] != head.head_hash:
            findings.append(DigestFinding(head.stream_id, None, (
                f"version {head.version} has another hash than {seen} records: the chain was "
                f"rewritten at or before version {head.version}")))
    return findings
