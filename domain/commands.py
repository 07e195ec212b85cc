"""What people (and the engine's own timers) ask of an initiative. `decide` judges each one."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from domain.durations import Duration
from domain.envelope import Provenance
from domain.spec import MAX_TEXT, WITHOUT_NUL, ActorId, InitiativeSpec, StepId, Text
from domain.text import multi_line, single_line

# The engine's own identity, for what its timers decide.
SYSTEM_ACTOR = "baton"

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                          max_length=MAX_TEXT), AfterValidator(multi_line)]
# Evidence says where the proof is (a document, a link, a record): the state keeps every step's,
# and the owner's acceptance records them all, so each is bounded more tightly than other text.
MAX_EVIDENCE = 1_000
Evidence = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_EVIDENCE),
                     AfterValidator(multi_line)]
IdeaId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                   AfterValidator(single_line)]


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    actor: ActorId


class _ValueCommand(_Command):
    value: float

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return value


class Launch(_Command):
    kind: Literal["launch"] = "launch"
    spec: InitiativeSpec


class ApproveLaunch(_Command):
    kind: Literal["approve_launch"] = "approve_launch"


class RejectLaunch(_Command):
    kind: Literal["reject_launch"] = "reject_launch"
    reason: Reason


class DeliverImprovement(_ValueCommand):
    kind: Literal["deliver"] = "deliver"


class CompleteStep(_Command):
    kind: Literal["complete_step"] = "complete_step"
    step_id: StepId
    evidence: Evidence = ""


class AcceptOwnership(_Command):
    kind: Literal["accept"] = "accept"


class ApproveReview(_Command):
    kind: Literal["approve_review"] = "approve_review"


class SendBack(_Command):
    kind: Literal["send_back"] = "send_back"
    reason: Reason
    reopen: list[StepId] = Field(default_factory=list, max_length=100)


class RecordReading(_ValueCommand):
    kind: Literal["reading"] = "reading"


class CorrectReading(_ValueCommand):
    """Replace the latest reading, which was mistyped; the record keeps both."""

    kind: Literal["correct_reading"] = "correct_reading"
    reason: Reason


class SubmitResponsePlan(_Command):
    kind: Literal["respond"] = "respond"
    action: Reason
    within: Duration


class SubmitIdea(_Command):
    kind: Literal["submit_idea"] = "submit_idea"
    text: Reason


class TriageIdea(_Command):
    kind: Literal["triage_idea"] = "triage_idea"
    idea_id: IdeaId
    adopt: bool
    reason: Text = ""
    duplicate_of: IdeaId | None = None  # with adopt=False: merge into that idea


class SupportIdea(_Command):
    kind: Literal["support_idea"] = "support_idea"
    idea_id: IdeaId


class MarkIdeaDelivered(_Command):
    kind: Literal["idea_delivered"] = "idea_delivered"
    idea_id: IdeaId


class AddFrontLine(_Command):
    kind: Literal["front_line_add"] = "front_line_add"
    person: ActorId


class RemoveFrontLine(_Command):
    kind: Literal["front_line_remove"] = "front_line_remove"
    person: ActorId


class ReassignOwner(_Command):
    kind: Literal["reassign"] = "reassign"
    owner: ActorId


class Cancel(_Command):
    kind: Literal["cancel"] = "cancel"
    reason: Reason


class Reopen(_Command):
    kind: Literal["reopen"] = "reopen"
    reason: Reason


# What the engine's timers ask; `domain.deadlines` says when.
class MarkStepOverdue(_Command):
    kind: Literal["step_overdue"] = "step_overdue"
    step_id: StepId


class Escalate(_Command):
    kind: Literal["escalate"] = "escalate"
    subject: str
    reason: str


class RemindDueSoon(_Command):
    kind: Literal["remind_due_soon"] = "remind_due_soon"
    subject: str
    due_at: datetime


class OpenCheck(_Command):
    kind: Literal["open_check"] = "open_check"
    check: int


class EndExpertOnCall(_Command):
    kind: Literal["end_expert_on_call"] = "end_expert_on_call"


class FlagStuck(_Command):
    """The engine's own: what it decided could not be recorded (see `events.InitiativeStuck`)."""

    kind: Literal["flag_stuck"] = "flag_stuck"
    reason: str
    command: str


class RecordUndelivered(_Command):
    """The engine's own record that a message was refused for good (a permanent SMTP answer)."""

    kind: Literal["undelivered"] = "undelivered"
    notification_id: str
    to: str
    reason: str


HumanCommand = (
    ApproveLaunch | RejectLaunch | DeliverImprovement | CompleteStep | AcceptOwnership
    | ApproveReview | SendBack | RecordReading | SubmitResponsePlan | SubmitIdea | TriageIdea
    | MarkIdeaDelivered | ReassignOwner | Cancel | Reopen | CorrectReading | SupportIdea
    | AddFrontLine | RemoveFrontLine
)
TimedCommand = MarkStepOverdue | Escalate | OpenCheck | EndExpertOnCall | RemindDueSoon
AnyCommand = Annotated[Launch | HumanCommand | TimedCommand | FlagStuck | RecordUndelivered,
                       Field(discriminator="kind")]


class CommandEnvelope(BaseModel):
    """A command as it travels to the workflow: the request id makes a retried call record once."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    request_id: Annotated[str, Field(min_length=1, max_length=128, pattern=WITHOUT_NUL)]
    command: AnyCommand
    # How the actor was authenticated; stamped on every event the command records.
    provenance: Provenance | None = None
