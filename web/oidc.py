"""Browser sign-in with OpenID Connect: authorization code with PKCE, through Authlib.

    GET /auth/login?next=/somewhere   redirects to the provider
    GET /auth/callback                 the provider sends the browser back here with a code
    POST /auth/logout                  ends the session (a form with the page's CSRF token)

The callback exchanges the code (with the PKCE verifier Authlib kept in the session), checks the
ID token with the same PyJWT validation as API bearer tokens (audience: the client id), and
opens a server-side session that lasts no longer than the provider's token; the provider's
access token stays with the session, server-side, so that the session can ask the provider
again whether it still vouches (`app.sessions`). The cookie itself, and the pages, belong to the
pages; this module only opens and closes sessions.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import Any

# Authlib turns its own deprecation warnings on for everyone ("always", when authlib.deprecate is
# first imported) and then, on import, warns that it found httpx rather than its successor httpx2:
# a note for code that uses Authlib, printed on every start of every process that imports this,
# where an operator reads it as a fault. Silenced for that import alone, after Authlib's filter.
import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401
from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse

from web.config import OidcConfig
from web.jwt_bearer import InvalidBearer, OidcBearer
from web.pages.base import MAX_FORM_FIELDS, local_path
from web.pages.session import Csrf, sign_in, sign_out
from web.problems import Problem, unauthenticated, unavailable

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="The httpx module is deprecated",
                            category=DeprecationWarning)
    from authlib.integrations.starlette_client import (  # type: ignore[import-untyped]
        OAuth,
        OAuthError,
    )

PROVIDER = "baton"
SCOPES = "openid email profile"


class OidcLogin:
    def __init__(self, config: OidcConfig, bearer: OidcBearer, public_url: str | None) -> None:
        self._config = config
        self._bearer = bearer
        self._public_url = public_url.rstrip("/") if public_url else None
        client_kwargs = {"scope": SCOPES, "code_challenge_method": "S256"}
        if not config.client_secret:  # a public client: PKCE is its only proof
            client_kwargs["token_endpoint_auth_method"] = "none"
        self._oauth = OAuth()
        self._oauth.register(
            PROVIDER, client_id=config.client_id, client_secret=config.client_secret,
            server_metadata_url=config.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs=client_kwargs)

    @property
    def _client(self) -> Any:
        return self._oauth.create_client(PROVIDER)

    def _callback_url(self, request: Request) -> str:
        if self._public_url:
            return f"{self._public_url}/auth/callback"
        return str(request.url_for("oidc_callback"))

    async def login(self, request: Request, next_path: str | None) -> RedirectResponse:
        request.session["after_sign_in"] = local_path(next_path)
        try:
            redirect: RedirectResponse = await self._client.authorize_redirect(
                request, self._callback_url(request))
        except OSError as error:
            raise unavailable(f"the identity provider did not answer: {error}") from None
        return redirect

    async def callback(self, request: Request) -> RedirectResponse:
        try:
            token = await self._client.authorize_access_token(request)
        except OAuthError as error:
            raise unauthenticated(f"sign-in failed: {error.description or error.error}") from None
        except OSError as error:
            raise unavailable(f"the identity provider did not answer: {error}") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise unauthenticated("sign-in failed: the provider sent no ID token")
        try:
            claims = await self._bearer.verified_claims(id_token,
                                                        audience=self._config.client_id)
            identity = self._bearer.identity_from_claims(claims)
        except InvalidBearer as error:
            raise unauthenticated(f"sign-in failed: {error}") from None
        except ConnectionError as error:
            raise unavailable(str(error)) from None
        target = local_path(request.session.pop("after_sign_in", None))
        access_token = token.get("access_token")
        await sign_in(request, identity,
                      provider_expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
                      provider_access_token=access_token if isinstance(access_token, str)
                      else None)
        return RedirectResponse(target, status_code=303)


router = APIRouter(prefix="/auth", include_in_schema=False)


def _login(request: Request) -> OidcLogin:
    login: OidcLogin | None = getattr(request.app.state, "oidc_login", None)
    if login is None:
        raise unauthenticated("sign-in is not configured (BATON_OIDC_ISSUER, "
                              "BATON_OIDC_CLIENT_ID)")
    return login


@router.get("/login")
async def login(request: Request, next: str | None = None) -> RedirectResponse:
    return await _login(request).login(request, next)


@router.get("/callback", name="oidc_callback")
async def callback(request: Request) -> RedirectResponse:
    return await _login(request).callback(request)


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    """A form's post with this session's CSRF token: another site cannot sign anyone out."""
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
    csrf: Csrf = request.app.state.csrf
    if not csrf.ok(request, form.get("csrf")):
        raise Problem(403, "sign-out must come from a page of this site, with its form token")
    await sign_out(request)
    return RedirectResponse("/", status_code=303)
