"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives: for the demo, for tests,
and for trying Baton's e-mail without a mail server. It can be told to refuse, for a while or for
good, to show what Baton does then.
"""

from __future__ import annotations

import ssl
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from devstack.ports import free_port


@dataclass
class Received:
    envelope_to: str
    message: EmailMessage

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return "" if part is None else str(part.get_content())

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return "" if part is None else str(part.get_content())


@dataclass
class SmtpSink:
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    # Answers to give instead of accepting, in turn: to the next messages' DATA, and to RCPT
    # for given addresses (for good).
    data_answers: list[str] = field(default_factory=list)
    refused_recipients: dict[str, str] = field(default_factory=dict)
    # Set, the server offers AUTH (without TLS: it is loopback) and takes only these.
    credentials: tuple[str, str] | None = None
    logins: list[str] = field(default_factory=list)
    secure: list[bool] = field(default_factory=list)  # per message: after STARTTLS?
    attempts: int = 0  # DATA commands
    rcpt_attempts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.envelope_to == address]

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(r.envelope_to for r in self.received)

    # aiosmtpd's handler hooks
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        with self._lock:
            self.rcpt_attempts[address] += 1
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.attempts += 1
            if self.data_answers:
                return self.data_answers.pop(0)
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.extend(Received(to, message) for to in envelope.rcpt_tos)
            self.secure.append(session.ssl is not None)
        return "250 Message accepted"


    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        given = (auth_data.login.decode(), auth_data.password.decode())
        if given == self.credentials:
            self.logins.append(given[0])
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@contextmanager
def smtp_sink(host: str = "127.0.0.1", credentials: tuple[str, str] | None = None,
              tls: ssl.SSLContext | None = None) -> Iterator[SmtpSink]:
    """`tls`: the server offers STARTTLS with this context."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink(host=host, port=free_port(host), credentials=credentials)
    auth: dict[str, Any] = {} if credentials is None else {
        "authenticator": sink.authenticate, "auth_require_tls": False, "auth_required": True}
    if tls is not None:
        auth["tls_context"] = tls
    controller = Controller(sink, hostname=host, port=sink.port, **auth)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
