"""A notification webhook on loopback whose behaviour a test switches while Baton delivers to it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from http.server import BaseHTTPRequestHandler
from typing import Any

from bench.metric_server import loopback_server


class Mode(Enum):
    FAIL = "answers 500"
    HANG = "answers only after the sender has given up"
    ACCEPT = "answers 200"


@dataclass
class Delivery:
    key: str  # the Idempotency-Key header
    body: dict[str, Any]
    mode: Mode  # how the receiver treated it


@dataclass
class WebhookReceiver:
    url: str = ""
    mode: Mode = Mode.FAIL
    hang_seconds: float = 1.0
    deliveries: list[Delivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)

    def met(self, mode: Mode) -> set[str]:
        """The keys of notifications that have met `mode` at least once."""
        with self._lock:
            return {d.key for d in self.deliveries if d.mode is mode}

    def deduplicated(self) -> dict[str, dict[str, Any]]:
        """What a receiver that drops repeated keys keeps: one body per key. A hung delivery
        counts: the receiver did take it in, only its answer came too late."""
        with self._lock:
            kept: dict[str, dict[str, Any]] = {}
            for delivery in self.deliveries:
                if delivery.mode is not Mode.FAIL:
                    kept.setdefault(delivery.key, delivery.body)
            return kept


@contextmanager
def serve_webhook(hang_seconds: float) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(hang_seconds=hang_seconds)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            mode = receiver.mode
            if mode is Mode.HANG:
                time.sleep(receiver.hang_seconds)
            receiver.received(Delivery(self.headers.get("Idempotency-Key", ""), body, mode))
            try:
                self.send_response(500 if mode is Mode.FAIL else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender stopped waiting

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback_server(Handler) as base_url:
        receiver.url = f"{base_url}/notifications"
        yield receiver
