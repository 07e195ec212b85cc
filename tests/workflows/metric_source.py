"""A real HTTP metric source on loopback, whose readings a test scripts in advance."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class MetricSource:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self.readings: list[float] = []
        self.requests = 0

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/metric"

    def next_value(self) -> float:
        self.requests += 1
        return self.readings.pop(0) if len(self.readings) > 1 else self.readings[0]


@contextmanager
def serve_metric(readings: list[float]) -> Iterator[MetricSource]:
    source: MetricSource

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"data": {"value": source.next_value()}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    source = MetricSource(server)
    source.readings = list(readings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield source
    finally:
        server.shutdown()
        server.server_close()
