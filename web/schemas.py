"""What the API answers, as the OpenAPI document describes it.

The handlers answer with the app's presenter (`web.responses.PresentedJSON`), byte for byte what
the CLI prints with `--json`; these models name the fields of those answers for the document and
for clients generated from it. `tests/web/test_api_schemas.py` holds them to the answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue

from app.audit import TimelineLine  # a line of the record, as the audit writes it
from app.feed import FeedPage
from app.show import Summary
from app.work import WorkItem
from domain.benefits import BenefitFigures
from domain.portfolio import Portfolio
from domain.pull import PullFigures
from domain.spec import Metric
from domain.state import Escalation, ResponsePlan, Undelivered

__all__ = [
    "PROBLEM_RESPONSES",
    "Acted",
    "AuditReport",
    "FeedPage",
    "IdeasPage",
    "Initiative",
    "InitiativeList",
    "MyWork",
    "Portfolio",
    "Problem",
    "Replayed",
    "Validated",
    "Verified",
]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(_Answer):
    """RFC 9457 `application/problem+json`: every refusal the API gives."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    # On 422, each problem with the input: `loc` (where: `body.value`, `query.as_of`, a spec's
    # field), `msg`, and for a YAML spec the `line` where known.
    errors: list[dict[str, str | int]] | None = None


def _problem(description: str) -> dict[str, Any]:
    # Written out rather than as a `model`, which FastAPI would file under application/json.
    return {"description": description,
            "content": {"application/problem+json": {"schema": Problem.model_json_schema()}}}


# Every route may answer so; the status a refusal of each kind gets is `app.errors.DOOR_ANSWERS`.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _problem("No credentials, or credentials that are unknown, expired or revoked"),
    403: _problem("The authenticated person may not do this"),
    404: _problem("No such initiative (or one the person may not see), step or idea"),
    409: _problem("Not in this phase, already done, or the initiative is closed"),
    422: _problem("The input is wrong; `errors` says where"),
    429: _problem("Too many failed authentications; `Retry-After` says when to try again"),
    503: _problem("Temporal, PostgreSQL or a worker did not answer; `Retry-After` says when "
                  "to try again, and an action is safe to send again with its Idempotency-Key"),
}


class Step(_Answer):
    id: str
    title: str
    status: str
    assignee: str
    due_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    evidence: str | None


class Check(_Answer):
    number: int
    due_at: datetime
    status: str
    reading: float | None
    retention: float | None
    rules: list[str]


class Idea(_Answer):
    id: str
    status: str
    text: str
    submitted_by: str
    submitted_at: datetime
    triage_due_at: datetime
    reason: str | None
    supporters: list[str]
    duplicate_of: str | None


class IdeasPage(_Answer):
    """A page of an initiative's ideas, in the order they came."""

    initiative_id: str
    ideas: list[Idea]
    next_after: int | None  # `after` for the next page; null on the last


class Deadline(_Answer):
    at: datetime
    what: str


class StuckSince(_Answer):
    reason: str
    since: datetime


class MetricSourceProblem(_Answer):
    check: int
    error: str
    tried_at: datetime
    attempts: int | None
    giving_up: bool


class PullShown(PullFigures):
    """The pull figures of an initiative, without those that move with the clock."""

    oldest_untriaged_seconds: float | None = None
    ideas_per_month: float | None = None


class Initiative(_Answer):
    """One initiative, as `baton show ID --json` prints it."""

    id: str
    name: str
    phase: str
    version: int
    head_hash: str | None
    owner: str
    sponsor: str
    pmo: str
    expert: str
    metric: Metric
    delivered_value: float | None
    launched_at: datetime | None
    updated_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None
    steps: list[Step]
    checks: list[Check]
    ideas: list[Idea]  # a page of them: `ideas_total` counts them all
    triage_queue: list[str]
    front_line: list[str] | None
    accepted_statement: str | None
    benefit: BenefitFigures | None
    pull: PullShown
    ideas_total: int
    response_plan: ResponsePlan | None
    escalations: list[Escalation]
    deadlines: list[Deadline]
    undelivered: list[Undelivered]
    run_id: str | None = None  # the workflow's run; absent where the state is replayed
    stuck: list[StuckSince]
    metric_source: MetricSourceProblem | None


class Validated(_Answer):
    """A launch with `dry_run`: the spec is valid, and nothing was recorded."""

    valid: bool
    name: str
    recorded: bool


class InitiativeList(_Answer):
    initiatives: list[Summary]


class RecordedEvent(_Answer):
    event_id: str
    initiative_id: str  # the stream: the initiative's, or its ideas' (`ID:pull`)
    sequence: int
    type: str
    schema_version: int
    actor: str
    occurred_at: datetime
    payload: dict[str, JsonValue]
    provenance: dict[str, str] | None = None  # how the door knew the actor, where recorded


class Standing(_Answer):
    id: str
    phase: str
    version: int


class Acted(_Answer):
    """What an action recorded (again, on a retry with its Idempotency-Key), and where the
    initiative stands: never the whole initiative (GET it for that)."""

    events: list[RecordedEvent]
    initiative: Standing


class OpenItem(WorkItem):
    url: str  # the initiative in the API


class MyWork(_Answer):
    items: list[OpenItem]


class ChainBreak(_Answer):
    version: int
    reason: str


class Replayed(_Answer):
    id: str
    as_of: datetime | None
    version: int
    latest_version: int
    head_hash: str | None
    intact: bool
    first_break: ChainBreak | None
    state: Initiative | None
    timeline: list[TimelineLine]


class Verified(_Answer):
    id: str
    ok: bool
    events: int
    phase: str | None
    head_hash: str | None
    broken_version: int | None
    reason: str | None
    head_row: dict[str, JsonValue] | None
    workflow: dict[str, JsonValue] | None
    workflow_note: str | None
    notes: list[str]


class AuditReport(BaseModel):
    """The audit report as JSON (`format=json`); its other formats say the same in Markdown or
    HTML. The parts beyond these are as `baton audit report --format json` writes them."""

    model_config = ConfigDict(extra="allow")
    initiative: dict[str, JsonValue]
    generated_at: datetime
    spec: dict[str, JsonValue]
    timeline: list[TimelineLine]
