"""A session that ends while a form is being filled in: the person signs in again and lands back
on the page that holds the form, with what they typed in it, once; never on the address the
form posts to."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx

from app.identity import Grant
from bench.web_bench import sign_in_with_token
from tests.domain.builders import CLERK, PMO, SPONSOR

from .conftest import WebStack
from .sessions import csrf_of
from .test_initiatives import launched

TYPED = "The business case rests on the volumes of 2025; send it back with those of 2026."


async def _session_ends(web: WebStack, token_id: str) -> None:
    await web.store.pool.execute(
        f"UPDATE {web.store.schema}.web_sessions SET expires_at = now() WHERE token_id = $1",
        token_id)


async def _sign_in_again(browser: httpx.AsyncClient, sent_to: str, token: str) -> str:
    """Signs in from the page the refused post led to; where the sign-in leads."""
    form = (await browser.get(sent_to)).text
    target = re.search(r'name="next" value="([^"]*)"', form)
    assert target is not None
    answer = await browser.post("/signin", data={
        "csrf": csrf_of(form), "token": token, "next": target.group(1)})
    assert answer.status_code == 303, answer.text[:300]
    return answer.headers["location"]


async def test_a_form_posted_after_the_session_ended_is_there_after_signing_in(
    web: WebStack
) -> None:
    iid = await launched(web)
    issued = await web.tokens.issue(SPONSOR, set())
    page_path = f"/initiatives/{iid}"
    async with web.client() as browser:
        await sign_in_with_token(browser, issued.token)
        page = (await browser.get(page_path)).text
        rendering = re.search(r'name="request" value="([0-9a-f]+-reject_launch)"', page)
        assert rendering is not None
        await _session_ends(web, issued.id)
        before = await web.events_of(iid)
        posted = await browser.post(f"{page_path}/actions/reject-launch", data={
            "csrf": csrf_of(page), "request": rendering.group(1), "reason": TYPED})
        assert posted.status_code == 303
        assert posted.headers["location"] == f"/signin?next={quote(page_path, safe='')}"
        assert await web.events_of(iid) == before
        landed = await _sign_in_again(browser, posted.headers["location"], issued.token)
        assert landed == page_path
        filled = await browser.get(landed)
        assert filled.status_code == 200 and TYPED in filled.text
        assert TYPED not in (await browser.get(landed)).text  # once


async def test_the_idea_form_comes_back_filled_in_on_its_own_page(web: WebStack) -> None:
    iid = await launched(web)
    issued = await web.tokens.issue(CLERK, set())
    idea_page = f"/initiatives/{iid}/ideas/new"
    async with web.client() as browser:
        await sign_in_with_token(browser, issued.token)
        page = (await browser.get(idea_page)).text
        await _session_ends(web, issued.id)
        posted = await browser.post(f"/initiatives/{iid}/actions/idea", data={
            "csrf": csrf_of(page), "return_to": "idea", "request": "r-idea",
            "text": "Pre-fill the vendor id from the purchase order"})
        assert posted.status_code == 303
        landed = await _sign_in_again(browser, posted.headers["location"], issued.token)
        assert landed == idea_page
        filled = (await browser.get(landed)).text
    assert "Pre-fill the vendor id from the purchase order</textarea>" in filled


async def test_a_spec_pasted_on_the_launch_page_survives_signing_in_again(web: WebStack) -> None:
    issued = await web.tokens.issue(PMO, {Grant.PMO})
    pasted = "name: Faster month-end close\nsponsor: cfo@acme.example\n"
    async with web.client() as browser:
        await sign_in_with_token(browser, issued.token)
        page = (await browser.get("/launch")).text
        await _session_ends(web, issued.id)
        posted = await browser.post("/launch", data={
            "csrf": csrf_of(page), "spec": pasted, "mode": "validate"})
        assert posted.status_code == 303
        landed = await _sign_in_again(browser, posted.headers["location"], issued.token)
        assert landed == "/launch"
        filled = (await browser.get(landed)).text
    assert "name: Faster month-end close" in filled


async def test_a_spec_both_pasted_and_uploaded_is_refused_keeping_the_text(
        web: WebStack) -> None:
    issued = await web.tokens.issue(PMO, {Grant.PMO})
    pasted = "name: Faster month-end close\n"
    async with web.client() as browser:
        await sign_in_with_token(browser, issued.token)
        page = (await browser.get("/launch")).text
        posted = await browser.post(
            "/launch", data={"csrf": csrf_of(page), "spec": pasted, "mode": "validate"},
            files={"file": ("spec.yaml", b"name: Another\n", "application/yaml")})
    assert posted.status_code == 422
    assert "both pasted and uploaded" in posted.text
    assert "name: Faster month-end close" in posted.text
