"""A browser session: named in the access log, and lasting only while its personal token does."""

from __future__ import annotations

from structlog.testing import capture_logs

from bench.web_bench import sign_in_with_token

from .conftest import WebStack


async def test_revoking_a_token_ends_the_sessions_it_opened(web: WebStack) -> None:
    issued = await web.tokens.issue("clerk@acme.example", set())
    async with web.client() as http:
        await sign_in_with_token(http, issued.token)
        with capture_logs() as logs:
            assert (await http.get("/")).status_code == 200
        (entry,) = [e for e in logs if e.get("event") == "request" and e.get("path") == "/"]
        assert entry["person"] == "clerk@acme.example"
        assert issued.token not in repr(logs)
        me = await http.get("/api/v1/me")
        assert (me.status_code, me.json()["person"]) == (200, "clerk@acme.example")

        await web.tokens.revoke(issued.id)
        page = await http.get("/")
        assert page.status_code == 303 and page.headers["location"].startswith("/signin")
        signin = await http.get(page.headers["location"])
        assert "Your token has been revoked or has expired" in signin.text
        assert (await http.get("/api/v1/me")).status_code == 401


async def test_a_session_outlives_no_token_but_its_own(web: WebStack) -> None:
    mine = await web.tokens.issue("owner@acme.example", set())
    other = await web.tokens.issue("owner@acme.example", set())
    async with web.client() as http:
        await sign_in_with_token(http, mine.token)
        await web.tokens.revoke(other.id)
        assert (await http.get("/")).status_code == 200
        assert (await http.get("/api/v1/me")).status_code == 200
