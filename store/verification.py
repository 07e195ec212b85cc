"""Recomputing a stream's hash chain from stored data. Pure: the store and auditors feed it rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

import orjson

from .chain import (
    ENVELOPE_ONLY,
    GENESIS_HASH,
    WITH_RECORDED_AT,
    chain_hash,
    encode_stored,
    provenance_of,
    stored_event_encoding,
)
from .models import ChainVerification, RecordedEvent, StreamHead


class StoredLink(NamedTuple):
    """One stored event, reduced to what the chain covers.

    `encoding` is the canonical encoding recomputed from the stored content, in the row's
    `encoding_version`, or None when the stored content has none (only possible for rows written
    behind the store's back).
    """

    version: int
    prev_hash: str
    hash: str
    encoding: bytes | None
    encoding_version: int = ENVELOPE_ONLY


def links_of(events: Iterable[RecordedEvent]) -> Iterator[StoredLink]:
    """Links of events as the store returned them (read_stream, read_all)."""
    return map(link_of, events)


_new_link = tuple.__new__  # what StoredLink(...) does, without its Python-level __new__


def link_of(recorded: RecordedEvent) -> StoredLink:
    event = recorded.event
    encoding_version = recorded.encoding_version
    recorded_at = recorded.recorded_at if encoding_version == WITH_RECORDED_AT else None
    canonical = recorded.canonical_payload
    try:
        if canonical is None:
            encoding: bytes | None = stored_event_encoding(event, recorded_at)
        else:  # the reader's canonical text: the payload is not walked a second time
            encoding = encode_stored(
                event.event_id, event.initiative_id, event.sequence, event.type,
                event.schema_version, event.actor, event.occurred_at,
                orjson.Fragment(canonical), provenance_of(event), recorded_at)
    except ValueError:  # only rows written behind the store's back have no encoding
        encoding = None
    return _new_link(StoredLink, (event.sequence, recorded.prev_hash, recorded.hash, encoding,
                                  encoding_version))


def verify_chain(
    stream_id: str, links: Iterable[StoredLink], recorded_head: StreamHead | None
) -> ChainVerification:
    """Walk the chain from genesis; stop at the first version that does not hold.

    `links` must come in version order. Each link is checked for its place (versions are 1, 2, ...
    without holes), for its content (the stored hash is the hash of the recomputed encoding) and
    for its link (prev_hash is the recomputed hash of the version before), and for its encoding
    (a stream never goes back to an older one: that would uncover recorded_at again). Whatever
    the walk computes is then compared with the stream's head row.
    """
    computed = GENESIS_HASH
    checked = 0
    newest_encoding = ENVELOPE_ONLY

    def broken(version: int, reason: str) -> ChainVerification:
        return ChainVerification(stream_id, checked, computed, recorded_head, version, reason)

    for expected_version, link in enumerate(links, start=1):
        if link.version != expected_version:
            return broken(
                expected_version,
                f"version {expected_version} is missing; the next stored one is {link.version}",
            )
        if link.encoding is None or link.encoding_version not in (ENVELOPE_ONLY, WITH_RECORDED_AT):
            return broken(link.version, "stored content has no canonical encoding")
        if link.encoding_version < newest_encoding:
            return broken(link.version, f"its hash is of encoding {link.encoding_version}, older "
                                        f"than the encoding {newest_encoding} before it")
        newest_encoding = link.encoding_version
        if link.prev_hash != computed:
            return broken(
                link.version,
                f"prev_hash does not match the recomputed hash of version {link.version - 1}: "
                f"that event or this link was rewritten",
            )
        computed = chain_hash(computed, link.encoding)
        if computed != link.hash:
            return broken(link.version, "stored content does not match its hash")
        checked += 1

    verification = ChainVerification(stream_id, checked, computed, recorded_head)
    if verification.head_matches:
        return verification
    return ChainVerification(
        stream_id, checked, computed, recorded_head, reason=_head_disagreement(verification)
    )


def _head_disagreement(verification: ChainVerification) -> str:
    head = verification.recorded_head
    if head is None:
        return f"{verification.events_checked} events are stored but the stream has no head row"
    if head.version != verification.events_checked:
        return (
            f"the head row says version {head.version} but the chain ends at version "
            f"{verification.events_checked}"
        )
    return "the head row's hash differs from the recomputed head: the chain was rewritten"
