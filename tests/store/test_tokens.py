"""Personal tokens: shown once, kept as a hash, refused once expired or revoked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from app.identity import Grant
from app.tokens import Tokens
from domain.envelope import AuthMethod
from domain.errors import Rejected
from store import EventStore
from store.tokens import TokenStore


@pytest.fixture
def tokens(store: EventStore) -> Tokens:
    return Tokens(TokenStore(store.pool, store.schema))


async def test_a_token_authenticates_its_person_with_its_grants(
    tokens: Tokens, store: EventStore
) -> None:
    issued = await tokens.issue("pmo@acme.example", {Grant.PMO})
    identity = await tokens.authenticate(issued.token)
    assert identity is not None
    assert (identity.person, identity.grants) == ("pmo@acme.example", frozenset({Grant.PMO}))
    assert identity.provenance.method is AuthMethod.TOKEN
    assert identity.provenance.subject == issued.id
    stored = await store.pool.fetchval(
        f"SELECT string_agg(token_hash, '') FROM {store.schema}.personal_tokens")
    assert issued.token not in stored


async def test_unknown_revoked_and_expired_tokens_are_refused(tokens: Tokens) -> None:
    assert await tokens.authenticate("baton_not-a-token") is None
    assert await tokens.authenticate("") is None
    revoked = await tokens.issue("owner@acme.example", set())
    assert (await tokens.revoke(revoked.id)).status == "revoked"
    assert await tokens.authenticate(revoked.token) is None
    short = await tokens.issue("owner@acme.example", set(), timedelta(milliseconds=50))
    assert await tokens.authenticate(short.token) is not None
    await asyncio.sleep(0.1)
    assert await tokens.authenticate(short.token) is None
    assert {t.id: t.status for t in await tokens.list()} == {
        revoked.id: "revoked", short.id: "expired"}


async def test_revoking_an_unknown_token_says_so(tokens: Tokens) -> None:
    with pytest.raises(Rejected, match="unknown token"):
        await tokens.revoke("tok_nope")
