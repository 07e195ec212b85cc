"""What clients send to the initiative workflow and what they get back."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.commands import CommandEnvelope
from domain.deadlines import Deadline
from domain.envelope import GENESIS_HASH, Event
from domain.state import InitiativeState
from workflows.activity_contracts import Notification, TriageDue
from workflows.requests import RememberedRequest

# The ApplicationError type of a refusal by the rules; its first detail is the RejectionKind.
REJECTED = "Rejected"


def workflow_id_for(initiative_id: str) -> str:
    return f"initiative-{initiative_id}"


class PullLedger(BaseModel):
    """All the workflow keeps of an initiative's ideas, which live on their own stream: how far
    that stream is, and the one triage its timer waits for. Its size never grows with them."""

    model_config = ConfigDict(frozen=True)
    version: int = 0
    next_triage: TriageDue | None = None  # its escalation
    next_reminder: TriageDue | None = None  # the owner's reminder
    # How many ideas the stream holds (they are numbered idea-1, idea-2, ...), as last read, or
    # more: an append counts its new ideas before it is answered. None until known in the run.
    ideas: int | None = None


class InitiativeInput(BaseModel):
    """The workflow's start (and continue-as-new) argument.

    A new initiative carries its `launch` command; a continued one carries the folded `state`, the
    head hash, the requests it answered (bounded: `workflows.requests`) and the notifications
    still to send.
    """

    model_config = ConfigDict(frozen=True)
    initiative_id: str
    launch: CommandEnvelope | None = None
    state: InitiativeState | None = None
    head_hash: str = GENESIS_HASH
    requests: list[RememberedRequest] = Field(default_factory=list)
    # What runs begun before `requests` carried: request id -> the events it recorded.
    recent_requests: dict[str, list[Event]] = Field(default_factory=dict)
    outbox: list[Notification] = Field(default_factory=list)
    index_search_attributes: bool = True
    # Continue as new after this many history events; None leaves it to the server's suggestion.
    history_limit: int | None = None
    pull: PullLedger = PullLedger()


class MetricSourceProblem(BaseModel):
    """Why the metric source gave no reading for a check, and when it was last tried."""

    model_config = ConfigDict(frozen=True)
    check: int
    error: str
    tried_at: datetime
    attempts: int | None = None
    giving_up: bool = False  # the check now waits for the owner, or escalates


class InitiativeView(BaseModel):
    """What the workflow knows: the folded state, the head of its event chain, what it awaits."""

    model_config = ConfigDict(frozen=True)
    state: InitiativeState
    head_hash: str
    deadlines: list[Deadline]
    run_id: str
    metric_source: MetricSourceProblem | None = None
    pull: PullLedger = PullLedger()


class Answered(BaseModel):
    """What a person's command recorded, and where the initiative stands right after: all a
    door answers with, and nothing that grows with the initiative."""

    model_config = ConfigDict(frozen=True)
    events: list[Event]
    version: int
    phase: str


class Recorded(BaseModel):
    """What a person's command recorded, and the initiative right after it."""

    model_config = ConfigDict(frozen=True)
    events: list[Event]
    view: InitiativeView


class Undelivered(BaseModel):
    """A notice the workers could not deliver to `to`, for the initiative to record (its page
    shows who was not told, and why: one bounded line)."""

    model_config = ConfigDict(frozen=True)
    notification_id: str = Field(max_length=200)
    to: str = Field(max_length=320)
    reason: str = Field(max_length=500)
