"""A notification as the e-mail one person reads: plain text and HTML, what is asked of them, by
when in their time zone ("due Fri 12 Dec, in 3 days", the zone named), the initiative it is about
in the subject, and the link to the page where it is done.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from domain.formatting import Locale, due_phrase
from workflows.activity_contracts import Notification

from .templating import environment

FOOTER = "You receive this from Baton because you hold a part in this initiative."
_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
_TEMPLATES = environment("activities")  # mail.txt and mail.html, the two parts of every message


@dataclass(frozen=True)
class Letterhead:
    """What every message shares: who sends it, where the pages are, whose clock it reads."""

    sender: str
    public_url: str
    timezone: ZoneInfo

    @property
    def domain(self) -> str:
        return self.sender.rpartition("@")[2].strip(">").strip() or "baton.localhost"

    def link(self, page: str) -> str:
        return self.public_url.rstrip("/") + (page or "/")

    @property
    def locale(self) -> Locale:
        return Locale(zone=self.timezone)

    @property
    def zone_note(self) -> str:
        """Which clock the dates of a message read (BATON_TIMEZONE), said in every message."""
        return f"Dates and times are in the {self.timezone.key} time zone."


def message_id(key: str, to: str, domain: str) -> str:
    """The same for every attempt at one person's copy, so a resend is recognisably a copy."""
    person = hashlib.sha256(to.lower().encode()).hexdigest()[:12]
    left = _NOT_ATEXT.sub(".", key).strip(".")
    return f"<{re.sub(r'[.]{2,}', '.', left)}.{person}@{domain}>"


def compose(letterhead: Letterhead, *, to: str, subject: str, paragraphs: list[str],
            page: str, action: str, key: str, at: datetime) -> EmailMessage:
    link = letterhead.link(page)
    message = EmailMessage()
    message["From"] = letterhead.sender
    message["To"] = to
    message["Subject"] = " ".join(subject.split())  # a header is one line, whatever a name holds
    message["Date"] = format_datetime(at.astimezone(letterhead.timezone))
    message["Message-ID"] = message_id(key, to, letterhead.domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    letter = {"paragraphs": paragraphs, "link": link, "action": action,
              "notes": [letterhead.zone_note, FOOTER]}
    message.set_content(_TEMPLATES.get_template("mail.txt").render(letter))
    message.add_alternative(_TEMPLATES.get_template("mail.html").render(letter), subtype="html")
    return message


def notification_mail(letterhead: Letterhead, notification: Notification, to: str,
                      at: datetime) -> EmailMessage:
    paragraphs = [notification.message, *notification.details]
    if notification.due_at is not None:
        when = due_phrase(notification.due_at, at, letterhead.timezone)
        paragraphs.append(f"{when[0].upper()}{when[1:]}.")
    paragraphs.append(f"Initiative: {notification.initiative_name} "
                      f"({notification.initiative_id}).")
    return compose(letterhead, to=to, subject=f"[Baton] {mail_subject(notification)}",
                   paragraphs=paragraphs,
                   page=notification.page, action="Open it in Baton",
                   key=notification.notification_id, at=at)


def mail_subject(notification: Notification) -> str:
    """The notification's subject, naming its initiative where the subject does not already."""
    subject = " ".join((notification.subject or notification.message).split())
    name = " ".join(notification.initiative_name.split())
    return subject if name in subject else f"{subject} ({name})"
