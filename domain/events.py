"""Every kind of event an initiative records, with its payload model and its schema version.

Events are stored as (type, schema_version, payload as JSON). Reading an old event first upcasts its
payload to the current version (see `domain.upcasting`), then validates it against the model here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from domain.envelope import Event, event_id_for
from domain.spec import InitiativeSpec
from domain.state import IdeaState


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.TYPE = cls.__name__


class InitiativeLaunched(Payload):
    spec: InitiativeSpec


class LaunchApproved(Payload):
    pass


class LaunchRejected(Payload):
    reason: str


class ImprovementDelivered(Payload):
    value: float


class StepCompleted(Payload):
    step_id: str
    evidence: str = ""


class StepReopened(Payload):
    step_id: str


class StepOverdue(Payload):
    step_id: str


class DueSoon(Payload):
    subject: str  # as Escalated's: the commitment whose due date nears
    due_at: datetime


class NotificationUndelivered(Payload):
    notification_id: str
    to: str
    reason: str


class Escalated(Payload):
    subject: str  # what is late: "step:<id>", "check:<n>", "response", "plan", "idea:<id>"
    reason: str
    to: str


def _unset(value: object) -> bool:
    return value is None


# A field added to an existing event is left out while unset, so events recorded before it keep
# their encoding and hash.
def optional(default: None = None) -> Any:
    return Field(default=default, exclude_if=_unset)


class AcceptedStep(BaseModel):
    """A handoff step as the owner took it over: who did it, when, and the proof."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    step_id: str
    title: str
    completed_by: str | None
    completed_at: datetime | None
    evidence: str


class OwnershipAccepted(Payload):
    # Absent from acceptances recorded before the owner signed a statement.
    statement: str | None = optional()
    steps: list[AcceptedStep] | None = optional()


class ReviewApproved(Payload):
    pass


class ReviewSentBack(Payload):
    reason: str
    reopened: list[str]


class CheckDue(Payload):
    check: int


class ReadingRecorded(Payload):
    value: float
    interim: bool | None = optional()  # True: no check was due; it answers none, and is kept


class ReadingCorrected(Payload):
    """The latest reading was mistyped: `value` replaces `previous`, and it is judged again."""

    previous: float
    value: float
    reason: str


class InitiativeStuck(Payload):
    """The engine could not record what `command` decided; that command waits for a fix."""

    reason: str
    command: str  # the command, as JSON


class CheckPassed(Payload):
    check: int
    reading: float
    retention: float


class RegressionDetected(Payload):
    check: int | None  # None: a reading outside any check showed the regression
    reading: float
    retention: float
    rules: list[str]
    reason: str


class ResponsePlanSubmitted(Payload):
    action: str
    due_at: datetime


class RecoveryConfirmed(Payload):
    reading: float
    retention: float


class IdeaSubmitted(Payload):
    idea_id: str
    text: str
    # When the owner's triage falls due. Ideas on the pull stream carry it, since that stream's
    # fold knows no spec; those recorded with the initiative have none (the spec says it).
    triage_due_at: datetime | None = None


class IdeaAdopted(Payload):
    idea_id: str
    reason: str = ""


class IdeaDeclined(Payload):
    idea_id: str
    reason: str


class IdeaDelivered(Payload):
    idea_id: str


class IdeaSupported(Payload):
    idea_id: str


class IdeaMarkedDuplicate(Payload):
    idea_id: str
    duplicate_of: str


class IdeaCarriedOver(Payload):
    """An idea recorded with the initiative before pull had a stream of its own, as it stood
    then: the first events of that initiative's pull stream."""

    idea: IdeaState


class PullSeparated(Payload):
    """From here on the initiative's ideas live on its pull stream, `ideas` of them carried over
    there; the initiative's own state holds none."""

    ideas: int


class FrontLineAdded(Payload):
    person: str


class FrontLineRemoved(Payload):
    person: str


class OwnerReassigned(Payload):
    previous: str
    owner: str


class ExpertOnCallEnded(Payload):
    pass


class Cancelled(Payload):
    reason: str


class Reopened(Payload):
    reason: str


class Sustained(Payload):
    pass


class ClosedRegressed(Payload):
    reason: str


PAYLOAD_TYPES: dict[str, type[Payload]] = {
    cls.TYPE: cls
    for cls in (
        InitiativeLaunched, LaunchApproved, LaunchRejected, ImprovementDelivered, StepCompleted,
        StepReopened, StepOverdue, Escalated, OwnershipAccepted, ReviewApproved, ReviewSentBack,
        CheckDue, ReadingRecorded, CheckPassed, RegressionDetected, ResponsePlanSubmitted,
        RecoveryConfirmed, IdeaSubmitted, IdeaAdopted, IdeaDeclined, IdeaDelivered,
        OwnerReassigned, ExpertOnCallEnded, Cancelled, Reopened, Sustained, ClosedRegressed,
        ReadingCorrected, InitiativeStuck, IdeaSupported, IdeaMarkedDuplicate, FrontLineAdded,
        FrontLineRemoved,
        DueSoon, NotificationUndelivered, IdeaCarriedOver, PullSeparated,
    )
}

P = TypeVar("P", bound=Payload)


def payload_of(event: Event) -> Payload:
    """The typed payload of a current-version event (upcast stored events first)."""
    try:
        model = PAYLOAD_TYPES[event.type]
    except KeyError:
        raise ValueError(f"unknown event type {event.type!r}") from None
    return model.model_validate(event.payload)


def make_event(
    initiative_id: str, sequence: int, payload: Payload, actor: str, at: datetime
) -> Event:
    return Event(
        event_id=event_id_for(initiative_id, sequence),
        initiative_id=initiative_id,
        sequence=sequence,
        type=payload.TYPE,
        schema_version=payload.VERSION,
        actor=actor,
        occurred_at=at,
        payload=payload.model_dump(mode="json"),
    )
