"""The pages' cookie, the browser session it points to, and the CSRF token of every form.

The cookie is Starlette's signed session (`request.session`). What stands for a sign-in in it is
only a random session id (`web.auth.SESSION_ID`); who that session is, and whether it still
holds, is kept server-side (`app.sessions`), so a cookie replayed after sign-out signs no one
in. Beside the id the cookie carries at most a message for the next page, the id of a draft
kept while signing in again, and, during a sign-in with the identity provider, its state.
HttpOnly and SameSite=Lax always, Secure whenever the request came over https. The CSRF token
is an HMAC of the session id: it changes whenever the id does (at sign-in and sign-out).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import structlog
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.identity import Identity
from app.sessions import WebSessions
from web.auth import (
    SESSION_ID,
    Authenticator,
    remember_signed_in,
    session_id,
    signed_in_identity,
)
from web.problems import response, unavailable

_log = structlog.get_logger("baton.web")
COOKIE = "baton_session"
# The cookie outlives no session (sessions last 12 hours at most); the store decides the rest.
MAX_AGE_SECONDS = 12 * 3600
_FLASH, _DRAFT = "flash", "draft"


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
    """Looks the cookie's session up once per request, inside `PageSessions` (which read the
    cookie): the identity for pages and API alike, the person for the access log, and a message
    for the next page when the session ended just now (its token revoked, its provider no
    longer vouching)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and SESSION_ID in scope.get("session", {}):
            request = Request(scope)
            authenticator: Authenticator = request.app.state.authenticator
            try:
                check = await authenticator.session(request)
            except Exception as error:
                # The store cannot say who this is now: refused as unavailable (never taken as
                # signed in, nor as signed out, which would lose the session's form).
                _log.warning("session not looked up", error=type(error).__name__,
                             request_id=getattr(request.state, "request_id", None))
                await response(unavailable("sessions cannot be looked up right now"))(
                    scope, receive, send)
                return
            remember_signed_in(request, check.identity)
            if check.identity is not None:
                request.state.person = check.identity.person  # for the access log
            if check.ended is not None:
                flash(request, check.ended)
        await self._app(scope, receive, send)


class Csrf:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"baton-csrf\x00" + secret.encode()).digest()

    def token(self, request: Request) -> str:
        sid = request.session.setdefault(SESSION_ID, secrets.token_urlsafe(32))
        return hmac.new(self._key, str(sid).encode(), hashlib.sha256).hexdigest()

    def ok(self, request: Request, submitted: object) -> bool:
        sid = request.session.get(SESSION_ID)
        return isinstance(submitted, str) and isinstance(sid, str) and hmac.compare_digest(
            hmac.new(self._key, sid.encode(), hashlib.sha256).hexdigest(), submitted)


def identity_of(request: Request) -> Identity | None:
    return signed_in_identity(request)


def _sessions(request: Request) -> WebSessions:
    sessions: WebSessions = request.app.state.services.sessions
    return sessions


async def sign_in(request: Request, identity: Identity, *,
                  provider_expires_at: datetime | None = None,
                  provider_access_token: str | None = None) -> None:
    """A new session, and a fresh cookie naming it: nothing from before the sign-in carries
    over but a draft kept for this person to finish, so a session planted before is worthless."""
    sid = await _sessions(request).open(identity, provider_expires_at=provider_expires_at,
                                        provider_access_token=provider_access_token)
    draft = request.session.get(_DRAFT)
    request.session.clear()
    request.session[SESSION_ID] = sid
    if isinstance(draft, str):
        request.session[_DRAFT] = draft
    remember_signed_in(request, identity)


async def sign_out(request: Request) -> None:
    sid = session_id(request)
    if sid is not None:
        await _sessions(request).end(sid)
    request.session.clear()
    remember_signed_in(request, None)


async def keep_draft(request: Request, page: str, fields: Mapping[str, Sequence[str]]) -> None:
    """What a form held when its session had ended, kept server-side for `page` (its GET
    address) until the person signs in again."""
    request.session[_DRAFT] = await _sessions(request).keep_draft(page, fields)


async def take_draft(request: Request, page: str) -> dict[str, list[str]]:
    """The fields kept for `page`, once: an empty form from then on."""
    draft_id = request.session.get(_DRAFT)
    if not isinstance(draft_id, str):
        return {}
    fields = await _sessions(request).take_draft(draft_id, page)
    if fields is None:
        return {}
    request.session.pop(_DRAFT, None)
    return fields


def flash(request: Request, message: str) -> None:
    request.session[_FLASH] = message


def take_flash(request: Request) -> str | None:
    message = request.session.pop(_FLASH, None)
    return message if isinstance(message, str) else None
