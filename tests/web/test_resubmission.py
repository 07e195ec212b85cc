"""Back, then submit again: the browser fetches the form anew, with a new hidden request id,
and sends the same idea a second time. It is recorded once; another idea is recorded anew."""

from __future__ import annotations

import re

import httpx

from bench.web_bench import sign_in_with_token
from domain.pull_stream import pull_stream_id
from tests.domain.builders import CLERK

from .conftest import WebStack
from .sessions import csrf_of
from .test_initiatives import launched


async def send_idea(browser: httpx.AsyncClient, iid: str, text: str) -> None:
    """The idea form fetched and sent, as after each press of Back."""
    form = (await browser.get(f"/initiatives/{iid}/ideas/new")).text
    request_id = re.search(r'name="request" value="([^"]+)"', form)
    assert request_id is not None, form[:300]
    sent = await browser.post(f"/initiatives/{iid}/actions/idea", data={
        "csrf": csrf_of(form), "request": request_id.group(1), "return_to": "idea",
        "text": text})
    assert sent.status_code == 303, sent.text[:300]


async def ideas_in(web: WebStack, iid: str) -> list[str]:
    return [r.event.payload["text"] for r in await web.store.read_stream(pull_stream_id(iid))
            if r.event.type == "IdeaSubmitted"]


async def test_the_same_idea_sent_again_after_back_is_recorded_once(web: WebStack) -> None:
    iid = await launched(web)
    async with httpx.AsyncClient(base_url=web.url, timeout=60) as browser:
        await sign_in_with_token(browser, await web.token(CLERK))
        await send_idea(browser, iid, "pre-fill vendor ids")
        await send_idea(browser, iid, "pre-fill vendor ids")
        assert await ideas_in(web, iid) == ["pre-fill vendor ids"]

        await send_idea(browser, iid, "scan invoices at the door")
        assert await ideas_in(web, iid) == ["pre-fill vendor ids", "scan invoices at the door"]


async def test_a_refused_idea_stays_in_the_box_to_correct(web: WebStack) -> None:
    iid = await launched(web)
    too_long = "pre-fill vendor ids " * 201  # past the 4,000 characters an idea holds
    async with httpx.AsyncClient(base_url=web.url, timeout=60) as browser:
        await sign_in_with_token(browser, await web.token(CLERK))
        form = (await browser.get(f"/initiatives/{iid}/ideas/new")).text
        request_id = re.search(r'name="request" value="([^"]+)"', form)
        assert request_id is not None
        refused = await browser.post(f"/initiatives/{iid}/actions/idea", data={
            "csrf": csrf_of(form), "request": request_id.group(1), "return_to": "idea",
            "text": too_long})
    assert refused.status_code == 422
    assert too_long.strip() in refused.text.replace("\n", " ")
    assert await ideas_in(web, iid) == []
