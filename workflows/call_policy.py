"""How a call to the servers Baton depends on is bounded, retried, and told to a person.

One budget per call: the caller sets how long the whole call may take (a door's answer timeout),
and every wait inside it derives from what is left of it. An attempt at an update waits for an
equal share of the time left over the attempts left, so every configured attempt runs before
the budget ends; a pause before asking again is taken only if it ends before the budget does.

Failures of Temporal and PostgreSQL become the app's typed refusals here and nowhere else: a
`domain.Rejected` whose kind each door answers in its own terms (`app.errors.DOOR_ANSWERS`).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from temporalio.api.errordetails.v1 import WorkflowNotReadyFailure
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain import Rejected, RejectionKind
from workflows.contracts import REJECTED

# How many times an update is sent before the caller hears that no worker confirmed it. The
# server can lose an update that lands as the workflow continues as new; the same request id
# makes asking again safe.
UPDATE_ATTEMPTS = 4
# The first pause when Temporal says "not now", doubled each time up to the longest.
FIRST_PAUSE = 0.05
LONGEST_PAUSE = 6.4


@dataclass(frozen=True)
class Budget:
    """The time one call may take, as a deadline on the event loop's clock."""

    deadline: float
    attempts: int = UPDATE_ATTEMPTS

    @classmethod
    def of(cls, seconds: float, attempts: int = UPDATE_ATTEMPTS) -> Budget:
        """A budget of `seconds` from now (inside a running event loop)."""
        return cls(asyncio.get_running_loop().time() + seconds, attempts)

    def remaining(self) -> float:
        return max(0.0, self.deadline - asyncio.get_running_loop().time())

    def attempt_deadline(self, attempts_left: int) -> float:
        """When the next of `attempts_left` attempts gives up."""
        now = asyncio.get_running_loop().time()
        return now + attempt_share(self.deadline - now, attempts_left)


def attempt_share(remaining: float, attempts_left: int) -> float:
    """How long the next attempt may wait: an equal share of what is left, so that the attempts
    after it still get theirs."""
    return max(0.0, remaining) / max(1, attempts_left)


def pauses() -> Iterator[float]:
    """The pauses between tries when Temporal says "not now": doubling, then steady."""
    pause = FIRST_PAUSE
    while True:
        yield pause
        pause = min(pause * 2, LONGEST_PAUSE)


def fits(pause: float, remaining: float) -> bool:
    """Whether a pause leaves time to ask again before the budget ends."""
    return pause < remaining


async def pause_within(budget: Budget, waits: Iterator[float], refusal: Exception) -> None:
    """Waits the next of `waits`, or raises `refusal` when it would not end within `budget`."""
    pause = next(waits)
    if not fits(pause, budget.remaining()):
        raise refusal
    await asyncio.sleep(pause)


# What Temporal's answers mean.

def workflow_refusal(error: BaseException) -> Rejected | None:
    """The workflow's own refusal, wherever in the chain of causes the client put it."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ApplicationError) and cause.type == REJECTED:
            return Rejected(cause.message, _kind(cause.details))
        cause = cause.__cause__
    return None


def _kind(details: Any) -> RejectionKind:
    """The kind the workflow sent; a refusal recorded before kinds existed is a conflict."""
    try:
        return RejectionKind(details[0])
    except (IndexError, TypeError, ValueError):
        return RejectionKind.CONFLICT


def _not_ready(error: RPCError) -> bool:
    return any(detail.Is(WorkflowNotReadyFailure.DESCRIPTOR)
               for detail in error.grpc_status.details)


def update_held_back(error: RPCError) -> bool:
    """The server bounds the updates in flight per workflow, and holds them back while the
    workflow's task is being retried (its worker died or failed it): both pass."""
    return error.status == RPCStatusCode.RESOURCE_EXHAUSTED or _not_ready(error)


def run_starting(error: RPCError) -> bool:
    """A run that has just begun (continued as new, or woken by a timer) answers queries once
    its first task is scheduled: moments, not a reason to refuse."""
    return error.status == RPCStatusCode.FAILED_PRECONDITION or _not_ready(error)


def busy(initiative_id: str) -> Rejected:
    return Rejected(f"initiative {initiative_id} is busy with other commands; send this one "
                    "again with the same request id", RejectionKind.UNAVAILABLE)


def unconfirmed(initiative_id: str) -> Rejected:
    # The server may still hold the update for a worker, and record it later; a retry with the
    # same request id then answers with what it recorded.
    return Rejected(f"no worker confirmed the command on initiative {initiative_id} in time",
                    RejectionKind.UNAVAILABLE)


def unknown(initiative_id: str) -> Rejected:
    return Rejected(f"unknown initiative {initiative_id}", RejectionKind.NOT_FOUND)


def unavailable(reason: str) -> Rejected:
    return Rejected(reason, RejectionKind.UNAVAILABLE)


# Every failure of the servers below, as a person reads it.

# A Temporal call that failed on its way (a connection dropped or reset, the server shedding
# load), not for what it asked: the same call may well be answered a moment later.
_IN_TRANSIT = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED,
               RPCStatusCode.CANCELLED)


def lost_in_transit(error: BaseException) -> bool:
    return isinstance(error, RPCError) and error.status in _IN_TRANSIT


def refusal_of(error: BaseException, *, temporal_address: str, db_schema: str) -> Rejected | None:
    """The refusal a failure of Temporal or PostgreSQL means, or None for anything else (a bug).

    Only what the caller already loaded can have raised: nothing is imported to find out."""
    if isinstance(error, Rejected):
        return error
    refused = workflow_refusal(error)
    if refused is not None:
        return refused
    if lost_in_transit(error):
        assert isinstance(error, RPCError)
        return unavailable(f"lost Temporal at {temporal_address}: {error.message}")
    return _database_refusal(error, db_schema)


def _database_refusal(error: BaseException, schema: str) -> Rejected | None:
    asyncpg = sys.modules.get("asyncpg")
    if asyncpg is None:
        return None
    if isinstance(error, asyncpg.UndefinedTableError | asyncpg.InvalidSchemaNameError):
        return unavailable(f"the database holds no Baton event store in schema {schema!r}: "
                           "check BATON_DB_SCHEMA and the database URL")
    if isinstance(error, asyncpg.InsufficientPrivilegeError):
        return unavailable(f"the database user may not read schema {schema!r} ({error}): "
                           "make it a member of baton_auditor (see the README)")
    if isinstance(error, OSError | asyncpg.PostgresConnectionError | asyncpg.InterfaceError):
        return unavailable(f"lost PostgreSQL: {error}")
    return None
