"""What workflows send to activities and get back: plain models, no I/O imports.

Workflows call activities by these names, so the workflow sandbox never imports asyncpg or httpx.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from domain.envelope import Event
from domain.spec import MetricSource

APPEND_EVENTS = "append_events"
NOTIFY = "notify"
READ_METRIC = "read_metric"
# The error type an append fails with when the store refuses its events: not worth retrying.
INVALID_APPEND = "InvalidAppend"


class _Contract(BaseModel):
    model_config = ConfigDict(frozen=True)


class AppendRequest(_Contract):
    initiative_id: str
    expected_version: int
    events: list[Event]
    request_id: str | None = None  # the person's request, when a person asked


class AppendOutcome(_Contract):
    """`recorded` holds the events as the store has them: the workflow folds these, so a replay
    of its history (which takes the outcome from the record, not from a new decision) rebuilds
    exactly the stored state. `appended` is False when the store already held other events
    from `expected_version` on (a task that appended and was lost): `recorded` then carries
    those, for the workflow to adopt before it decides again, and `answered` says which requests
    recorded which of them (request id -> first, last version)."""

    version: int
    head_hash: str
    appended: bool = True
    recorded: list[Event] = []
    answered: dict[str, tuple[int, int]] = {}


class Notification(_Contract):
    """A reminder or escalation; `notification_id` is the id of the event behind it, so a
    receiver that sees it twice (a retried delivery) can drop the copy."""

    notification_id: str
    initiative_id: str
    initiative_name: str
    kind: str
    to: list[str]
    message: str


class MetricReadRequest(_Contract):
    initiative_id: str
    check: int
    source: MetricSource
