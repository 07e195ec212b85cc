"""The pages' session and the CSRF token every state-changing form carries.

The session is Starlette's signed cookie (`request.session`), shared with the API's
authentication, which finds the signed-in identity under `SESSION_IDENTITY`. It holds who
signed in and how (never a token), a random session id, and at most one message for the next
page. It is signed, not encrypted: nothing in it is secret from the person it belongs to.
HttpOnly and SameSite=Lax always, Secure whenever the request came over https. The CSRF token
is an HMAC of the session id: no server-side storage, and it changes whenever the id does (at
sign-in and sign-out).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import structlog
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.identity import Identity
from app.tokens import Tokens
from web.auth import SESSION_IDENTITY

_log = structlog.get_logger("baton.web")
COOKIE = "baton_session"
MAX_AGE_SECONDS = 12 * 3600
_SID, _FLASH = "sid", "flash"


class PageSessions:
    """Starlette's session middleware, with the Secure flag decided per request: a proxy that
    terminates TLS says so in the scheme uvicorn reports (`--proxy-headers`)."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        options: dict[str, Any] = {"secret_key": secret, "session_cookie": COOKIE,
                                   "max_age": MAX_AGE_SECONDS, "same_site": "lax"}
        self._plain = SessionMiddleware(app, https_only=False, **options)
        self._secure = SessionMiddleware(app, https_only=True, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self._secure if scope.get("scheme") in ("https", "wss") else self._plain
        await chosen(scope, receive, send)


class SignedInSessions:
    """Reads the session's identity once per request, inside `PageSessions` (which opened the
    session): names the person for the access log, and ends a session whose personal token has
    been revoked or has expired since sign-in, on its very next request, pages and API alike."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and SESSION_IDENTITY in scope.get("session", {}):
            request = Request(scope)
            identity = identity_of(request)
            if identity is not None and not await _still_valid(request, identity):
                sign_out(request)
                flash(request, "Your token has been revoked or has expired: sign in again.")
            elif identity is not None:
                request.state.person = identity.person  # for the access log
        await self._app(scope, receive, send)


async def _still_valid(request: Request, identity: Identity) -> bool:
    tokens: Tokens = request.app.state.services.tokens
    try:
        return await tokens.still_valid(identity)
    except Exception as error:
        # The store cannot say now: the session stands, and whatever the request needs of the
        # store answers that it is unavailable, with a page or problem of its own.
        _log.warning("session token not checked", error=type(error).__name__,
                     request_id=getattr(request.state, "request_id", None))
        return True


class Csrf:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"baton-csrf\x00" + secret.encode()).digest()

    def token(self, request: Request) -> str:
        sid = request.session.setdefault(_SID, secrets.token_urlsafe(18))
        return hmac.new(self._key, str(sid).encode(), hashlib.sha256).hexdigest()

    def ok(self, request: Request, submitted: object) -> bool:
        sid = request.session.get(_SID)
        return isinstance(submitted, str) and isinstance(sid, str) and hmac.compare_digest(
            hmac.new(self._key, sid.encode(), hashlib.sha256).hexdigest(), submitted)


def identity_of(request: Request) -> Identity | None:
    data = request.session.get(SESSION_IDENTITY)
    if data is None:
        return None
    try:
        return Identity.model_validate(data)
    except ValueError:
        request.session.pop(SESSION_IDENTITY, None)
        return None


def sign_in(request: Request, identity: Identity) -> None:
    """A fresh session id at sign-in, so a session planted before it is worth nothing after."""
    request.session.clear()
    request.session[_SID] = secrets.token_urlsafe(18)
    request.session[SESSION_IDENTITY] = identity.model_dump(mode="json")


def sign_out(request: Request) -> None:
    request.session.clear()


def flash(request: Request, message: str) -> None:
    request.session[_FLASH] = message


def take_flash(request: Request) -> str | None:
    message = request.session.pop(_FLASH, None)
    return message if isinstance(message, str) else None
