"""What Temporal still holds of an initiative's workflow: the histories of its runs, and the head
each append handed back to it.

An initiative's workflow continues as new when its history grows, so its record is a chain of
runs, each started with the run before it as `continued_execution_run_id`. Temporal keeps a
closed run only for the namespace's retention period: the chain is walked back until it ends or
a run is gone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode

from workflows.activity_contracts import APPEND_EVENTS, AppendOutcome

from .findings import Checkpoint

# How the Temporal SDK core records a local activity's result: a marker with this name whose
# `data` detail describes the activity (JSON) and whose `result` detail is its return value.
LOCAL_ACTIVITY_MARKER = "core_local_activity"

_CLOSING_EVENTS = frozenset({
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
})


@dataclass(frozen=True, slots=True)
class RunChain:
    """The runs Temporal holds, oldest first. `complete` is False when older runs existed but
    are gone (retention), so the histories do not reach back to the launch."""

    workflow_id: str
    histories: Sequence[WorkflowHistory]
    complete: bool

    @property
    def finished(self) -> bool:
        """The last run is closed without continuing: the workflow records nothing more."""
        last = self.histories[-1].events
        return bool(last) and last[-1].event_type in _CLOSING_EVENTS


async def fetch_runs(client: Client, workflow_id: str) -> RunChain | None:
    """The workflow's runs, or None when Temporal holds none of them."""
    histories: list[WorkflowHistory] = []
    run_id: str | None = None
    while True:
        try:
            history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
            if not histories:
                return None
            return RunChain(workflow_id, histories[::-1], complete=False)
        histories.append(history)
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id or None
        if run_id is None:
            return RunChain(workflow_id, histories[::-1], complete=True)


def append_checkpoints(histories: Sequence[WorkflowHistory]) -> tuple[Checkpoint, ...]:
    """The head each recorded append gave back, read straight from the markers: no replay, so
    it works for any history, whatever the code does today."""
    found = []
    for history in histories:
        for event in history.events:
            if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
                continue
            marker = event.marker_recorded_event_attributes
            if marker.marker_name != LOCAL_ACTIVITY_MARKER or "result" not in marker.details:
                continue  # another marker, or an append that failed
            described = json.loads(marker.details["data"].payloads[0].data)
            if described.get("activity_type") != APPEND_EVENTS:
                continue
            [outcome] = pydantic_data_converter.payload_converter.from_payloads(
                marker.details["result"].payloads, [AppendOutcome])
            found.append(Checkpoint(outcome.version, outcome.head_hash))
    return tuple(found)
