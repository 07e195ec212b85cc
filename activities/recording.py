"""The activity that records a workflow's decisions in the event store."""

from __future__ import annotations

import structlog
from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.envelope import Event
from domain.events import payload_of
from domain.pull_stream import initiative_of_pull, pull_stream_id
from domain.upcasting import upcast
from store import ConcurrencyConflict, EventStore, IdempotencyConflict, InvalidAppend, Projection
from store.notices import NoticeQueue
from store.pull import PullIdeas
from store.pull import TriageDue as StoredDue
from store.requests import RequestLog
from store.statements import LAST_VERSION
from workflows.activity_contracts import (
    APPEND_EVENTS,
    APPEND_PULL_EVENTS,
    INVALID_APPEND,
    READ_PULL_SLICE,
    READ_RECORDED,
    AppendOutcome,
    AppendRequest,
    PullAppendOutcome,
    PullRead,
    PullSliceRequest,
    RecordedRequest,
    TriageDue,
)

log = structlog.get_logger("baton.recording")


def _validate(request: AppendRequest) -> None:
    """Every event must be one the domain can fold: a figure that did not survive the trip here
    (the data converter turns an infinity into null) is refused rather than recorded."""
    for event in request.events:
        try:
            payload_of(upcast(event))
        except ValueError as error:  # pydantic's ValidationError is one
            raise InvalidAppend(f"event {event.sequence} ({event.type}) is not valid: "
                                f"{plain_problem(error)}") from error


def plain_problem(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return str(error)


class Recorder:
    def __init__(self, store: EventStore, project: Projection | None = None) -> None:
        """`project` updates read models in the append's own transaction (see EventStore)."""
        self._store = store
        self._project = project
        self._requests = RequestLog(store.schema)
        self._pull = PullIdeas(store.schema)
        self._notices = NoticeQueue(store.schema)

    @activity.defn(name=APPEND_EVENTS)
    async def append_events(self, request: AppendRequest) -> AppendOutcome:
        """Idempotent: a retry after a lost answer finds its events stored and returns the same
        head; only a different history at that version is a conflict, and retrying cannot fix it.
        """
        info = activity.info()
        try:
            _validate(request)
            result = await self._store.append(
                request.initiative_id, request.expected_version, request.events,
                project=self._keeping_notices(request, self._requests.recording(
                    request.request_id, self._project)))
        except (ConcurrencyConflict, IdempotencyConflict) as conflict:
            return await self._store_is_ahead(request, conflict)
        except InvalidAppend as invalid:
            # The same events would be refused again on every retry, and the workflow's
            # commands queue behind this one: fail at once, the workflow flags itself stuck.
            log.error("events refused by the store", initiative_id=request.initiative_id,
                      workflow_id=info.workflow_id, reason=str(invalid))
            raise ApplicationError(str(invalid), type=INVALID_APPEND,
                                   non_retryable=True) from invalid
        log.info("events appended", initiative_id=request.initiative_id,
                 workflow_id=info.workflow_id, run_id=info.workflow_run_id,
                 version=result.version, types=[e.type for e in request.events])
        return AppendOutcome(version=result.version, head_hash=result.head_hash,
                             recorded=list(request.events))

    def _keeping_notices(self, request: AppendRequest,
                         then: Projection | None) -> Projection | None:
        if not request.notices or not request.events:
            return then
        return self._notices.keeping(
            request.notices[0].initiative_id, request.events[-1].occurred_at,
            [(n.notification_id, n.model_dump_json()) for n in request.notices], then)

    @activity.defn(name=APPEND_PULL_EVENTS)
    async def append_pull_events(self, request: AppendRequest) -> PullAppendOutcome:
        """`append_events` to an initiative's pull stream, answered with the next triage due."""
        initiative_id = initiative_of_pull(request.initiative_id)
        if initiative_id is None:
            raise ApplicationError(f"{request.initiative_id!r} is not a pull stream",
                                   type=INVALID_APPEND, non_retryable=True)
        outcome = await self.append_events(request)
        triage, reminder = await self._next_dues(initiative_id)
        return PullAppendOutcome(**dict(outcome), next_triage=triage, next_reminder=reminder)

    @activity.defn(name=READ_PULL_SLICE)
    async def read_pull_slice(self, request: PullSliceRequest) -> PullRead:
        pull = await self._pull.slice(self._store.pool, request.initiative_id, request.idea_ids,
                                      request.actor, request.since)
        if pull.version <= request.known_version:
            # Only the workflow's own appends move the stream, and each answered with what
            # falls due next: the workflow knows it already.
            return PullRead(pull=pull, dues_read=False)
        triage, reminder = await self._next_dues(request.initiative_id)
        read = PullRead(pull=pull, next_triage=triage, next_reminder=reminder)
        stream = pull_stream_id(request.initiative_id)
        ahead = await self._store.read_versions(stream, request.known_version + 1, pull.version)
        answered = await self._requests.since(self._store, stream, request.known_version)
        return read.model_copy(update={"ahead": [r.event for r in ahead], "answered": answered})

    async def _next_dues(self, initiative_id: str) -> tuple[TriageDue | None, TriageDue | None]:
        """The next triage to escalate and the next to remind the owner of."""
        triage, reminder = await self._pull.next_dues(self._store.pool, initiative_id)
        return _due(triage), _due(reminder)

    @activity.defn(name=READ_RECORDED)
    async def read_recorded(self, request: RecordedRequest) -> list[Event]:
        """The events a request recorded, for its retry in a later run of the workflow."""
        recorded = await self._store.read_versions(
            request.initiative_id, request.first_version, request.last_version)
        return [r.event for r in recorded]

    async def _store_is_ahead(self, request: AppendRequest, conflict: Exception) -> AppendOutcome:
        """The store holds events this workflow has not seen: a workflow task that appended and
        was then lost (a worker crash, a timed-out task) and is now deciding again, perhaps at a
        later time or in another order. The store is the record, so they go back to the workflow.
        """
        ahead = await self._store.read_versions(
            request.initiative_id, request.expected_version + 1, LAST_VERSION)
        if not ahead:
            raise ApplicationError(str(conflict), type="ConcurrencyConflict",
                                   non_retryable=True) from conflict
        log.warning("store ahead of workflow; returning its events", reason=str(conflict),
                    initiative_id=request.initiative_id, expected=request.expected_version,
                    recorded=ahead[-1].version)
        answered = await self._requests.since(
            self._store, request.initiative_id, request.expected_version)
        return AppendOutcome(version=ahead[-1].version, head_hash=ahead[-1].hash, appended=False,
                             recorded=[r.event for r in ahead], answered=answered)


def _due(found: StoredDue | None) -> TriageDue | None:
    return None if found is None else TriageDue(idea_id=found.idea_id, due_at=found.due_at,
                                                submitted_at=found.submitted_at)
