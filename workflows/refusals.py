"""How the initiative workflow says no: a refusal by the rules as the ApplicationError a client
reads, and the store's own refusal told apart from any other failure of an append."""

from __future__ import annotations

from temporalio.exceptions import ActivityError, ApplicationError

from domain import Rejected, RejectionKind
from domain.text import for_one_line
from workflows.activity_contracts import INVALID_APPEND
from workflows.contracts import REJECTED

MAX_STUCK_REASON = 1000


def refused_by_store(error: ActivityError | ApplicationError) -> str | None:
    """The store's reason when it refused the events as they are (None: any other failure).
    A local activity's failure arrives as its ApplicationError itself, not wrapped."""
    cause = error.cause if isinstance(error, ActivityError) else error
    if isinstance(cause, ApplicationError) and cause.type == INVALID_APPEND:
        return for_one_line(cause.message)[:MAX_STUCK_REASON]
    return None


def reused(request_id: str) -> Rejected:
    return Rejected(f"request id {request_id!r} was already used for another command: a retry "
                    "repeats the same action with the same arguments; send a new request id "
                    "for a new command", RejectionKind.INVALID)


def as_application_error(rejected: Rejected) -> ApplicationError:
    # The kind travels in the details, so a client never needs to read the message.
    return ApplicationError(rejected.reason, rejected.kind.value, type=REJECTED,
                            non_retryable=True)
