"""Every kind of notification an initiative's life sends, read as the e-mail its people get:
the initiative named in the subject, the time zone named, a link to a page of the site."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from functools import cache
from zoneinfo import ZoneInfo

from activities.mail_message import Letterhead, notification_mail
from tests.web.pages.walks import walk
from workflows.activity_contracts import Notification
from workflows.announcements import announcements_for

LETTERHEAD = Letterhead("baton@acme.example", "https://baton.acme.example",
                        ZoneInfo("America/New_York"))
WALKS = 40


def sent() -> Iterator[tuple[Notification, datetime]]:
    for seed in range(WALKS):
        told = 0
        for moment in walk(seed):
            new = list(moment.events[told:])
            told = len(moment.events)
            for notification in announcements_for(moment.state, new):
                yield notification, moment.now


@cache
def mailed() -> tuple[tuple[Notification, tuple[EmailMessage, ...]], ...]:
    """Each notification sent, with the mail each of its people gets: built once for the tests
    below, which only read them."""
    return tuple((notification, tuple(notification_mail(LETTERHEAD, notification, person, at)
                                      for person in notification.to))
                 for notification, at in sent())


def test_every_notification_names_its_initiative_its_time_zone_and_a_page() -> None:
    kinds: set[str] = set()
    for notification, mails in mailed():
        kinds.add(notification.kind)
        for mail in mails:
            text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            assert notification.initiative_name in mail["Subject"], notification
            assert "America/New_York time zone" in text
            assert "https://baton.acme.example/" in text
    assert {"InitiativeLaunched", "StepOverdue", "RegressionDetected", "IdeaSubmitted",
            "IdeaDeclined", "Escalated", "Sustained"} <= kinds


IDEA_KINDS = {"IdeaSubmitted", "IdeaAdopted", "IdeaDeclined", "IdeaDelivered",
              "IdeaMarkedDuplicate"}
STEP_IDS = ("sop", "control-plan")


def test_titles_not_ids_ideas_quoted_briefly_and_the_right_page() -> None:
    for notification, mails in mailed():
        for mail in mails:
            plain = mail.get_body(preferencelist=("plain",))
            assert plain is not None
            text = plain.get_content()
            for step_id in STEP_IDS:
                assert not re.search(rf"['(]{re.escape(step_id)}['),]", text), text
                assert f"step {step_id}" not in mail["Subject"]
            if notification.kind in IDEA_KINDS:
                quote = next(d for d in notification.details if d.startswith("“"))
                assert len(quote) <= 282 and quote.endswith("”")
                assert "pre-fill vendor ids " * 20 not in text
            if notification.kind in IDEA_KINDS - {"IdeaSubmitted"}:
                assert notification.page == "/"  # what became of it shows on My work
