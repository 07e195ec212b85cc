"""Who is calling: `authenticate(request) -> Identity`, and the FastAPI dependency built on it.

A request is authenticated by a bearer credential (a personal token, or a JWT from the OpenID
Connect provider) or by a browser session (`app.sessions`), whose id the signed cookie carries;
`web.pages.session` looks the session up once per request. The identity is the only source of
the actor: no handler reads an actor from the request's body or query.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request

from app.identity import Grant, Identity
from app.sessions import SessionCheck, WebSessions
from app.tokens import Tokens, is_personal_token
from web.jwt_bearer import InvalidBearer, OidcBearer
from web.problems import Problem, unauthenticated, unavailable
from web.throttle import FailureThrottle

# Of a personal token, what the throttle keys on: "baton_" and 8 of its 43 random characters.
TOKEN_PREFIX_CHARS = 14

# The session id in the signed cookie: the only thing in it that stands for a sign-in.
SESSION_ID = "sid"
# Where the request's state keeps the identity its session stands for, once looked up.
_SESSION_IDENTITY = "session_identity"


def signed_in_identity(request: Request) -> Identity | None:
    identity = getattr(request.state, _SESSION_IDENTITY, None)
    return identity if isinstance(identity, Identity) else None


def remember_signed_in(request: Request, identity: Identity | None) -> None:
    setattr(request.state, _SESSION_IDENTITY, identity)


def session_id(request: Request) -> str | None:
    # The cookie exists only where the pages (and their session middleware) are installed.
    found = (request.scope.get("session") or {}).get(SESSION_ID)
    return found if isinstance(found, str) else None


class Authenticator:
    def __init__(self, tokens: Tokens, sessions: WebSessions, oidc: OidcBearer | None,
                 throttle: FailureThrottle | None = None) -> None:
        self._tokens = tokens
        self._sessions = sessions
        self._oidc = oidc
        self._throttle = throttle or FailureThrottle()

    @property
    def oidc(self) -> OidcBearer | None:
        return self._oidc

    async def authenticate(self, request: Request) -> Identity:
        header = request.headers.get("authorization")
        if header is not None:
            _, _, credential = header.strip().partition(" ")
            return await self._throttled(request, credential.strip(), self._bearer(header))
        signed_in = signed_in_identity(request)
        if signed_in is not None:
            _refuse_cross_site(request)
            return signed_in
        raise unauthenticated("no credentials: send `Authorization: Bearer TOKEN` (a personal "
                              "token from `baton token issue`, or the identity provider's)")

    async def personal_token(self, request: Request, token: str) -> Identity | None:
        """Sign-in with a personal token, slowed down like bearer credentials: None when the
        token is not valid, Problem 429 while this address or token is held back."""
        try:
            return await self._throttled(request, token, self._personal(token))
        except Problem as refused:
            if refused.status == 401:
                return None
            raise

    async def _personal(self, token: str) -> Identity:
        identity = await self._tokens.authenticate(token) if is_personal_token(token) else None
        if identity is None:
            raise unauthenticated("the token is unknown, expired or revoked")
        return identity

    async def _throttled(self, request: Request, credential: str,
                         checking: Coroutine[Any, Any, Identity]) -> Identity:
        """`checking`, unless too many failures from this address, or with a token of this
        prefix, hold it back (it is then never run, so a guess is not even tried)."""
        keys = _throttle_keys(request, credential)
        wait = self._throttle.retry_after(keys)
        if wait is not None:
            checking.close()
            raise Problem(429, f"too many failed authentications: try again in {wait} s",
                          headers={"Retry-After": str(wait)})
        try:
            return await checking
        except Problem as refused:
            if refused.status == 401:
                self._throttle.failed(keys)
            raise

    async def _bearer(self, header: str) -> Identity:
        scheme, _, credential = header.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise unauthenticated("the Authorization header must be `Bearer TOKEN`")
        if is_personal_token(credential):
            return await self._personal(credential)
        if self._oidc is None:
            raise unauthenticated("not a personal token, and no identity provider is "
                                  "configured (BATON_OIDC_ISSUER)")
        try:
            return await self._oidc.identity(credential)
        except InvalidBearer as error:
            raise unauthenticated(str(error)) from None
        except ConnectionError as error:
            raise unavailable(str(error)) from None

    async def session(self, request: Request) -> SessionCheck:
        """Who the request's browser session stands for now (`app.sessions` decides)."""
        sid = session_id(request)
        if sid is None:
            return SessionCheck()
        ask = None if self._oidc is None else self._oidc.still_vouches
        return await self._sessions.current(sid, ask)

    async def still_authenticated(self, request: Request) -> bool:
        """Whether the credential a request came with is still valid (a long-lived stream asks
        again and again): the same bearer credential, or the same browser session."""
        header = request.headers.get("authorization")
        if header is None:
            return (await self.session(request)).identity is not None
        try:
            await self._bearer(header)
        except Problem as refused:
            return refused.status != 401
        return True


def _throttle_keys(request: Request, credential: str) -> list[str]:
    """The client's address (as the proxy reports it, `--proxy-headers`), and for a personal
    token its prefix: enough to tell tokens apart, never enough to use one. JWTs all begin
    alike, so only the address counts for them."""
    keys = [f"address:{request.client.host if request.client else 'unknown'}"]
    if is_personal_token(credential):
        keys.append(f"token:{credential[:TOKEN_PREFIX_CHARS]}")
    return keys


def _refuse_cross_site(request: Request) -> None:
    """A cookie goes along with requests other sites make a browser send: a change asked for
    from another origin is refused (bearer credentials are never sent by a browser on its own)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise Problem(403, f"a signed-in change must come from this site, not {origin}")


async def authenticate(request: Request) -> Identity:
    authenticator: Authenticator = request.app.state.authenticator
    identity = await authenticator.authenticate(request)
    request.state.person = identity.person  # for the access log; never the credential
    return identity


Authenticated = Annotated[Identity, Depends(authenticate)]


def require_grant(identity: Identity, grant: Grant, what: str) -> None:
    if not identity.has(grant):
        raise Problem(403, f"{identity.person} cannot {what}: it needs the {grant.value} grant")
