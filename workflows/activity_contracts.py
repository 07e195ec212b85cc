"""What workflows send to activities and get back: plain models, no I/O imports.

Workflows call activities by these names, so the workflow sandbox never imports asyncpg or httpx.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from domain.envelope import Event
from domain.pull_rules import PullSlice
from domain.spec import MetricSource

APPEND_EVENTS = "append_events"
NOTIFY = "notify"
PLAN_MAIL = "plan_mail"  # which of a notification's addressees get it by e-mail
SEND_MAIL = "send_mail"
NEXT_DIGEST = "next_digest"
SEND_DIGESTS = "send_digests"
MAIL_REFUSED = "MailRefused"  # the ApplicationError type of a permanent SMTP refusal
READ_METRIC = "read_metric"
READ_RECORDED = "read_recorded"
READ_PULL_SLICE = "read_pull_slice"
APPEND_PULL_EVENTS = "append_pull_events"
# The error type an append fails with when the store refuses its events: not worth retrying.
INVALID_APPEND = "InvalidAppend"


class _Contract(BaseModel):
    model_config = ConfigDict(frozen=True)


class Notification(_Contract):
    """What someone must hear; `notification_id` is the id of the event behind it (and, when
    one event tells several people different things, what it tells them), so a receiver that
    sees it twice (a retried delivery) can drop the copy."""

    notification_id: str
    initiative_id: str
    initiative_name: str
    kind: str
    to: list[str]
    message: str
    # What a message needs besides (a webhook receives only the fields above).
    subject: str = ""
    due_at: datetime | None = None
    page: str = ""  # the web page where it is done, relative to BATON_PUBLIC_URL
    details: list[str] = []


class AppendRequest(_Contract):
    initiative_id: str
    expected_version: int
    events: list[Event]
    request_id: str | None = None  # the person's request key (workflows.requests), if any
    # What the events must tell people, kept in the store with them (store/notices.py) and
    # delivered from there. Runs begun before keep their notices in the workflow instead.
    notices: list[Notification] = []


class RecordedRequest(_Contract):
    """The versions a request recorded, to read back from the store for its retry."""

    initiative_id: str
    first_version: int
    last_version: int


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


class PullSliceRequest(_Contract):
    """The ideas a front-line command names, and its sender's submissions since `since`;
    `known_version`: how far the workflow knows the pull stream."""

    initiative_id: str
    idea_ids: list[str]
    actor: str
    since: datetime
    known_version: int = 0


class TriageDue(_Contract):
    idea_id: str
    due_at: datetime
    submitted_at: datetime | None = None


class PullRead(_Contract):
    """`ahead`: events past `known_version` (a task that appended and was lost), with the
    requests that recorded them (`answered`: request key -> first, last version)."""

    pull: PullSlice
    next_triage: TriageDue | None = None
    next_reminder: TriageDue | None = None
    dues_read: bool = True  # False: the stream is where the workflow knew it, dues and all
    ahead: list[Event] = []
    answered: dict[str, tuple[int, int]] = {}


class PullAppendOutcome(AppendOutcome):
    """An append to a pull stream, and the idea whose triage falls due first after it (None:
    none awaits triage), which is all the workflow keeps of the ideas."""

    next_triage: TriageDue | None = None
    next_reminder: TriageDue | None = None




class MailRequest(_Contract):
    """One person's copy of a notification: retried on its own, so no one gets two."""

    notification: Notification
    to: str
    at: datetime  # the workflow's clock when it was sent: "due in 3 days" counts from here


class DigestRequest(_Contract):
    """What happened from `since` to `until`, and each person's open work at `until`."""

    since: datetime
    until: datetime


class MetricReadRequest(_Contract):
    initiative_id: str
    check: int
    source: MetricSource
