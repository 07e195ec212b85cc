"""Notices are kept with the events that owe them and delivered from the store: telling people adds
nothing to an initiative's history, a webhook that is down holds up nothing (not even the end of
a closed initiative's workflow), and what it missed arrives once it answers, from whichever of
two workers takes it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from domain import commands as c
from store import EventStore
from store.notices import NoticeQueue
from tests.domain.builders import CLERK, OWNER, PMO, SPONSOR
from tests.workflows.metric_source import LOOPBACK_HOSTS
from tests.workflows.scenario import quick_spec
from workers.settings import Settings
from workers.worker import build_worker
from workflows.client import InitiativeClient

from .webhook_receiver import Mode, WebhookReceiver, serve_webhook

IDEAS = 30


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with serve_webhook(hang_seconds=0.1) as receiver:
        yield receiver  # answers 500 until a test says otherwise


@pytest.fixture
async def two_workers(temporal_client: Client, store: EventStore, task_queue: str,
                      receiver: WebhookReceiver) -> AsyncIterator[None]:
    """Two workers delivering from one store (the second polls a queue of its own: one process
    may not poll one queue twice)."""
    settings = Settings.from_env({"BATON_WEBHOOK_URL": receiver.url})
    async with (build_worker(temporal_client, store, settings, task_queue=task_queue),
                build_worker(temporal_client, store, settings, task_queue=f"{task_queue}-2")):
        yield


@pytest.mark.usefixtures("two_workers")
async def test_a_webhook_down_holds_up_nothing_and_hears_everything_once_back(
    store: EventStore, temporal_client: Client, task_queue: str, receiver: WebhookReceiver,
) -> None:
    initiatives = InitiativeClient(temporal_client, task_queue, source_hosts=LOOPBACK_HOSTS)
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    for n in range(IDEAS):
        await asyncio.wait_for(
            initiatives.send(iid, c.SubmitIdea(actor=CLERK, text=f"idea {n}")), timeout=10)
    await initiatives.send(iid, c.Cancel(actor=PMO, reason="merged with another initiative"))

    # Closed, its workflow ends at once, although every notice is still owed.
    async with asyncio.timeout(10):
        await initiatives.handle(iid).result()
    owed = await NoticeQueue(store.schema).owed(store.pool)
    assert owed >= IDEAS + 3 and receiver.mode is Mode.FAIL
    history = await initiatives.handle(iid).fetch_history()
    scheduled = [e for e in history.events
                 if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    assert scheduled == []  # no notice went through the workflow

    receiver.mode = Mode.ACCEPT
    async with asyncio.timeout(60):
        while await NoticeQueue(store.schema).owed(store.pool):
            await asyncio.sleep(0.2)
    accepted = [d.key for d in receiver.deliveries if d.mode is Mode.ACCEPT]
    assert len(accepted) == len(set(accepted)) == owed  # each once, by one of the two workers
    told = receiver.deduplicated()
    assert any(OWNER in n["to"] for n in told.values())
