"""Personal tokens: the operator issues, lists and revokes them; doors authenticate with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from app.errors import not_found
from app.identity import Grant, Identity, grants_named
from domain.envelope import AuthMethod, Provenance
from domain.spec import ActorId
from store.tokens import TOKEN_PREFIX, TokenRecord, TokenStore

# The issuer recorded in the provenance of what a personal token's holder does.
TOKEN_ISSUER = "baton"


class _Result(BaseModel):
    model_config = ConfigDict(frozen=True)


class IssuedToken(_Result):
    id: str
    token: str  # shown this once; only its hash is kept
    person: str
    grants: list[Grant]
    expires_at: datetime | None


class TokenInfo(_Result):
    id: str
    person: str
    grants: list[Grant]
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    status: str  # active, expired or revoked


class _Person(BaseModel):
    person: ActorId


class Tokens:
    def __init__(self, store: TokenStore) -> None:
        self._store = store

    async def issue(self, person: str, grants: set[Grant],
                    expires_in: timedelta | None = None) -> IssuedToken:
        person = _Person(person=person).person
        expires_at = None if expires_in is None else datetime.now(UTC) + expires_in
        record, token = await self._store.issue(person, [g.value for g in grants], expires_at)
        return IssuedToken(id=record.token_id, token=token, person=record.person,
                           grants=_grants(record), expires_at=record.expires_at)

    async def list(self) -> list[TokenInfo]:
        now = datetime.now(UTC)
        return [_info(record, now) for record in await self._store.list()]

    async def still_valid(self, identity: Identity) -> bool:
        """Whether the identity still holds: one known by a personal token lasts only while the
        token does (a session opened with it outlives neither its revocation nor its expiry)."""
        provenance = identity.provenance
        if provenance.method is not AuthMethod.TOKEN or provenance.subject is None:
            return True
        record = await self._store.by_id(provenance.subject)
        return record is not None and record.valid_at(datetime.now(UTC))

    async def revoke(self, token_id: str) -> TokenInfo:
        record = await self._store.revoke(token_id)
        if record is None:
            raise not_found(f"unknown token {token_id!r}; `baton token list` shows them")
        return _info(record, datetime.now(UTC))

    async def authenticate(self, token: str) -> Identity | None:
        """The identity a token stands for; None when it is unknown, expired or revoked."""
        record = await self._store.find(token)
        if record is None or not record.valid_at(datetime.now(UTC)):
            return None
        return Identity(person=record.person, grants=frozenset(_grants(record)),
                        provenance=Provenance(method=AuthMethod.TOKEN, issuer=TOKEN_ISSUER,
                                              subject=record.token_id))


async def tokens_of(context: Context) -> Tokens:
    """The tokens of the context's store (operators: it needs the writer's database access)."""
    store = await context.store()
    return Tokens(TokenStore(store.pool, store.schema))


@use_case
async def issue_token(context: Context, person: str, grants: set[Grant],
                      expires_in: timedelta | None = None) -> IssuedToken:
    return await (await tokens_of(context)).issue(person, grants, expires_in)


@use_case
async def list_tokens(context: Context) -> list[TokenInfo]:
    return await (await tokens_of(context)).list()


@use_case
async def revoke_token(context: Context, token_id: str) -> TokenInfo:
    return await (await tokens_of(context)).revoke(token_id)


def _grants(record: TokenRecord) -> list[Grant]:
    return sorted(grants_named(record.grants))


def _info(record: TokenRecord, now: datetime) -> TokenInfo:
    status = ("revoked" if record.revoked_at is not None
              else "active" if record.valid_at(now) else "expired")
    return TokenInfo(id=record.token_id, person=record.person, grants=_grants(record),
                     issued_at=record.issued_at, expires_at=record.expires_at,
                     revoked_at=record.revoked_at, status=status)


def is_personal_token(credential: str) -> bool:
    """Whether a bearer credential is one of ours rather than an identity provider's JWT."""
    return credential.startswith(TOKEN_PREFIX)
