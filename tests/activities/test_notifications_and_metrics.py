"""The notification and metric-source activities against real loopback HTTP servers."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from structlog.testing import capture_logs
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.metrics import MetricReader, extract_number, fenced_client
from activities.notifications import Notifier
from bench.metric_server import LOOPBACK_HOSTS, loopback_server
from domain.spec import MetricSource
from workflows.activity_contracts import MetricReadRequest, Notification


class Receiver:
    def __init__(self) -> None:
        self.answers: list[tuple[int, Any]] = []
        self.received: list[tuple[dict[str, str], Any]] = []
        self.url = ""


@contextmanager
def http_receiver(*answers: tuple[int, Any]) -> Iterator[Receiver]:
    """Answers each request with the next (status, JSON body); records what it was sent."""
    receiver = Receiver()
    receiver.answers = list(answers)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            receiver.received.append((dict(self.headers), body))
            status, reply = receiver.answers.pop(0) if len(receiver.answers) > 1 else (
                receiver.answers[0])
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback_server(Handler) as base_url:
        receiver.url = f"{base_url}/hook"
        yield receiver


NOTICE = Notification(notification_id="n-1", initiative_id="i-1", initiative_name="Cut cycle",
                      kind="Escalated", to=["cfo@acme.example"], message="Escalation: late.")


async def test_a_notification_is_posted_with_its_id_for_dedupe() -> None:
    with http_receiver((200, {})) as receiver:
        await ActivityEnvironment().run(Notifier(receiver.url).notify, NOTICE)
    headers, body = receiver.received[0]
    assert headers["Idempotency-Key"] == "n-1"
    assert body["notification_id"] == "n-1" and body["kind"] == "Escalated"


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's side, as README shows it."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    signed = fields["t"].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(fields["t"])) <= tolerance
    return fresh and hmac.compare_digest(expected, fields["v1"])


async def test_a_signed_webhook_verifies_with_the_secret_and_only_with_it() -> None:
    raw: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw.append((dict(self.headers),
                        self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback_server(Handler) as base_url:
        await ActivityEnvironment().run(Notifier(f"{base_url}/hook", secret="s3cret").notify,
                                        NOTICE)
        await ActivityEnvironment().run(Notifier(f"{base_url}/hook").notify, NOTICE)
    (headers, body), (unsigned_headers, unsigned_body) = raw
    assert verify("s3cret", headers["Baton-Signature"], body)
    assert not verify("other", headers["Baton-Signature"], body)
    assert not verify("s3cret", headers["Baton-Signature"], body.replace(b"late", b"fine"))
    assert "Baton-Signature" not in unsigned_headers and unsigned_body == body
    assert set(json.loads(body)) == {"notification_id", "initiative_id", "initiative_name",
                                     "kind", "to", "message"}


@pytest.mark.parametrize(("status", "retryable"), [(500, True), (429, True), (400, False)])
async def test_webhook_failures_say_whether_a_retry_can_help(status: int, retryable: bool) -> None:
    with http_receiver((status, {})) as receiver, pytest.raises(ApplicationError) as failure:
        await ActivityEnvironment().run(Notifier(receiver.url).notify, NOTICE)
    assert failure.value.non_retryable is not retryable


async def test_an_unreachable_webhook_is_a_retryable_failure() -> None:
    with pytest.raises(ApplicationError) as failure:
        await ActivityEnvironment().run(Notifier("http://127.0.0.1:9/hook").notify, NOTICE)
    assert not failure.value.non_retryable


async def test_the_metric_source_is_read_by_its_field() -> None:
    with http_receiver((200, {"data": {"value": 4.5}})) as source:
        request = MetricReadRequest(initiative_id="i-1", check=1,
                                    source=MetricSource(url=source.url, field="data.value"))
        assert await ActivityEnvironment().run(MetricReader(LOOPBACK_HOSTS).read_metric,
                                            request) == 4.5


@pytest.mark.parametrize(
    ("document", "problem"),
    [({"value": "NaN"}, "not a finite number"), ({"value": None}, "not a number"),
     ({"other": 1}, "not found"), ({"value": True}, "not a number")],
)
def test_bad_metric_answers_are_refused(document: Any, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        extract_number(document, "value")



def test_every_metric_read_shares_the_process_tls_context() -> None:
    """Loading the CA bundle per read was most of a busy worker's CPU."""
    contexts = []
    for _ in range(3):
        transport: Any = fenced_client(LOOPBACK_HOSTS, "https://a.example/m")._transport
        contexts.append(transport._pool._ssl_context)
    assert all(context is contexts[0] for context in contexts)


async def test_the_log_line_of_a_notice_carries_no_words_a_person_wrote() -> None:
    words = NOTICE.model_copy(update={"message": "clerk submitted idea idea-7: my manager "
                                                 "skips the checklist"})
    with capture_logs() as logged:
        await Notifier().deliver(words)
    [line] = [entry for entry in logged if entry["event"] == "notification"]
    assert line["notification_id"] == "n-1" and "checklist" not in repr(logged)
