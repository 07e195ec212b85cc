"""Browser sessions live in the database: a cookie kept after sign-out signs no one in, the
credential behind a session ends it, and every replica sharing the database and the session
secret honours the same sessions."""

from __future__ import annotations

import base64
import json
import secrets

import httpx
from temporalio.client import Client

from bench.web_bench import sign_in_with_token
from devstack.embedded_temporal import EmbeddedTemporal
from web.config import WebConfig
from web.pages.session import COOKIE

from .conftest import OidcProvider, WebStack
from .sessions import form_token, replica, session_rows, sign_in_with_provider


async def test_a_cookie_replayed_after_sign_out_signs_no_one_in(web: WebStack) -> None:
    issued = await web.tokens.issue("kept@acme.example", set())
    async with web.client() as browser:
        await sign_in_with_token(browser, issued.token)
        kept = browser.cookies[COOKIE]
        assert (await browser.get("/api/v1/me")).status_code == 200
        signed_out = await browser.post("/signout", data={"csrf": await form_token(browser)})
        assert signed_out.status_code == 303
    async with web.client() as replayer:
        replayer.cookies.set(COOKIE, kept)
        assert (await replayer.get("/api/v1/me")).status_code == 401
        page = await replayer.get("/")
    assert page.status_code == 303 and page.headers["location"].startswith("/signin")
    (row,) = [r for r in await session_rows(web) if r["token_id"] == issued.id]
    assert row["ended_at"] is not None and row["ended_why"] == "signed out"
    assert row["auth_method"] == "token" and row["person"] == "kept@acme.example"
    assert kept not in repr(row)  # only a hash of the id is kept


async def test_the_cookie_carries_the_session_id_alone(web: WebStack) -> None:
    issued = await web.tokens.issue("cookie@acme.example", set())
    async with web.client() as browser:
        await sign_in_with_token(browser, issued.token)
        cookie = browser.cookies[COOKIE]
    payload = cookie.split(".")[0]
    content = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(content) == {"sid"}


async def test_a_session_holds_on_every_replica_and_ends_on_all(
    web: WebStack, temporal_client: Client, temporal_server: EmbeddedTemporal,
) -> None:
    config = WebConfig(session_secret=secrets.token_urlsafe(32))
    issued = await web.tokens.issue("roams@acme.example", set())
    async with (replica(web, temporal_client, temporal_server, config) as one,
                replica(web, temporal_client, temporal_server, config) as two,
                httpx.AsyncClient(base_url=one, timeout=30) as first,
                httpx.AsyncClient(base_url=two, timeout=30) as second):
        await sign_in_with_token(first, issued.token)
        second.cookies.set(COOKIE, first.cookies[COOKIE])
        assert (await second.get("/api/v1/me")).json()["person"] == "roams@acme.example"
        await first.post("/signout", data={"csrf": await form_token(first)})
        assert (await second.get("/api/v1/me")).status_code == 401


async def test_an_expired_session_ends(web: WebStack) -> None:
    issued = await web.tokens.issue("late@acme.example", set())
    async with web.client() as browser:
        await sign_in_with_token(browser, issued.token)
        await web.store.pool.execute(
            f"UPDATE {web.store.schema}.web_sessions SET expires_at = now() "
            "WHERE token_id = $1", issued.id)
        assert (await browser.get("/api/v1/me")).status_code == 401


async def test_a_provider_session_ends_when_the_provider_stops_vouching(
    web: WebStack, oidc: OidcProvider
) -> None:
    person = "vouched@acme.example"
    await oidc.http.put(f"{oidc.issuer}/users/{person}",
                        json={"email": person, "email_verified": True})
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as browser:
        back = await sign_in_with_provider(browser, oidc, person)
        assert back.status_code == 303, back.text
        (row,) = [r for r in await session_rows(web) if r["person"] == person]
        # No longer than the provider's token (an hour, as this provider issues them).
        assert (row["expires_at"] - row["created_at"]).total_seconds() <= 3600 + 60
        assert row["auth_method"] == "oidc" and row["token_id"] is None

        async def due_for_recheck() -> None:
            await web.store.pool.execute(
                f"UPDATE {web.store.schema}.web_sessions SET checked_at = now() - "
                "interval '1 hour' WHERE person = $1", person)

        await due_for_recheck()
        assert (await browser.get("/api/v1/me")).status_code == 200  # asked, and it vouches
        await oidc.http.post(f"{oidc.issuer}/users/{person}/revoke-tokens")
        assert (await browser.get("/api/v1/me")).status_code == 200  # not due yet
        await due_for_recheck()
        assert (await browser.get("/api/v1/me")).status_code == 401
        signin = await browser.get("/signin")
    assert "sign-in has ended" in signin.text


async def test_sign_out_from_the_provider_flow_is_a_post_with_the_form_token(
    web: WebStack, oidc: OidcProvider
) -> None:
    person = "leaves@acme.example"
    await oidc.http.put(f"{oidc.issuer}/users/{person}",
                        json={"email": person, "email_verified": True})
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as browser:
        await sign_in_with_provider(browser, oidc, person)
        assert (await browser.get("/auth/logout")).status_code == 405
        forged = await browser.post("/auth/logout", data={"csrf": "0" * 64})
        assert forged.status_code == 403
        assert (await browser.post("/auth/logout")).status_code == 403
        assert (await browser.get("/api/v1/me")).status_code == 200  # still signed in
        out = await browser.post("/auth/logout", data={"csrf": await form_token(browser)})
        assert out.status_code == 303
        assert (await browser.get("/api/v1/me")).status_code == 401
