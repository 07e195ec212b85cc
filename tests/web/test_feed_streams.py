"""An open event stream lasts only while its credential does, and a person holds only a few at
once."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import httpx
import pytest

from app.identity import Grant
from web import feed

from .conftest import WebStack, problem

RECHECK = 0.3


async def _until_ended(answer: httpx.Response) -> list[str]:
    return [line async for line in answer.aiter_lines()]


async def test_a_stream_ends_soon_after_its_token_is_revoked(
    web: WebStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "CREDENTIAL_RECHECK_SECONDS", RECHECK)
    issued = await web.tokens.issue("watcher@acme.example", {Grant.AUDITOR})
    async with (web.client(issued.token) as http,
                http.stream("GET", "/api/v1/events/stream") as answer):
        assert answer.status_code == 200
        reading = asyncio.create_task(_until_ended(answer))
        await asyncio.sleep(RECHECK * 3)
        assert not reading.done()  # a valid credential keeps it open
        await web.tokens.revoke(issued.id)
        lines = await asyncio.wait_for(reading, RECHECK * 10)
    assert "event: credential-ended" in lines


async def test_a_person_holds_a_bounded_number_of_streams(web: WebStack) -> None:
    token = await web.token("many-streams@acme.example", Grant.AUDITOR)
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(web.client(token))
        for _ in range(feed.STREAMS_PER_PERSON):
            opened = await stack.enter_async_context(
                http.stream("GET", "/api/v1/events/stream"))
            assert opened.status_code == 200
        refused = await http.get("/api/v1/events/stream")
        assert refused.status_code == 429 and refused.headers["retry-after"]
        assert "event streams open" in problem(refused)["detail"]
        other = await stack.enter_async_context(
            web.client(await web.token("other@acme.example", Grant.AUDITOR)))
        async with other.stream("GET", "/api/v1/events/stream") as theirs:
            assert theirs.status_code == 200
    # Closed streams give their places back.
    async with web.client(token) as http:
        for _ in range(20):
            async with http.stream("GET", "/api/v1/events/stream") as again:
                if again.status_code == 200:
                    break
            await asyncio.sleep(0.1)
        assert again.status_code == 200
