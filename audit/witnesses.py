"""The workflow as a witness of where each stream should end.

The live workflow answers its `view` query with the head it was last told. A finished workflow
answers too, replayed by a worker; when no worker answers, its history still holds the head each
append returned. Once Temporal has forgotten the workflow (retention), only the head row is left.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from workflows.contracts import workflow_id_for
from workflows.initiative import InitiativeWorkflow

from .findings import Checkpoint, Witnessed, WorkflowWitness
from .history import append_checkpoints, fetch_runs

QUERY_TIMEOUT = 5.0
CONCURRENT_QUERIES = 16

class TemporalWitnesses:
    """`ask_workers=False` reads histories only: for when no worker polls the task queue, where
    every query would wait out its timeout."""

    def __init__(self, client: Client, *, ask_workers: bool = True,
                 query_timeout: float = QUERY_TIMEOUT) -> None:
        self._client = client
        self._ask_workers = ask_workers
        self._query_timeout = query_timeout

    async def witnesses(self, initiative_ids: Sequence[str]) -> dict[str, Witnessed]:
        """Every witness, asked a few at a time."""
        gate = asyncio.Semaphore(CONCURRENT_QUERIES)

        async def one(initiative_id: str) -> Witnessed:
            async with gate:
                return await self.witness(initiative_id)

        found = await asyncio.gather(*(one(iid) for iid in initiative_ids))
        return dict(zip(initiative_ids, found, strict=True))

    async def witness(self, initiative_id: str) -> Witnessed:
        if self._ask_workers:
            asked = await self._query(initiative_id)
            if asked is not None:
                return asked
        return await self._from_history(initiative_id)

    async def checkpoints(self, initiative_id: str) -> tuple[Checkpoint, ...]:
        try:
            runs = await fetch_runs(self._client, workflow_id_for(initiative_id))
        except RPCError:
            return ()
        return append_checkpoints(runs.histories) if runs else ()

    async def _query(self, initiative_id: str) -> Witnessed | None:
        """The workflow's own answer; None when no worker gave one in time."""
        handle = self._client.get_workflow_handle_for(
            InitiativeWorkflow.run, workflow_id_for(initiative_id))
        try:
            view = await asyncio.wait_for(
                handle.query(InitiativeWorkflow.view,
                             rpc_timeout=timedelta(seconds=self._query_timeout)),
                self._query_timeout + 1)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return None, _FORGOTTEN
            return None
        except (TimeoutError, WorkflowQueryFailedError):
            return None
        finished = not view.state.is_open and view.state.version > 0
        return WorkflowWitness(view.state.version, view.head_hash, "its view",
                               finished=finished), "the workflow's view"

    async def _from_history(self, initiative_id: str) -> Witnessed:
        try:
            runs = await fetch_runs(self._client, workflow_id_for(initiative_id))
        except RPCError as error:
            return None, f"Temporal did not answer: {error.message}"
        if runs is None:
            return None, _FORGOTTEN
        checkpoints = append_checkpoints(runs.histories)
        if not checkpoints:
            return None, "the workflow's history holds no append"
        last = checkpoints[-1]
        witness = WorkflowWitness(last.version, last.head_hash, "its history",
                                  finished=runs.finished, checkpoints=checkpoints)
        return witness, "the workflow's history (no worker answered)"


_FORGOTTEN = ("Temporal no longer holds the workflow (retention); the head row is the only "
              "witness")
