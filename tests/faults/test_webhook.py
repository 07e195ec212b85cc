"""A webhook that fails, then answers later than the sender waits, then recovers: every notification
arrives, each copy carries the same Idempotency-Key so the receiver can drop it, none is lost."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial

import httpx
import pytest

from activities import notifications
from activities.notifications import WEBHOOK_FIELDS
from domain import commands as c
from domain.pull_stream import pull_stream_id
from store import EventStore
from tests.domain.builders import CLERK, PMO, SPONSOR
from tests.workflows.scenario import quick_spec
from workers.settings import Settings
from workflows.announcements import owed_by
from workflows.client import InitiativeClient

from .webhook_receiver import Mode, WebhookReceiver, serve_webhook

pytestmark = pytest.mark.usefixtures("worker")
IDEAS = 5
SENDER_TIMEOUT_SECONDS = 0.5
HANG_SECONDS = 1.5


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebhookReceiver]:
    # A hang must outlast the sender's timeout; at its production 10 s the test would crawl.
    monkeypatch.setattr(notifications, "WEBHOOK_TIMEOUT", httpx.Timeout(SENDER_TIMEOUT_SECONDS))
    with serve_webhook(HANG_SECONDS) as receiver:
        yield receiver


@pytest.fixture
def settings(receiver: WebhookReceiver) -> Settings:
    """The worker fixture's settings: notifications go to the receiver."""
    return Settings.from_env({"BATON_WEBHOOK_URL": receiver.url})


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


async def test_every_notification_arrives_through_failures_and_timeouts(
    store: EventStore, initiatives: InitiativeClient, receiver: WebhookReceiver
) -> None:
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    for n in range(IDEAS):
        await initiatives.send(iid, c.SubmitIdea(actor=CLERK, text=f"idea {n}"))
    await initiatives.send(iid, c.Cancel(actor=PMO, reason="superseded"))
    owed = owed_by([r.event for r in await store.read_stream(iid)],
                              [r.event for r in await store.read_stream(pull_stream_id(iid))])
    # The launch, its approval, each idea, and the closing notice: the PMO's (to the audit
    # trail) and the sponsor's and owner's (to the initiative).
    assert len(owed) == IDEAS + 4

    # Every notification meets each misbehaviour before the receiver moves on to the next.
    for mode, then in ((Mode.FAIL, Mode.HANG), (Mode.HANG, Mode.ACCEPT)):
        await until(partial(lambda mode: receiver.met(mode) >= owed.keys(), mode))
        receiver.mode = then
    # A closed initiative's workflow has ended; its notices are the store's to deliver, and
    # each hung one is sent again until it is answered.
    await asyncio.wait_for(initiatives.handle(iid).result(), timeout=30)
    await until(lambda: receiver.met(Mode.ACCEPT) >= owed.keys())

    assert receiver.deduplicated() == {
        key: n.model_dump(mode="json", include=WEBHOOK_FIELDS) for key, n in owed.items()}
    assert all(d.key == d.body["notification_id"] for d in receiver.deliveries)
    taken_in = [d for d in receiver.deliveries if d.mode is not Mode.FAIL]
    assert len(taken_in) > len(owed), "the hung deliveries should have been sent again"
