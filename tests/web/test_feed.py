"""The global event feed: a page for integrations, and an SSE stream that resumes without loss."""

from __future__ import annotations

import json
from typing import Any

import httpx

from app.identity import Grant
from tests.domain.builders import CLERK

from .conftest import WebStack, problem
from .test_initiatives import launched


async def _ideas(web: WebStack, iid: str, count: int) -> None:
    """`count` events on the initiative, recorded as people record them."""
    async with web.client(await web.token(CLERK)) as http:
        for n in range(count):
            answer = await http.post(f"/api/v1/initiatives/{iid}/actions/idea",
                                     json={"text": f"idea {n}"})
            assert answer.status_code == 200, answer.text


async def _head_position(web: WebStack) -> int:
    position: int = await web.store.pool.fetchval(
        f"SELECT coalesce(max(position), 0) FROM {web.store.schema}.events")
    return position


async def test_the_feed_needs_the_auditor_or_pmo_grant(web: WebStack) -> None:
    async with web.client(await web.token("clerk@acme.example")) as http:
        answer = await http.get("/api/v1/events")
        streamed = await http.get("/api/v1/events/stream")
    assert answer.status_code == streamed.status_code == 403
    assert "auditor or pmo grant" in problem(answer)["detail"]


async def test_a_page_of_the_feed_follows_positions(web: WebStack) -> None:
    start = await _head_position(web)
    stream = await launched(web)
    await _ideas(web, stream, 2)
    async with web.client(await web.token("auditor@acme.example", Grant.AUDITOR)) as http:
        first = (await http.get("/api/v1/events", params={"after": start, "limit": 2})).json()
        rest = (await http.get("/api/v1/events",
                               params={"after": first["next_after"], "limit": 100})).json()
        bad = await http.get("/api/v1/events", params={"limit": 0})
    mine = [e for e in first["events"] + rest["events"] if e["initiative_id"] == stream]
    # The launch on the initiative's own stream, the ideas on its pull stream.
    assert [(e["stream_id"], e["sequence"]) for e in mine] == [
        (stream, 1), (f"{stream}:pull", 1), (f"{stream}:pull", 2)]
    positions = [e["position"] for e in first["events"] + rest["events"]]
    assert positions == sorted(set(positions))
    assert bad.status_code == 422 and problem(bad)["errors"][0]["loc"] == "query.limit"


async def _read_sse(http: httpx.AsyncClient, headers: dict[str, str], params: dict[str, Any],
                    stream: str, wanted: int) -> list[tuple[int, dict[str, Any]]]:
    """(id, data) of messages about `stream` until `wanted` of them came, then disconnect."""
    seen: list[tuple[int, dict[str, Any]]] = []
    message: dict[str, str] = {}
    async with http.stream("GET", "/api/v1/events/stream", headers=headers,
                           params=params) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        async for line in answer.aiter_lines():
            if line:
                field, _, value = line.partition(": ")
                message[field] = value
                continue
            if "data" in message:
                data = json.loads(message["data"])
                if data["initiative_id"] == stream:
                    seen.append((int(message["id"]), data))
                    if len(seen) == wanted:
                        return seen
            message = {}
    return seen


async def test_the_stream_resumes_after_last_event_id_without_loss(web: WebStack) -> None:
    start = await _head_position(web)
    stream = await launched(web)
    await _ideas(web, stream, 3)
    async with web.client(await web.token("pmo@acme.example", Grant.PMO)) as http:
        first = await _read_sse(http, {}, {"after": start}, stream, 2)
        # Recorded while the client is away: the reconnect must deliver these too.
        await _ideas(web, stream, 3)
        resumed = await _read_sse(http, {"Last-Event-ID": str(first[-1][0])},
                                  {"after": start}, stream, 5)
    sequences = [(data["stream_id"], data["sequence"]) for _, data in first + resumed]
    assert sequences == [(stream, 1), *((f"{stream}:pull", n) for n in range(1, 7))]
    ids = [position for position, _ in first + resumed]
    assert ids == sorted(set(ids)), "each message's id is its position, once"


async def test_the_stream_follows_events_recorded_after_it_opened(web: WebStack) -> None:
    import asyncio

    stream = await launched(web)
    start = await _head_position(web)
    async with web.client(await web.token("pmo@acme.example", Grant.PMO)) as http:
        reader = asyncio.create_task(_read_sse(http, {}, {"after": start}, stream, 2))
        await asyncio.sleep(0.5)
        await _ideas(web, stream, 2)
        got = await asyncio.wait_for(reader, 20)
    assert [(data["stream_id"], data["sequence"]) for _, data in got] == [
        (f"{stream}:pull", 1), (f"{stream}:pull", 2)]
    assert all(data["provenance"]["method"] == "token" for _, data in got)
