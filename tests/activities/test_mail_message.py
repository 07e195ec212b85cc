"""How a notification reads as e-mail and when reminders fall; the mail activity against a real
loopback SMTP server."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.digest import Digests, Period
from activities.mail import Mailer, MailSettings, MailSettingsError, SmtpServer, is_mail_address
from activities.mail_message import Letterhead, message_id, notification_mail
from devstack.smtp_sink import smtp_sink
from domain import InitiativeSpec
from domain import commands as c
from domain.deadlines import due_deadlines, pending_deadlines
from domain.formatting import due_phrase
from tests.domain.builders import EXPERT, PMO, SPONSOR, Timeline, make_spec
from workers.settings import Settings, SettingsError
from workflows.activity_contracts import MailRequest, Notification

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 12, 9, 10, 0, tzinfo=UTC)  # a Tuesday
LETTERHEAD = Letterhead("baton@acme.example", "https://baton.acme.example", PARIS)


@pytest.mark.parametrize(("due", "phrase"), [
    (datetime(2025, 12, 12, 9, 0, tzinfo=UTC), "due Fri 12 Dec, in 3 days"),
    (datetime(2025, 12, 9, 16, 0, tzinfo=UTC), "due today at 17:00 (Tue 9 Dec)"),
    (datetime(2025, 12, 9, 23, 30, tzinfo=UTC), "due tomorrow at 00:30 (Wed 10 Dec)"),
    (datetime(2025, 12, 5, 9, 0, tzinfo=UTC), "was due Fri 5 Dec, 4 days ago"),
    (datetime(2026, 1, 20, 9, 0, tzinfo=UTC), "due Tue 20 Jan 2026, in 42 days"),
])
def test_due_dates_read_as_people_say_them_in_their_zone(due: datetime, phrase: str) -> None:
    assert due_phrase(due, NOW, PARIS) == phrase


NOTICE = Notification(
    notification_id="e7a1:step:control-plan", initiative_id="cut-1", initiative_name="Cut\ncycle",
    kind="ImprovementDelivered", to=["ap@acme.example"], subject="Handoff step to complete: "
    "Control plan\r\nBcc: everyone@acme.example", message="Complete the step <b>now</b>.",
    due_at=datetime(2025, 12, 12, 9, 0, tzinfo=UTC), page="/initiatives/cut-1")


def test_a_message_is_text_and_html_with_what_when_and_where() -> None:
    mail = notification_mail(LETTERHEAD, NOTICE, "ap@acme.example", NOW)
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "Due Fri 12 Dec, in 3 days." in text
    assert "Open it in Baton: https://baton.acme.example/initiatives/cut-1" in text
    assert 'href="https://baton.acme.example/initiatives/cut-1"' in html
    assert "&lt;b&gt;now&lt;/b&gt;" in html  # what people typed is text, never markup
    assert mail["Subject"] == "[Baton] Handoff step to complete: Control plan Bcc: " \
                              "everyone@acme.example (Cut cycle)"
    assert "Dates and times are in the Europe/Paris time zone." in text
    assert "Bcc" not in mail and mail["Auto-Submitted"] == "auto-generated"


def test_the_message_id_is_the_same_for_every_attempt_and_differs_per_person() -> None:
    first = notification_mail(LETTERHEAD, NOTICE, "ap@acme.example", NOW)["Message-ID"]
    again = notification_mail(LETTERHEAD, NOTICE, "AP@acme.example", NOW + timedelta(hours=1))
    other = notification_mail(LETTERHEAD, NOTICE, "cfo@acme.example", NOW)["Message-ID"]
    assert first == again["Message-ID"] != other
    assert first == message_id("e7a1:step:control-plan", "ap@acme.example", "acme.example")
    assert first.startswith("<e7a1.step.control-plan.") and first.endswith("@acme.example>")


def test_only_addresses_are_mailed() -> None:
    assert is_mail_address("ap@acme.example") and not is_mail_address("picker-7")
    assert not is_mail_address("a@b, c@d")


def test_smtp_credentials_come_from_the_url_or_the_password_setting() -> None:
    server = SmtpServer.parse("smtps://baton%40acme:s3cr%2Ft@mail.acme.example")
    assert (server.host, server.port, server.implicit_tls) == ("mail.acme.example", 465, True)
    assert (server.username, server.password) == ("baton@acme", "s3cr/t")
    assert "s3cr" not in repr(server)
    plain = SmtpServer.parse("smtp://baton@mail.acme.example:587", password="from-env")
    assert (plain.port, plain.implicit_tls, plain.password) == (587, False, "from-env")
    with pytest.raises(MailSettingsError):
        SmtpServer.parse("http://mail.acme.example")


def test_mail_settings_are_checked_without_echoing_a_password() -> None:
    with pytest.raises(SettingsError) as bad_url:
        Settings.from_env({"BATON_SMTP_URL": "imap://u:hunter2@mail"})
    assert "hunter2" not in str(bad_url.value)
    with pytest.raises(SettingsError, match="BATON_TIMEZONE"):
        Settings.from_env({"BATON_TIMEZONE": "Mars/Olympus"})
    with pytest.raises(SettingsError, match="BATON_DIGEST"):
        Settings.from_env({"BATON_DIGEST": "hourly"})
    assert "hunter2" not in repr(Settings.from_env({"BATON_SMTP_URL": "smtp://u:hunter2@m"}))


def delivered(t: Timeline, spec: InitiativeSpec) -> None:
    t.run(c.Launch(actor=PMO, spec=spec))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2))


def reminders(timeline: Timeline) -> list[tuple[str, datetime]]:
    return [(d.command.subject, d.at) for d in pending_deadlines(timeline.state)
            if isinstance(d.command, c.RemindDueSoon)]


def test_a_reminder_falls_a_fifth_of_the_window_before_the_due_date() -> None:
    t = Timeline()
    delivered(t, make_spec())
    [(subject, at)] = reminders(t)
    step = t.state.step("control-plan")
    assert step is not None and step.due_at is not None
    assert subject == "step:control-plan" and step.due_at - at == timedelta(days=14) / 5


def test_the_spec_may_say_how_long_before() -> None:
    t = Timeline()
    delivered(t, make_spec(reminders={"before": "2d"}))
    [(_, at)] = reminders(t)
    step = t.state.step("control-plan")
    assert step is not None and step.due_at is not None and step.due_at - at == timedelta(days=2)
    t.now = at
    assert [t.types(d.command) for d in due_deadlines(t.state, t.now)] == [["DueSoon"]]
    assert reminders(t) == []  # once


def test_an_unset_reminder_setting_leaves_the_stored_spec_as_it_was() -> None:
    assert "reminders" not in make_spec().model_dump(mode="json")
    assert "reminders" in make_spec(reminders={"before": "2d"}).model_dump(mode="json")


def mailer(url: str, password: str | None = None) -> Mailer:
    return Mailer(MailSettings(server=SmtpServer.parse(url, password), letterhead=LETTERHEAD))


REQUEST = MailRequest(notification=NOTICE, to="ap@acme.example", at=NOW)


async def test_the_worker_logs_in_with_the_url_s_user_and_the_password_setting() -> None:
    with smtp_sink(credentials=("baton", "s3cret")) as sink:
        host = f"baton@{sink.host}:{sink.port}"
        await ActivityEnvironment().run(mailer(f"smtp://{host}", "s3cret").send_mail, REQUEST)
        with pytest.raises(ApplicationError) as wrong:
            await ActivityEnvironment().run(mailer(f"smtp://{host}", "nope").send_mail, REQUEST)
    assert sink.logins == ["baton"] and len(sink.received) == 1
    assert not wrong.value.non_retryable  # a login to fix is no reason to give up on the mail
    assert "s3cret" not in str(wrong.value) and "nope" not in str(wrong.value)


@pytest.mark.parametrize(("answer", "retryable"), [
    ("451 4.3.0 try again later", True), ("452 4.2.2 mailbox full", True),
    ("554 5.7.1 message refused", False)])
async def test_refusals_say_whether_a_retry_can_help(answer: str, retryable: bool) -> None:
    with smtp_sink() as sink, pytest.raises(ApplicationError) as failure:
        sink.data_answers = [answer]
        await ActivityEnvironment().run(mailer(sink.url).send_mail, REQUEST)
    assert failure.value.non_retryable is not retryable
    assert (failure.value.type == "MailRefused") is not retryable and answer in str(failure.value)


async def test_an_unreachable_server_is_retried() -> None:
    with pytest.raises(ApplicationError) as failure:
        await ActivityEnvironment().run(mailer("smtp://127.0.0.1:9").send_mail, REQUEST)
    assert not failure.value.non_retryable and "SMTPConnectError" in str(failure.value)


@pytest.mark.parametrize(("period", "after", "expected"), [
    ("daily", datetime(2025, 12, 9, 10, 0, tzinfo=UTC), datetime(2025, 12, 10, 6, 0, tzinfo=UTC)),
    ("daily", datetime(2025, 12, 9, 5, 0, tzinfo=UTC), datetime(2025, 12, 9, 6, 0, tzinfo=UTC)),
    ("weekly", datetime(2025, 12, 9, 10, 0, tzinfo=UTC), datetime(2025, 12, 15, 6, 0, tzinfo=UTC)),
    ("weekly", datetime(2026, 3, 28, 10, 0, tzinfo=UTC), datetime(2026, 3, 30, 5, 0, tzinfo=UTC)),
])
async def test_digests_go_at_seven_in_the_morning_local_time(
        period: Period, after: datetime, expected: datetime) -> None:
    digests = Digests(store=None, mailer=mailer("smtp://127.0.0.1:9"),  # type: ignore[arg-type]
                      period=period)
    assert await digests.next_digest(after) == expected
    assert await Digests(None, mailer("smtp://127.0.0.1:9"), None).next_digest(  # type: ignore[arg-type]
        after) is None


def self_signed(directory: Path) -> tuple[ssl.SSLContext, str]:
    """A server context for 127.0.0.1 and the PEM a client verifies it with."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "baton test mail")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(datetime.now(UTC) - timedelta(days=1))
            .not_valid_after(datetime.now(UTC) + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context, str(cert_path)


async def test_starttls_is_used_when_the_server_offers_it(tmp_path: Path) -> None:
    context, ca_file = self_signed(tmp_path)
    with smtp_sink(tls=context) as sink:
        secured = Mailer(MailSettings(server=SmtpServer.parse(sink.url, ca_file=ca_file),
                                      letterhead=LETTERHEAD))
        await ActivityEnvironment().run(secured.send_mail, REQUEST)
        with pytest.raises(ApplicationError) as unverified:  # the system's roots do not know it
            await ActivityEnvironment().run(mailer(sink.url).send_mail, REQUEST)
    assert sink.secure == [True] and not unverified.value.non_retryable
    with smtp_sink() as plain:  # a server that offers no STARTTLS still gets the mail
        await ActivityEnvironment().run(mailer(plain.url).send_mail, REQUEST)
    assert plain.secure == [False]
