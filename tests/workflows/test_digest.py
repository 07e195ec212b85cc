"""The digest: one message per person at 07:00, with their open work and what changed, scheduled
by a workflow on a durable timer (time skipping stands in for the night)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from temporalio.client import Client
from temporalio.testing import TimeSkipper

from devstack.smtp_sink import SmtpSink, smtp_sink
from tests.domain.builders import EXPERT, OWNER, PMO, SPONSOR
from workers.settings import Settings
from workers.worker import start_digest
from workflows.client import InitiativeClient
from workflows.digest import digest_workflow_id

from .scenario import quick_spec
from .test_mail import PUBLIC, mail_settings, until_received

pytestmark = pytest.mark.usefixtures("worker")


async def until_launched(initiatives: InitiativeClient, iid: str) -> None:
    async with asyncio.timeout(20):
        while (await initiatives.view(iid)).state.version == 0:
            await asyncio.sleep(0.05)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with smtp_sink() as running:
        yield running


@pytest.fixture
def settings(sink: SmtpSink) -> Settings:
    return mail_settings(sink, BATON_DIGEST="daily", BATON_DIGEST_ONLY="true")


async def test_each_person_gets_one_digest_a_day_and_nothing_else(
    initiatives: InitiativeClient, sink: SmtpSink, settings: Settings,
    temporal_client: Client, time_skipper: TimeSkipper, task_queue: str,
) -> None:
    await start_digest(temporal_client, settings, task_queue)
    await start_digest(temporal_client, settings, task_queue)  # a second worker: still one
    digest = temporal_client.get_workflow_handle(digest_workflow_id(task_queue))
    iid = await initiatives.launch(quick_spec(), PMO)
    # The digest reads what is recorded: the night must not fall before the launch is, which a
    # busy worker may take a while to append.
    await until_launched(initiatives, iid)
    try:
        await time_skipper.fast_forward(digest, timedelta(days=1))
        received = await until_received(sink, 4, timeout=60)  # a loaded machine is slow
    finally:
        await digest.terminate()
    assert sorted(r.envelope_to for r in received) == sorted([SPONSOR, PMO, EXPERT, OWNER])
    [sponsor] = sink.to(SPONSOR)
    assert str(sponsor.message["Subject"]) == "[Baton] Your daily digest: 1 open"
    assert str(sponsor.message["Date"]).endswith(" 07:00:00 +0100")  # Paris in winter
    text = sponsor.text()
    assert "Cut invoice cycle time: approve or reject the launch" in text
    assert "Initiative launched (pmo@acme.example)" in text
    assert f"Your work in Baton: {PUBLIC}/" in text
    assert "Nothing is waiting on you." in sink.to(PMO)[0].text()
    assert iid
