"""Who is calling: `authenticate(request) -> Identity`, and the FastAPI dependency built on it.

A request is authenticated by a bearer credential (a personal token, or a JWT from the OpenID
Connect provider) or by the signed sign-in session that `web.oidc` opens. The identity is the
only source of the actor: no handler reads an actor from the request's body or query.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request

from app.identity import Grant, Identity
from app.tokens import Tokens, is_personal_token
from web.jwt_bearer import InvalidBearer, OidcBearer
from web.problems import Problem, unauthenticated, unavailable

# Where the sign-in flow keeps the identity in the (signed) session cookie.
SESSION_IDENTITY = "identity"


class Authenticator:
    def __init__(self, tokens: Tokens, oidc: OidcBearer | None) -> None:
        self._tokens = tokens
        self._oidc = oidc

    @property
    def oidc(self) -> OidcBearer | None:
        return self._oidc

    async def authenticate(self, request: Request) -> Identity:
        header = request.headers.get("authorization")
        if header is not None:
            return await self._bearer(header)
        signed_in = _session(request).get(SESSION_IDENTITY)
        if signed_in is not None:
            _refuse_cross_site(request)
            try:
                return Identity.model_validate(signed_in)
            except ValueError:
                _session(request).pop(SESSION_IDENTITY, None)
        raise unauthenticated("no credentials: send `Authorization: Bearer TOKEN` (a personal "
                              "token from `baton token issue`, or the identity provider's)")

    async def _bearer(self, header: str) -> Identity:
        scheme, _, credential = header.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise unauthenticated("the Authorization header must be `Bearer TOKEN`")
        if is_personal_token(credential):
            identity = await self._tokens.authenticate(credential)
            if identity is None:
                raise unauthenticated("the token is unknown, expired or revoked")
            return identity
        if self._oidc is None:
            raise unauthenticated("not a personal token, and no identity provider is "
                                  "configured (BATON_OIDC_ISSUER)")
        try:
            return await self._oidc.identity(credential)
        except InvalidBearer as error:
            raise unauthenticated(str(error)) from None
        except ConnectionError as error:
            raise unavailable(str(error)) from None


def _refuse_cross_site(request: Request) -> None:
    """A cookie goes along with requests other sites make a browser send: a change asked for
    from another origin is refused (bearer credentials are never sent by a browser on its own)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise Problem(403, f"a signed-in change must come from this site, not {origin}")


def _session(request: Request) -> dict[str, Any]:
    # Only present when the sign-in flow (and its session middleware) is configured.
    session: dict[str, Any] = request.scope.get("session") or {}
    return session


async def authenticate(request: Request) -> Identity:
    authenticator: Authenticator = request.app.state.authenticator
    identity = await authenticator.authenticate(request)
    request.state.person = identity.person  # for the access log; never the credential
    return identity


Authenticated = Annotated[Identity, Depends(authenticate)]


def require_grant(identity: Identity, grant: Grant, what: str) -> None:
    if not identity.has(grant):
        raise Problem(403, f"{identity.person} cannot {what}: it needs the {grant.value} grant")
