"""The activity that records a workflow's decisions in the event store."""

from __future__ import annotations

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import APPEND_EVENTS, AppendOutcome, AppendRequest
from activities.store import ConcurrencyConflict, EventStore, Projection

log = structlog.get_logger("baton.recording")


class Recorder:
    def __init__(self, store: EventStore, project: Projection | None = None) -> None:
        """`project` updates read models in the append's own transaction (see EventStore)."""
        self._store = store
        self._project = project

    @activity.defn(name=APPEND_EVENTS)
    async def append_events(self, request: AppendRequest) -> AppendOutcome:
        """Idempotent: a retry after a lost answer finds its events stored and returns the same
        head; only a different history at that version is a conflict, and retrying cannot fix it.
        """
        info = activity.info()
        try:
            result = await self._store.append(
                request.initiative_id, request.expected_version, request.events,
                project=self._project)
        except ConcurrencyConflict as conflict:
            raise ApplicationError(str(conflict), type="ConcurrencyConflict",
                                   non_retryable=True) from conflict
        log.info("events appended", initiative_id=request.initiative_id,
                 workflow_id=info.workflow_id, run_id=info.workflow_run_id,
                 version=result.version, types=[e.type for e in request.events])
        return AppendOutcome(version=result.version, head_hash=result.head_hash)
