"""Commands with arbitrary values, and raw JSON that skips the client's own checks, sent to
initiatives in several phases: each is recorded whole or refused; a refusal records nothing, leaves
no trace in the workflow's history, and never fails a workflow task."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import event as note_outcome
from hypothesis import strategies as st
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain import Rejected
from domain.pull_stream import pull_stream_id
from store import EventStore
from tests.domain.builders import PMO
from tests.workflows.scenario import HANDOFF, quick_spec, store_agrees
from workflows.client import InitiativeClient
from workflows.contracts import workflow_id_for

from .strategies import commands, raw_envelopes

pytestmark = pytest.mark.usefixtures("worker")
# Nothing falls due during the test, so only the commands sent change the initiatives.
CALM = quick_spec(expert_on_call="1h",
                  sustainment={"checks": ["1h"], "tolerance": 0.8, "response_within": "1h"})
# A session is a fresh set of initiatives and a run of commands against them. Shrinking one
# would replay sessions for minutes; the failing command is in the assertion anyway.
SESSIONS = settings(max_examples=3, deadline=None, phases=[Phase.reuse, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
COMMANDS_PER_SESSION = 50
ANSWER_WITHIN_SECONDS = 10


class Zoo:
    """Initiatives in different phases, and the update ids each one refused."""

    def __init__(self, store: EventStore, initiatives: InitiativeClient) -> None:
        self.store = store
        self.initiatives = initiatives
        self.ids: list[str] = []
        self.refused: set[str] = set()

    async def populate(self) -> Zoo:
        for steps in (0, 2, len(HANDOFF)):  # proposed, handing off, sustaining
            iid = await self.initiatives.launch(CALM, PMO)
            for command in HANDOFF[:steps]:
                await self.initiatives.send(iid, command)
            self.ids.append(iid)
        return self

    async def version(self, iid: str, stream_id: str | None = None) -> int:
        head = await self.store.stream_head(stream_id or iid)
        return head.version if head else 0

    async def versions(self, iid: str) -> tuple[int, int]:
        """The initiative's stream and its pull stream (the ideas)."""
        return await self.version(iid), await self.version(iid, pull_stream_id(iid))

    @property
    def targets(self) -> st.SearchStrategy[str]:
        return st.sampled_from(self.ids)

    async def send(self, iid: str, update_id: str, send: Callable[[], Awaitable[Any]],
                   refusal: Callable[[Exception], bool]) -> None:
        before = await self.versions(iid)
        try:
            # A command the workflow accepts but cannot record would hang here, not fail.
            recorded = await asyncio.wait_for(send(), ANSWER_WITHIN_SECONDS)
        except Exception as error:
            if not refusal(error):
                raise
            assert await self.versions(iid) == before
            self.refused.add(update_id)
            note_outcome("refused")
            return
        note_outcome("recorded")
        # An untyped handle answers with the events' plain JSON.
        stream = {e["initiative_id"] if isinstance(e, dict) else e.initiative_id
                  for e in recorded} or {iid}
        assert len(stream) == 1
        (stream_id,) = stream
        first = before[0] if stream_id == iid else before[1]
        assert [e["sequence"] if isinstance(e, dict) else e.sequence for e in recorded] == list(
            range(first + 1, await self.version(iid, stream_id) + 1))

    async def check_histories(self, client: Client) -> None:
        """No refused update entered a history, no workflow task failed, and every workflow's
        state is still the fold of its stream."""
        for iid in self.ids:
            history = await client.get_workflow_handle(workflow_id_for(iid)).fetch_history()
            kinds = {event.event_type for event in history.events}
            assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in kinds
            accepted = {
                e.workflow_execution_update_accepted_event_attributes.accepted_request.meta
                .update_id for e in history.events
                if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED}
            assert not accepted & self.refused
            await store_agrees(self.store, self.initiatives, iid)


def raw_refusal(error: Exception) -> bool:
    """Without the client's translation, a refusal is a failed update, or, once a command has
    closed the initiative, the server's word that the workflow is gone."""
    return isinstance(error, WorkflowUpdateFailedError) or (
        isinstance(error, RPCError) and error.status == RPCStatusCode.NOT_FOUND)


@SESSIONS
@given(data=st.data())
async def test_typed_commands_with_arbitrary_values(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client,
    data: st.DataObject,
) -> None:
    zoo = await Zoo(store, initiatives).populate()
    for _ in range(COMMANDS_PER_SESSION):
        iid, command, request_id = data.draw(zoo.targets), data.draw(commands), uuid.uuid4().hex
        if command is None:
            note_outcome("not a valid command: the client cannot build it")
            continue
        # Typed commands pass the client's checks: only the rules may refuse them.
        await zoo.send(iid, request_id, partial(initiatives.send, iid, command, request_id),
                       refusal=lambda error: isinstance(error, Rejected))
    await zoo.check_histories(temporal_client)


@SESSIONS
@given(data=st.data())
async def test_raw_payloads_that_skip_client_validation(
    store: EventStore, initiatives: InitiativeClient, temporal_client: Client,
    data: st.DataObject,
) -> None:
    zoo = await Zoo(store, initiatives).populate()
    for _ in range(COMMANDS_PER_SESSION):
        iid, payload, update_id = data.draw(zoo.targets), data.draw(raw_envelopes()), (
            uuid.uuid4().hex)
        untyped = temporal_client.get_workflow_handle(workflow_id_for(iid))
        await zoo.send(iid, update_id, partial(untyped.execute_update, "execute", payload,
                                               id=update_id),
                       refusal=raw_refusal)
    await zoo.check_histories(temporal_client)
