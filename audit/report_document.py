"""The shape of the audit report (`audit.report.build_report`): what each section holds, for the
renderers to read by name. Values stay Python values (datetimes, numbers); the parts that are a
model's own dump (the spec, the pull figures, the benefit) keep that dump's shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, NotRequired, final

# pydantic reads these for the API's schema, and on Python 3.11 only in typing_extensions' form.
from typing_extensions import TypedDict

# A model's `model_dump()`, as pydantic types it.
Dumped = dict[str, Any]


class InitiativeFacts(TypedDict):
    id: str
    name: str
    phase: str
    version: int
    owner: str
    launched_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None


class TimelineLine(TypedDict):
    version: int
    at: datetime
    actor: str
    type: str
    what: str
    hash: str
    stream: NotRequired[Literal["pull"]]  # only on the ideas' events


class StepRow(TypedDict):
    id: str
    title: str
    assignee: str
    status: str
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    evidence: str | None


# The rows read from events' payloads as recorded (send-backs, regressions, response plans,
# acceptances) hold None where an event lacks a field.
class SendBack(TypedDict):
    at: datetime
    by: str
    reason: str | None
    reopened: list[str] | None


class Handoff(TypedDict):
    delivered_at: datetime | None
    delivered_value: float | None
    accepted_at: datetime | None
    approved_at: datetime | None
    expert_on_call_until: datetime | None
    send_backs: list[SendBack]
    steps: list[StepRow]


class CheckRow(TypedDict):
    number: int
    due_at: datetime
    status: str
    reading: float | None
    retention: float | None
    rules: list[str]
    judged_at: datetime | None


class ReadingRow(TypedDict):
    at: datetime
    value: float
    actor: str


class RegressionRow(TypedDict):
    at: datetime
    by: str
    check: int | None
    reading: float | None
    retention: float | None
    rules: list[str] | None
    reason: str | None


class ResponsePlanRow(TypedDict):
    at: datetime
    by: str
    action: str | None
    due_at: str | None  # as the payload holds it: ISO 8601 text


class EscalationRow(TypedDict):
    at: datetime
    subject: str
    reason: str
    to: str


class IdeaRow(TypedDict):
    id: str
    text: str
    submitted_by: str
    submitted_at: datetime
    status: str
    triage_due_at: datetime
    triaged_at: datetime | None
    reason: str | None
    delivered_at: datetime | None
    supporters: list[str]
    duplicate_of: str | None
    triaged_on_time: bool | None


class StepTakenOver(TypedDict):
    """A step as the acceptance recorded it (`events.AcceptedStep`, as JSON)."""

    step_id: str
    title: str
    completed_by: str | None
    completed_at: str | None
    evidence: str


class AcceptanceRow(TypedDict):
    at: datetime
    by: str
    statement: str | None  # None: recorded before the owner signed a statement
    steps: list[StepTakenOver] | None  # None: recorded before acceptances named their steps


class CommitmentRow(TypedDict):
    kind: str
    subject: str
    person: str
    due_at: datetime
    delivered_at: datetime | None
    verdict: str
    settled: str | None


class Commitments(TypedDict):
    tally: dict[str, int]
    items: list[CommitmentRow]


@final  # told apart from WitnessedHead by its keys
class HeadRow(TypedDict):
    version: int
    hash: str


@final
class WitnessedHead(TypedDict):
    source: str
    version: int
    hash: str


class FirstBreak(TypedDict):
    version: int | None
    reason: str


class Verification(TypedDict):
    intact: bool
    events_checked: int
    head_hash: str
    head_row: HeadRow | None
    workflow: WitnessedHead | None
    workflow_note: str
    first_break: FirstBreak | None
    notes: list[str]


class AuditReport(TypedDict):
    initiative: InitiativeFacts
    generated_at: datetime
    spec: Dumped
    timeline: list[TimelineLine]
    handoff: Handoff
    checks: list[CheckRow]
    readings: list[ReadingRow]
    regressions: list[RegressionRow]
    response_plans: list[ResponsePlanRow]
    escalations: list[EscalationRow]
    ideas: list[IdeaRow]
    acceptances: list[AcceptanceRow]
    benefit: Dumped | None
    pull: Dumped
    commitments: Commitments
    verification: Verification
    pull_verification: Verification | None
