"""A worker killed with SIGKILL mid-handoff, and a new one started: nothing lost or doubled."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import Client

from domain import Rejected, RejectionKind
from domain import commands as c
from store import EventStore
from tests.domain.builders import EXPERT, OWNER, PMO, SPONSOR
from tests.worker_process import WorkerProcesses
from workers.settings import Settings
from workers.worker import build_worker
from workflows.client import InitiativeClient

from .scenario import quick_spec, store_agrees


async def test_a_killed_worker_is_replaced_without_loss_or_duplicates(
    store: EventStore, initiatives: InitiativeClient, workers: WorkerProcesses
) -> None:
    first = workers.start()
    iid = await initiatives.launch(quick_spec(), PMO)
    await initiatives.send(iid, c.ApproveLaunch(actor=SPONSOR))
    await initiatives.send(iid, c.DeliverImprovement(actor=EXPERT, value=5.2))
    first.kill()
    # Sent while no worker runs: the update waits for the next worker rather than failing.
    pending = asyncio.create_task(
        initiatives.send(iid, c.CompleteStep(actor=EXPERT, step_id="sop"), request_id="sop-1"))
    await asyncio.sleep(0.5)
    assert not pending.done()
    workers.start()
    assert [e.type for e in await asyncio.wait_for(pending, timeout=30)] == ["StepCompleted"]
    await initiatives.send(iid, c.CompleteStep(actor=OWNER, step_id="control-plan"))
    view = await store_agrees(store, initiatives, iid)
    recorded = await store.read_stream(iid)
    assert [r.version for r in recorded] == list(range(1, view.state.version + 1))
    assert len({r.event.event_id for r in recorded}) == len(recorded) == 5
    assert (await store.verify_stream(iid)).ok


async def test_a_command_no_worker_answers_is_refused_in_time_and_safe_to_send_again(
    store: EventStore, temporal_client: Client, task_queue: str, settings: Settings,
    initiatives: InitiativeClient,
) -> None:
    impatient = InitiativeClient(temporal_client, task_queue, update_patience=0.3)
    iid = await initiatives.launch(quick_spec(), PMO)  # no worker runs yet
    approve = c.ApproveLaunch(actor=SPONSOR)
    with pytest.raises(Rejected) as refused:
        await asyncio.wait_for(impatient.send(iid, approve, request_id="approve-1"), timeout=30)
    assert refused.value.kind is RejectionKind.UNAVAILABLE
    assert "no worker confirmed" in refused.value.reason

    async with build_worker(temporal_client, store, settings, task_queue=task_queue):
        recorded = await initiatives.send(iid, approve, request_id="approve-1")
        again = await impatient.send(iid, approve, request_id="approve-1")
    assert [e.type for e in recorded] == ["LaunchApproved"] and again == recorded
    assert [r.event.type for r in await store.read_stream(iid)] == ["InitiativeLaunched",
                                                                "LaunchApproved"]
