"""Browser sign-in against the real provider: authorization code with PKCE, then the session."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from .conftest import OIDC_AUDITOR_GROUP, OidcProvider, WebStack
from .sessions import form_token


async def test_sign_in_by_code_with_pkce_opens_a_session(
    web: WebStack, oidc: OidcProvider
) -> None:
    await oidc.http.put(f"{oidc.issuer}/users/sam@acme.example",
                        json={"email": "sam@acme.example", "email_verified": True,
                              "groups": [OIDC_AUDITOR_GROUP]})
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as browser:
        start = await browser.get("/auth/login", params={"next": "/somewhere"})
        assert start.status_code == 302
        authorize = start.headers["location"]
        query = parse_qs(urlsplit(authorize).query)
        assert authorize.startswith(oidc.issuer)
        assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
        # The provider's form: the person signs in as themselves.
        signed = await browser.post(authorize, data={"sub": "sam@acme.example"})
        assert signed.status_code in (302, 303)
        back = await browser.get(signed.headers["location"])
        assert back.status_code == 303 and back.headers["location"] == "/somewhere"
        me = await browser.get("/api/v1/me")
        assert me.json() == {"person": "sam@acme.example", "grants": ["auditor"],
                             "authenticated_by": "oidc"}
        cross_site = await browser.post("/api/v1/me", headers={"Origin": "https://evil.example"})
        assert cross_site.status_code in (403, 405)
        await browser.post("/auth/logout", data={"csrf": await form_token(browser)})
        assert (await browser.get("/api/v1/me")).status_code == 401


async def test_a_forged_callback_is_refused(web: WebStack) -> None:
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as browser:
        answer = await browser.get("/auth/callback", params={"code": "x", "state": "y"})
    assert answer.status_code == 401
