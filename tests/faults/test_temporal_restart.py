"""The Temporal server stopped and started again on the same SQLite file and port while
initiatives are mid-handoff and waiting on timers: the same workflow runs carry on, timers that
fell due while it was down fire, and every initiative closes with its record intact."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client

from devstack.embedded_temporal import FREE_PORT, EmbeddedTemporal, start_embedded_temporal
from domain import Phase
from store import EventStore
from tests.workflows.metric_source import LOOPBACK_HOSTS, LOOPBACK_SOURCES, serve_metric
from tests.workflows.scenario import HANDOFF
from workers.settings import Settings
from workers.temporal_client import connect_client
from workers.worker import build_worker
from workflows.client import InitiativeClient

from .integrity import check_integrity
from .lifecycles import UNATTENDED_RECORD, Ledger, unattended_spec

HANDED_OVER, MID_HANDOFF = 4, 3
OUTAGE_SECONDS = 2.0
# The server stops within moments of the handoffs, so the end of the expert's on-call (and
# often the first check) falls due while it is down, and the last check after it is back.
ON_CALL = timedelta(seconds=3)
SUSTAINMENT = {"checks": ["1s", "5s"], "tolerance": 0.8, "response_within": "1h"}


class RestartableTemporal:
    """A dev server of this test's own (stopping the session's would break every other test),
    restarted on the same SQLite file and port."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._port = FREE_PORT
        self.server: EmbeddedTemporal | None = None

    @property
    def address(self) -> str:
        assert self.server is not None
        return self.server.address

    async def start(self) -> None:
        self.server = await start_embedded_temporal(self._data_dir, port=self._port,
                                                    ui_port=None)
        self._port = int(self.server.address.rpartition(":")[2])

    async def stop(self) -> None:
        if self.server is not None:
            await asyncio.to_thread(self.server.stop)

    async def restart(self, downtime: float) -> None:
        await self.stop()
        await asyncio.sleep(downtime)
        await self.start()


@pytest.fixture
async def temporal(tmp_path: Path) -> AsyncIterator[RestartableTemporal]:
    server = RestartableTemporal(tmp_path / "temporal")
    await server.start()
    yield server
    await server.stop()


async def test_workflows_resume_and_timers_fire_after_a_temporal_restart(
    temporal: RestartableTemporal, store: EventStore, task_queue: str,
) -> None:
    client: Client = await connect_client(Settings.from_env({}), address=temporal.address)
    initiatives = InitiativeClient(client, task_queue, source_hosts=LOOPBACK_HOSTS)
    ledger = Ledger()
    with serve_metric([5.0]) as source:
        spec = unattended_spec(source.url, expert_on_call=ON_CALL, sustainment=SUSTAINMENT)
        settings = Settings.from_env({"BATON_METRIC_SOURCE_HOSTS": LOOPBACK_SOURCES})
        async with build_worker(client, store, settings, task_queue=task_queue):
            waiting = [await ledger.launch(initiatives, spec) for _ in range(HANDED_OVER)]
            halfway = [await ledger.launch(initiatives, spec) for _ in range(MID_HANDOFF)]
            # Concurrently, so that the first timers are still pending when the server stops.
            await asyncio.gather(*(ledger.send_each(initiatives, iid, HANDOFF) for iid in waiting),
                                 *(ledger.send_each(initiatives, iid, HANDOFF[:3])
                                   for iid in halfway))
            runs = {iid: (await initiatives.view(iid)).run_id for iid in waiting + halfway}

            await temporal.restart(OUTAGE_SECONDS)
            back = datetime.now(UTC)
            await asyncio.gather(*(ledger.send_each(initiatives, iid, HANDOFF[3:])
                                   for iid in halfway))
            async with asyncio.timeout(60):
                ends = await asyncio.gather(*(ledger.finish(initiatives, iid) for iid in runs))

    assert {end.state.phase for end in ends} == {Phase.SUSTAINED}
    assert {iid: end.run_id for iid, end in zip(runs, ends, strict=True)} == runs
    integrity = await check_integrity(store, ledger, UNATTENDED_RECORD)
    assert integrity.ok, integrity
    on_calls = [await on_call_ended(store, iid) for iid in waiting]
    assert any(due < back <= ended for due, ended in on_calls), (back, on_calls)


async def on_call_ended(store: EventStore, iid: str) -> tuple[datetime, datetime]:
    """When the expert's on-call was due to end, and when its timer fired."""
    events = {r.event.type: r.event.occurred_at for r in await store.read_stream(iid)}
    return events["ReviewApproved"] + ON_CALL, events["ExpertOnCallEnded"]
