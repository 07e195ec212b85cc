"""E-mail to a real SMTP server on loopback (aiosmtpd): who is told what, when, with which link;
a server that refuses for a while, and one that refuses for good."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import Client
from temporalio.testing import TimeSkipper

from devstack.smtp_sink import Received, SmtpSink, smtp_sink
from domain import Phase
from domain import commands as c
from domain.formatting import due_phrase
from store import EventStore
from store.notices import NoticeQueue
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, make_spec
from workers.settings import Settings
from workflows.client import InitiativeClient

from .metric_source import LOOPBACK_SOURCES
from .scenario import HANDOFF, quick_spec, store_agrees, wait_for

pytestmark = pytest.mark.usefixtures("worker")
DAY = timedelta(days=1)
PUBLIC = "https://baton.acme.example"
LINK = re.compile(re.escape(PUBLIC) + r"(/|/initiatives/[a-z0-9-]+(/ideas/new|/audit)?)$")


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with smtp_sink() as running:
        yield running


def mail_settings(sink: SmtpSink, **extra: str) -> Settings:
    return Settings.from_env({
        "BATON_SMTP_URL": sink.url, "BATON_MAIL_FROM": "baton@acme.example",
        "BATON_PUBLIC_URL": PUBLIC, "BATON_TIMEZONE": "Europe/Paris",
        "BATON_METRIC_SOURCE_HOSTS": LOOPBACK_SOURCES, **extra})


@pytest.fixture
def settings(sink: SmtpSink) -> Settings:
    return mail_settings(sink)


async def until_received(sink: SmtpSink, total: int, timeout: float = 20.0) -> list[Received]:
    async with asyncio.timeout(timeout):
        while len(sink.received) < total:
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # nothing more should come
    assert len(sink.received) == total, [(r.envelope_to, r.message["Subject"])
                                          for r in sink.received[total:]]
    return sink.received


def subjects(sink: SmtpSink, person: str) -> list[str]:
    # A long subject is folded onto the next line; a reader unfolds it without the break.
    return [str(r.message["Subject"]).strip().removeprefix("[Baton] ") for r in sink.to(person)]


def sent_at(received: Received) -> datetime:
    from email.utils import parsedate_to_datetime
    return parsedate_to_datetime(str(received.message["Date"]))


async def test_each_role_is_told_what_falls_to_them_when_it_does(
    store: EventStore, initiatives: InitiativeClient, sink: SmtpSink,
    time_skipper: TimeSkipper, temporal_client: Client,
) -> None:
    spec = make_spec()  # control-plan due 14 days after delivery; ideas triaged within 7
    name = spec.name
    iid = await initiatives.launch(spec, PMO)
    handle = initiatives.handle(iid)
    await until_received(sink, 1)
    for command in HANDOFF[:2]:  # approve the launch, deliver the improvement
        await initiatives.send(iid, command)
    await until_received(sink, 4)
    delivered = (await initiatives.view(iid)).state.delivered_at
    assert delivered is not None

    # 11.2 days in (a fifth of the 14-day window before its due date), the owner is reminded.
    await time_skipper.fast_forward(handle, 12 * DAY)
    [reminder] = (await until_received(sink, 5))[4:]
    assert reminder.envelope_to == OWNER
    assert abs(sent_at(reminder) - (delivered + 14 * DAY * 4 / 5)) < timedelta(minutes=5)
    due = delivered + 14 * DAY
    phrase = due_phrase(due, sent_at(reminder), ZoneInfo("Europe/Paris"))
    assert re.fullmatch(r"due \w{3} \d{1,2} \w{3}, in [23] days", phrase)
    assert f"D{phrase[1:]}." in reminder.text()

    for command in HANDOFF[2:5]:  # both steps done, the owner accepts
        await initiatives.send(iid, command)
    await initiatives.send(iid, c.SendBack(actor=PMO, reason="the control plan lacks limits",
                                           reopen=["control-plan"]))
    await initiatives.send(iid, c.CompleteStep(actor=OWNER, step_id="control-plan"))
    await initiatives.send(iid, c.AcceptOwnership(actor=OWNER))
    await initiatives.send(iid, c.ApproveReview(actor=PMO))
    await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    await initiatives.send(iid, c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=True,
                                             reason="cheap and quick"))
    await until_received(sink, 13)

    await time_skipper.fast_forward(handle, 31 * DAY)  # check 1 falls due at 30 days
    await until_received(sink, 14)
    await initiatives.send(iid, c.RecordReading(actor=OWNER, value=11.0))  # a regression
    await until_received(sink, 16)
    await time_skipper.fast_forward(handle, 11 * DAY)  # no plan: reminded, then escalated
    await until_received(sink, 19)
    await initiatives.send(iid, c.Cancel(actor=PMO, reason="superseded"))
    await until_received(sink, 22)
    assert (await store_agrees(store, initiatives, iid)).state.phase is Phase.CANCELLED

    assert subjects(sink, SPONSOR) == [
        f"Launch to approve: {name}", f"Regression: {name}", f"Escalation: {name}",
        f"Closed (cancelled): {name}"]
    assert subjects(sink, EXPERT) == [
        f"Result to deliver: {name}",
        f"Handoff step to complete: Standard work documented ({name})",
        f"Handoff sent back: {name}"]
    assert subjects(sink, OWNER) == [
        f"Handoff step to complete: Control plan agreed ({name})",
        f"Reminder: handoff step 'Control plan agreed' ({name})",
        f"Accept ownership: {name}", f"Handoff sent back: {name}", f"Accept ownership: {name}",
        f"Idea to triage: {name}", f"Reading due: check 1 of {name}", f"Regression: {name}",
        f"Reminder: a response plan for the regression ({name})",
        f"Closed (cancelled): {name}"]
    assert subjects(sink, PMO) == [
        f"Handoff to review: {name}", f"Handoff to review: {name}", f"Escalation: {name}",
        f"Closed (cancelled): {name}"]
    assert subjects(sink, CLERK) == [f"Your idea was adopted: {name}"]

    sent_back = sink.to(EXPERT)[2].text()
    assert "the control plan lacks limits" in sent_back
    assert "Reopened: 'Control plan agreed', for the owner: " + OWNER in sent_back
    assert "cheap and quick" in sink.to(CLERK)[0].text()
    for received in sink.received:
        links = re.findall(r"https://\S+", received.text())
        assert links and all(LINK.fullmatch(link) for link in links), links
        assert f'href="{links[0]}"' in received.html()
        assert received.message.is_multipart()
    assert len({r.message["Message-ID"] for r in sink.received}) == len(sink.received)


async def test_a_refusing_server_is_retried_and_the_message_received_once(
    initiatives: InitiativeClient, sink: SmtpSink,
) -> None:
    sink.data_answers = ["451 4.3.0 Mailbox busy, try again later"]
    iid = await initiatives.launch(quick_spec(), PMO)
    [received] = await until_received(sink, 1, timeout=30)
    assert received.envelope_to == SPONSOR and sink.attempts == 2
    assert (await initiatives.view(iid)).state.undelivered == ()


async def test_a_permanent_refusal_is_not_retried_and_shows_on_the_initiative(
    store: EventStore, initiatives: InitiativeClient, sink: SmtpSink,
) -> None:
    sink.refused_recipients[SPONSOR] = "550 5.1.1 No such user here"
    iid = await initiatives.launch(quick_spec(), PMO)
    view = await wait_for(initiatives, iid, lambda v: bool(v.state.undelivered))
    [undelivered] = view.state.undelivered
    assert undelivered.to == SPONSOR and "550 5.1.1 No such user here" in undelivered.reason
    await asyncio.sleep(3)  # a retry would come after one second
    assert sink.rcpt_attempts == Counter({SPONSOR: 1})
    recorded = [r.event.type for r in await store.read_stream(iid)]
    assert recorded == ["InitiativeLaunched", "NotificationUndelivered"]


async def test_mail_failing_for_a_week_is_given_up_and_shows_on_the_initiative(
    store: EventStore, initiatives: InitiativeClient, sink: SmtpSink,
) -> None:
    sink.refused_recipients[SPONSOR] = "451 4.2.1 Mailbox busy, try again later"
    iid = await initiatives.launch(quick_spec(), PMO)
    queue = NoticeQueue(store.schema)
    async with asyncio.timeout(20):
        while sink.rcpt_attempts[SPONSOR] < 2:  # tried, and tried again
            await asyncio.sleep(0.05)
    assert (await initiatives.view(iid)).state.undelivered == ()
    # A week on (the store's clock moved back instead of the world's forward):
    await store.pool.execute(
        f"UPDATE {store.schema}.notices SET recorded_at = recorded_at - interval '8 days', "
        "due_at = now()")
    view = await wait_for(initiatives, iid, lambda v: bool(v.state.undelivered))
    [undelivered] = view.state.undelivered
    assert undelivered.to == SPONSOR and undelivered.reason == "gave up after retrying for a week"
    async with asyncio.timeout(10):
        while await queue.owed(store.pool):
            await asyncio.sleep(0.05)


async def test_a_notice_that_cannot_be_read_is_dropped_and_the_others_still_go(
    store: EventStore, initiatives: InitiativeClient, sink: SmtpSink,
) -> None:
    await store.pool.execute(
        f"INSERT INTO {store.schema}.notices (notice_id, initiative_id, notification, "
        "noticed_at) VALUES ('broken', 'nowhere', '{\"to\": 5}', now())")
    await initiatives.launch(quick_spec(), PMO)
    [received] = await until_received(sink, 1)
    assert received.envelope_to == SPONSOR
    assert await NoticeQueue(store.schema).owed(store.pool) == 0
