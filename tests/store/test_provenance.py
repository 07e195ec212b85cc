"""How an actor was authenticated travels with the event, inside the hash, and only when known."""

from __future__ import annotations

import pytest

from domain.envelope import AuthMethod, Provenance
from store import EventStore, canonical_encoding
from store.errors import IdempotencyConflict

from .builders import event

VIA_OIDC = Provenance(method=AuthMethod.OIDC, issuer="http://localhost:9400", subject="u-17")


def test_an_event_without_provenance_encodes_as_before() -> None:
    plain = event("s", 1)
    assert b"provenance" not in canonical_encoding(plain)


def test_provenance_is_covered_by_the_encoding() -> None:
    plain = event("s", 1)
    stamped = plain.model_copy(update={"provenance": VIA_OIDC})
    encoding = canonical_encoding(stamped)
    assert encoding.endswith(
        b',"provenance":{"issuer":"http://localhost:9400","method":"oidc","subject":"u-17"},'
        b'"schema_version":1,"sequence":1,"type":"MilestoneRecorded"}'
    )
    assert canonical_encoding(plain) != encoding


async def test_provenance_is_stored_read_back_and_verified(store: EventStore) -> None:
    token = Provenance(method=AuthMethod.TOKEN, issuer="baton", subject="tok-1")
    first = event("s", 1).model_copy(update={"provenance": token})
    await store.append("s", 0, [first, event("s", 2)])
    stored = await store.read_stream("s")
    assert [r.event.provenance for r in stored] == [token, None]
    assert stored[0].event == first
    assert (await store.verify_stream("s")).ok
    followed = await store.read_all(0, 10)
    assert followed[0].event.provenance == token


async def test_a_retry_with_other_provenance_is_not_the_same_append(store: EventStore) -> None:
    original = event("s", 1).model_copy(update={"provenance": VIA_OIDC})
    await store.append("s", 0, [original])
    assert (await store.append("s", 0, [original])).already_recorded
    forged = original.model_copy(
        update={"provenance": Provenance(method=AuthMethod.OPERATOR)})
    with pytest.raises(IdempotencyConflict):
        await store.append("s", 0, [forged])
