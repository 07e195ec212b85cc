"""E-mail through SMTP (aiosmtplib): one person's copy of a notification per activity, so Temporal's
retries never send anyone a second one. A permanent refusal (5xx to the recipient or the message)
fails the activity for good, and the workflow records it; anything else is retried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.mail_message import Letterhead, notification_mail
from workflows.activity_contracts import (
    MAIL_REFUSED,
    PLAN_MAIL,
    SEND_MAIL,
    MailRequest,
    Notification,
)

log = structlog.get_logger("baton.mail")
SMTP_TIMEOUT = 20.0
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")


def is_mail_address(actor: str) -> bool:
    return bool(_ADDRESS.fullmatch(actor))


class MailSettingsError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool  # smtps://; smtp:// still upgrades with STARTTLS when offered
    username: str | None
    password: str | None
    ca_file: str | None = None  # None: the system's trusted roots

    @classmethod
    def parse(cls, url: str, password: str | None = None,
              ca_file: str | None = None) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailSettingsError("BATON_SMTP_URL must look like smtp://host:587 or "
                                    "smtps://user@host:465")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise MailSettingsError("BATON_SMTP_URL has a port that is not a number") from None
        username = unquote(parts.username) if parts.username else None
        secret = unquote(parts.password) if parts.password else password
        return cls(parts.hostname, port, parts.scheme == "smtps", username, secret, ca_file)

    def __repr__(self) -> str:  # never the password, wherever this is printed
        return f"SmtpServer({self.host}:{self.port}, tls={self.implicit_tls}, user={self.username})"


@dataclass(frozen=True)
class MailSettings:
    server: SmtpServer | None  # None: no e-mail
    letterhead: Letterhead
    digest_only: bool = False  # single messages go by digest only


class _Refused(Exception):
    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code


class Mailer:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    @property
    def enabled(self) -> bool:
        return self.settings.server is not None

    @activity.defn(name=PLAN_MAIL)
    async def plan_mail(self, notification: Notification) -> list[str]:
        return self.recipients(notification)

    def recipients(self, notification: Notification) -> list[str]:
        """Which addressees get this by e-mail now; the others are told it cannot reach them
        (it is still on their My work page)."""
        if not self.enabled or self.settings.digest_only:
            return []
        mailable = [to for to in notification.to if is_mail_address(to)]
        for other in sorted(set(notification.to) - set(mailable)):
            log.warning("undeliverable by e-mail: not an address", to=other,
                        notification_id=notification.notification_id)
        return mailable

    @activity.defn(name=SEND_MAIL)
    async def send_mail(self, request: MailRequest) -> None:
        await self.mail(request.notification, request.to, request.at)

    async def mail(self, notification: Notification, to: str, at: datetime) -> None:
        """`to`'s copy of `notification`, as of `at` ("due in 3 days" counts from it)."""
        message = notification_mail(self.settings.letterhead, notification, to, at)
        await self.deliver(message, to)
        log.info("mail sent", to=to, message_id=message["Message-ID"],
                 notification_id=notification.notification_id)

    async def deliver(self, message: EmailMessage, to: str) -> None:
        """Raises ApplicationError: of type MAIL_REFUSED, not retryable, for a 5xx refusal."""
        server = self.settings.server
        if server is None:
            return
        try:
            await self._send(server, message, to)
        except _Refused as refused:
            raise ApplicationError(f"the mail server refused {to}: {refused}", type=MAIL_REFUSED,
                                   non_retryable=True) from None
        except aiosmtplib.SMTPException as error:
            # 4xx, a dropped connection, a login the operator has yet to fix: worth retrying.
            detail = f"{error.code} {error.message}" if isinstance(
                error, aiosmtplib.SMTPResponseException) else str(error)
            raise ApplicationError(f"mail to {to} via {server.host}:{server.port} failed: "
                                   f"{type(error).__name__}: {detail}") from None
        except OSError as error:
            raise ApplicationError(f"mail server {server.host}:{server.port} unreachable: "
                                   f"{error.strerror or error}") from None

    async def _send(self, server: SmtpServer, message: EmailMessage, to: str) -> None:
        client = aiosmtplib.SMTP(hostname=server.host, port=server.port,
                                 use_tls=server.implicit_tls, start_tls=None,
                                 username=server.username, password=server.password,
                                 cert_bundle=server.ca_file, timeout=SMTP_TIMEOUT)
        async with client:
            try:
                errors, _ = await client.send_message(
                    message, sender=self.settings.letterhead.sender, recipients=[to])
            except aiosmtplib.SMTPRecipientsRefused as refused:
                first = refused.recipients[0]
                if first.code >= 500:
                    raise _Refused(first.code, first.message) from None
                raise
            except aiosmtplib.SMTPDataError as error:
                if error.code >= 500:
                    raise _Refused(error.code, error.message) from None
                raise
        if to in errors and errors[to].code >= 500:
            raise _Refused(errors[to].code, errors[to].message)
