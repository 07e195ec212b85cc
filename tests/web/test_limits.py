"""What a request may not be: a body larger than the limit (refused as it streams in, before
anything buffers it), JSON nested without end, integers beyond 64 bits. Each is a 4xx problem,
never a 500 nor a dropped connection."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

from app.identity import Grant
from tests.domain.builders import CLERK, PMO
from web.body_limit import MAX_BODY_BYTES

from .conftest import WebStack, problem
from .test_initiatives import launched

GIB = 1024**3
CHUNK = 64 * 1024


def _rss_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096


async def _send(web: WebStack, head: str, body_bytes: int, *, chunked: bool) -> tuple[str, int]:
    """Sends a request of `body_bytes` over a raw connection, stopping as soon as the server
    answers: its status line, and how many body bytes had been written by then."""
    address = urlsplit(web.url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(head.encode())
    status = asyncio.create_task(reader.readline())
    sent = 0
    chunk = b"x" * CHUNK
    try:
        while sent < body_bytes and not status.done():
            framed = b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
            writer.write(framed)
            await asyncio.wait([status, asyncio.ensure_future(writer.drain())], timeout=5,
                               return_when=asyncio.FIRST_COMPLETED)
            sent += len(chunk)
    except ConnectionError:
        pass
    line = (await asyncio.wait_for(status, 30)).decode()
    writer.close()
    return line, sent


async def test_a_gigabyte_body_is_refused_from_its_content_length(web: WebStack) -> None:
    iid = await launched(web)
    token = await web.token(CLERK)
    before = _rss_bytes()
    line, sent = await _send(web, (
        f"POST /api/v1/initiatives/{iid}/actions/idea HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {GIB}\r\n\r\n"), GIB, chunked=False)
    assert line.startswith("HTTP/1.1 413"), line
    assert sent < 16 * 1024 * 1024  # answered long before the body could have arrived
    assert _rss_bytes() - before < 64 * 1024 * 1024


async def test_a_streamed_body_is_refused_once_it_passes_the_limit(web: WebStack) -> None:
    iid = await launched(web)
    token = await web.token(CLERK)
    before = _rss_bytes()
    line, sent = await _send(web, (
        f"POST /api/v1/initiatives/{iid}/actions/idea HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"), GIB, chunked=True)
    assert line.startswith("HTTP/1.1 413"), line
    assert MAX_BODY_BYTES < sent < 32 * 1024 * 1024
    assert _rss_bytes() - before < 64 * 1024 * 1024


async def test_every_route_bounds_its_body(web: WebStack) -> None:
    async with web.client() as http:
        for path in ("/signin", "/api/v1/me", "/launch"):
            answer = await http.post(path, content=b"x" * (MAX_BODY_BYTES + 1))
            assert answer.status_code == 413, path
            assert "larger than" in problem(answer)["detail"]


async def test_json_nested_without_end_is_422(web: WebStack) -> None:
    iid = await launched(web)
    deep = "[" * 5000 + "]" * 5000
    async with web.client(await web.token(CLERK)) as http:
        action = await http.post(f"/api/v1/initiatives/{iid}/actions/idea",
                                 content=f'{{"text": {deep}}}',
                                 headers={"Content-Type": "application/json"})
    async with web.client(await web.token(PMO, Grant.PMO)) as http:
        spec = await http.post("/api/v1/initiatives", content=deep,
                               headers={"Content-Type": "application/json"})
        yaml_spec = await http.post("/api/v1/initiatives", content=f"name: {deep}",
                                    headers={"Content-Type": "application/yaml"})
    for answer in (action, spec):
        assert answer.status_code == 422, answer.text
        assert "nests deeper" in problem(answer)["detail"]
    assert yaml_spec.status_code == 422, yaml_spec.text
    assert "nests too deep" in problem(yaml_spec)["detail"]


async def test_integers_beyond_64_bits_are_422(web: WebStack) -> None:
    iid = await launched(web)
    huge = "99999999999999999999"
    async with web.client(await web.token("auditor@acme.example", Grant.AUDITOR)) as http:
        page = await http.get("/api/v1/events", params={"after": huge})
        stream = await http.get("/api/v1/events/stream", headers={"Last-Event-ID": huge})
        endless = await http.get("/api/v1/events/stream", headers={"Last-Event-ID": "9" * 5000})
        replay = await http.get(f"/api/v1/initiatives/{iid}/audit/replay",
                                params={"version": huge})
    async with web.client(await web.token(CLERK)) as http:
        argument = await http.post(f"/api/v1/initiatives/{iid}/actions/idea",
                                   content=f'{{"text": "x", "n": {huge}}}',
                                   headers={"Content-Type": "application/json"})
    for answer in (page, stream, endless, replay, argument):
        assert answer.status_code == 422, answer.text
        problem(answer)
