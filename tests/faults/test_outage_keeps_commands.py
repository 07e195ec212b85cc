"""A webhook down for days must not stop an initiative taking commands: when its run is due to
continue as new, notices still retrying go on in the next run instead of holding the old one
open, where every command would be told to come back later until the webhook answered."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from temporalio.client import Client

from domain import commands as c
from store import EventStore
from tests.domain.builders import CLERK, PMO, SPONSOR
from tests.workflows.metric_source import LOOPBACK_HOSTS
from tests.workflows.scenario import quick_spec
from workers.settings import Settings
from workflows.client import InitiativeClient

from .webhook_receiver import Mode, WebhookReceiver, serve_webhook

pytestmark = pytest.mark.usefixtures("worker")
HISTORY_LIMIT = 40  # events: a few ideas' worth, so the run is soon due to continue as new
IDEAS = 20  # at most, before the run must have moved on


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with serve_webhook(hang_seconds=0.1) as receiver:
        yield receiver  # answers 500 until a test says otherwise


@pytest.fixture
def settings(receiver: WebhookReceiver) -> Settings:
    """The worker fixture's settings: notifications go to the receiver."""
    return Settings.from_env({"BATON_WEBHOOK_URL": receiver.url})


async def test_commands_are_taken_while_the_webhook_is_down_across_runs(
    store: EventStore, temporal_client: Client, task_queue: str, receiver: WebhookReceiver
) -> None:
    initiatives = InitiativeClient(temporal_client, task_queue, history_limit=HISTORY_LIMIT,
                                   source_hosts=LOOPBACK_HOSTS)
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    first_run = (await initiatives.view(iid)).run_id
    sent = 0
    # Each is answered within the client's patience, the webhook failing throughout; the run
    # moves on meanwhile, and the next still takes ideas.
    while sent < IDEAS and (await initiatives.view(iid)).run_id == first_run:
        await send_idea(initiatives, iid, sent)
        sent += 1
    for _ in range(2):
        await send_idea(initiatives, iid, sent)
        sent += 1
    view = await initiatives.view(iid)
    assert view.run_id != first_run and view.pull.version == sent
    assert receiver.mode is Mode.FAIL and not receiver.met(Mode.ACCEPT)

    # The webhook recovers: every notice owed, those carried from the earlier run included,
    # arrives at least once.
    receiver.mode = Mode.ACCEPT
    owed = {d.key for d in receiver.deliveries}
    async with asyncio.timeout(90):
        while not owed <= receiver.met(Mode.ACCEPT):
            await asyncio.sleep(0.2)
    assert len(owed) >= sent + 2  # the launch, its approval and every idea


async def send_idea(initiatives: InitiativeClient, iid: str, number: int) -> None:
    await asyncio.wait_for(
        initiatives.send(iid, c.SubmitIdea(actor=CLERK, text=f"idea {number}")), timeout=30)
