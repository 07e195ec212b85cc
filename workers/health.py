"""Answers container probes over HTTP on BATON_HEALTH_ADDRESS: GET /livez and GET /readyz.

The answers come from the worker's own event loop, the one that runs activities and workflow
activations, so a loop that is blocked or gone stops answering and liveness fails. Readiness is
whether the worker is polling its task queue; it drops as soon as a shutdown begins. An exec
probe that starts a Python process every few seconds would cost far more than this, and a
file touched by a timer would prove less.

`python -m workers.health [livez|readyz]` asks the endpoint once and exits 0 when it answers
200: the compose healthcheck, which has no HTTP client to call.
"""

from __future__ import annotations

import asyncio
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial

from workers.settings import Settings, split_listen_address

LIVENESS_PATH = "/livez"
READINESS_PATH = "/readyz"
_REQUEST_TIMEOUT = 5.0
_MAX_HEADER_LINES = 100
_LOOPBACK_FOR_ANY = {"0.0.0.0": "127.0.0.1", "::": "::1"}


@asynccontextmanager
async def serve_health(address: str | None, is_ready: Callable[[], bool]) -> AsyncIterator[int]:
    """Answer probes on `address` (ip:port) while the block runs; yields the bound port, or 0
    when `address` is None and nothing is served."""
    if address is None:
        yield 0
        return
    host, port = split_listen_address(address)
    server = await asyncio.start_server(partial(_answer, is_ready), host, port)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def _answer(
    is_ready: Callable[[], bool], reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        async with asyncio.timeout(_REQUEST_TIMEOUT):
            path = await _read_request_path(reader)
        if path == LIVENESS_PATH:
            status, body = "200 OK", "alive"
        elif path == READINESS_PATH and is_ready():
            status, body = "200 OK", "ready"
        elif path == READINESS_PATH:
            status, body = "503 Service Unavailable", "not polling"
        else:
            status, body = "404 Not Found", f"try {LIVENESS_PATH} or {READINESS_PATH}"
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
            f"Connection: close\r\n\r\n{body}".encode()
        )
        await writer.drain()
    except (TimeoutError, ConnectionError):
        pass  # a probe that hung up or never finished its request gets no answer
    finally:
        writer.close()


async def _read_request_path(reader: asyncio.StreamReader) -> str:
    request_line = (await reader.readline()).decode("latin-1").split()
    # The headers are read too: closing with unread bytes would reset the connection before
    # the probe could read the answer.
    for _ in range(_MAX_HEADER_LINES):
        if not (await reader.readline()).strip():
            break
    return request_line[1] if len(request_line) >= 2 else ""


def probe(address: str, path: str = READINESS_PATH) -> bool:
    """True when the endpoint serving on `address` (BATON_HEALTH_ADDRESS) answers `path` with
    200. An endpoint listening on every interface is asked on loopback."""
    host, port = split_listen_address(address)
    host = _LOOPBACK_FOR_ANY.get(host, host)
    url_host = f"[{host}]" if ":" in host else host
    try:
        with urllib.request.urlopen(f"http://{url_host}:{port}{path}", timeout=_REQUEST_TIMEOUT):
            return True
    except (urllib.error.URLError, OSError):
        return False


if __name__ == "__main__":
    configured = Settings.from_env().health_address
    if configured is None:
        sys.exit("BATON_HEALTH_ADDRESS is not set: the worker serves no probes")
    which = sys.argv[1] if len(sys.argv) > 1 else "readyz"
    sys.exit(0 if probe(configured, f"/{which.lstrip('/')}") else 1)
