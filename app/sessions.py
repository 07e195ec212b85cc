"""Browser sessions: opened at sign-in, ended at sign-out, and judged on every request.

A session lives in the store, not in the browser: the cookie carries a random id and nothing
else that signs anyone in, so a cookie kept after sign-out, or after its credential stopped
being valid, is worth nothing. Whether a live session still holds is decided here alone: one
opened with a personal token lasts while the token does; one opened through the identity
provider lasts no longer than the provider's token, and every `OIDC_RECHECK` the provider is
asked again whether it still vouches for the person.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.identity import Identity, grants_named
from app.tokens import Tokens
from domain.envelope import AuthMethod, Provenance
from store.web_sessions import Draft, NewSession, SessionRecord, WebSessionStore

SESSION_LIFETIME = timedelta(hours=12)
OIDC_RECHECK = timedelta(minutes=5)
TOKEN_ENDED = "Your token has been revoked or has expired: sign in again."
PROVIDER_ENDED = "Your organisation's sign-in has ended: sign in again."
SIGNED_OUT = "signed out"

# Asks the identity provider about an access token: True while it vouches, False once it does
# not, None when it cannot be asked now (the session then stands until the next request).
AskProvider = Callable[[str], Awaitable[bool | None]]


@dataclass(frozen=True)
class SessionCheck:
    identity: Identity | None = None
    ended: str | None = None  # why a session that was live until this request has ended


class WebSessions:
    def __init__(self, store: WebSessionStore, tokens: Tokens,
                 recheck_every: timedelta = OIDC_RECHECK) -> None:
        self._store = store
        self._tokens = tokens
        self._recheck_every = recheck_every

    async def open(self, identity: Identity, *, provider_expires_at: datetime | None = None,
                   provider_access_token: str | None = None) -> str:
        """A new session for `identity`; returns its id, for the cookie alone."""
        session_id = secrets.token_urlsafe(32)
        expires_at = datetime.now(UTC) + SESSION_LIFETIME
        if provider_expires_at is not None:
            expires_at = min(expires_at, provider_expires_at)
        provenance = identity.provenance
        token_id = provenance.subject if provenance.method is AuthMethod.TOKEN else None
        await self._store.open(session_id, NewSession(
            person=identity.person, grants=tuple(sorted(identity.grants)),
            auth_method=provenance.method.value, auth_issuer=provenance.issuer,
            auth_subject=provenance.subject, token_id=token_id,
            idp_access_token=provider_access_token, expires_at=expires_at))
        return session_id

    async def current(self, session_id: str, ask_provider: AskProvider | None) -> SessionCheck:
        """Who the session stands for now; a session found no longer valid is ended."""
        record = await self._store.live(session_id)
        if record is None:
            return SessionCheck()
        identity = _identity(record)
        why = await self._why_over(session_id, record, identity, ask_provider)
        if why is not None:
            await self._store.end(session_id, why)
            return SessionCheck(ended=why)
        return SessionCheck(identity=identity)

    async def _why_over(self, session_id: str, record: SessionRecord, identity: Identity,
                        ask_provider: AskProvider | None) -> str | None:
        if not await self._tokens.still_valid(identity):
            return TOKEN_ENDED
        if identity.provenance.method is not AuthMethod.OIDC or ask_provider is None:
            return None
        if datetime.now(UTC) - record.checked_at < self._recheck_every:
            return None
        if record.idp_access_token is None:
            return PROVIDER_ENDED
        vouched = await ask_provider(record.idp_access_token)
        if vouched is False:
            return PROVIDER_ENDED
        if vouched:
            await self._store.checked(session_id)
        return None

    async def end(self, session_id: str) -> None:
        await self._store.end(session_id, SIGNED_OUT)

    async def keep_draft(self, page: str, fields: Mapping[str, Sequence[str]]) -> str:
        """Keeps what a form held for `page`; returns the draft's id, for the cookie."""
        draft_id = secrets.token_urlsafe(32)
        await self._store.keep_draft(draft_id, Draft(page, {k: list(v) for k, v in
                                                            fields.items()}))
        return draft_id

    async def take_draft(self, draft_id: str, page: str) -> dict[str, list[str]] | None:
        draft = await self._store.take_draft(draft_id, page)
        return None if draft is None else draft.fields


def _identity(record: SessionRecord) -> Identity:
    return Identity(person=record.person, grants=grants_named(record.grants),
                    provenance=Provenance(method=AuthMethod(record.auth_method),
                                          issuer=record.auth_issuer,
                                          subject=record.auth_subject))
