"""Loopback HTTP servers for benchmarks and tests: a metric source whose readings are scripted in
advance, and `loopback_server` for any other handler (webhook receivers, say).

Benchmarks use a constant reading; tests script a sequence. The answer is `{"data": {"value": x},
"value": x}`, so a spec can name either `value` or the dotted `data.value`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from workflows.source_hosts import SourceHosts

# These sources listen on loopback, which a worker refuses unless told otherwise.
LOOPBACK_SOURCES = "127.0.0.1"
LOOPBACK_HOSTS = SourceHosts.parse(LOOPBACK_SOURCES)
SHUTDOWN_POLL_S = 0.02


class MetricSource:
    """Answers each GET with the next scripted reading; the last one repeats."""

    def __init__(self, readings: list[float]) -> None:
        self.readings = list(readings)
        self.requests = 0
        self.url = ""

    def next_value(self) -> float:
        self.requests += 1
        return self.readings.pop(0) if len(self.readings) > 1 else self.readings[0]


@contextmanager
def serve_metric(readings: list[float]) -> Iterator[MetricSource]:
    source = MetricSource(readings)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            value = source.next_value()
            body = json.dumps({"data": {"value": value}, "value": value}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback_server(Handler) as base_url:
        source.url = f"{base_url}/metric"
        yield source


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serves `handler` on a free loopback port in a background thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    host, port = server.server_address[:2]
    # shutdown() waits for the serving loop to look up, every poll interval (0.5 s by default):
    # a test that serves for a moment would spend most of its time waiting here.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_S},
                     daemon=True).start()
    try:
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_constant_metric(value: float) -> Iterator[str]:
    with serve_metric([value]) as source:
        yield source.url
