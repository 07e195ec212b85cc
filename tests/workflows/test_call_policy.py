"""The call policy: every attempt fits in the caller's budget, every pause ends inside it, and
each failure of Temporal or PostgreSQL means one refusal. No server: the client's handle is a
stand-in that never answers, or always says "not now"."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any, cast

import asyncpg
import pytest
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from app.context import ANSWER_TIMEOUT
from domain import Rejected, RejectionKind
from domain import commands as c
from tests.domain.builders import SPONSOR
from workflows import call_policy as policy
from workflows.call_policy import Budget
from workflows.client import InitiativeClient
from workflows.contracts import REJECTED

WHERE = {"temporal_address": "temporal.example:7233", "db_schema": "baton"}


def shares_when_each_attempt_runs_out(total: float, attempts: int) -> list[float]:
    remaining, shares = total, []
    for attempts_left in range(attempts, 0, -1):
        share = policy.attempt_share(remaining, attempts_left)
        shares.append(share)
        remaining -= share
    return shares


@pytest.mark.parametrize(("total", "attempts"), [(ANSWER_TIMEOUT, policy.UPDATE_ATTEMPTS),
                                                 (60.0, 4), (1.2, 4), (5.0, 1), (0.3, 7)])
def test_every_attempt_gets_a_share_and_together_they_fit_the_budget(
        total: float, attempts: int) -> None:
    shares = shares_when_each_attempt_runs_out(total, attempts)
    assert len(shares) == attempts and all(share > 0 for share in shares)
    assert sum(shares) == pytest.approx(total)


def test_time_spent_waiting_shrinks_the_attempts_left_alike() -> None:
    # Half the budget went on pauses before the first attempt: the four still share the rest.
    assert shares_when_each_attempt_runs_out(ANSWER_TIMEOUT / 2, 4) == [ANSWER_TIMEOUT / 8] * 4
    assert policy.attempt_share(-1.0, 3) == 0.0  # past the deadline: no wait at all


@pytest.mark.parametrize("total", [0.01, 0.4, 3.0, ANSWER_TIMEOUT])
def test_pauses_taken_always_end_inside_the_budget(total: float) -> None:
    remaining = total
    for pause in itertools.islice(policy.pauses(), 100):
        if not policy.fits(pause, remaining):
            break
        remaining -= pause
    assert 0 < remaining <= total


def test_pauses_double_up_to_the_longest() -> None:
    first = list(itertools.islice(policy.pauses(), 10))
    assert first[:3] == [policy.FIRST_PAUSE, 2 * policy.FIRST_PAUSE, 4 * policy.FIRST_PAUSE]
    assert first[-1] == policy.LONGEST_PAUSE == max(first)


class _Handle:
    """A workflow handle whose updates never get an answer, or are always held back."""

    def __init__(self, held_back: bool) -> None:
        self.held_back = held_back
        self.sent = 0

    async def execute_update(self, *args: Any, **kwargs: Any) -> Any:
        self.sent += 1
        if self.held_back:
            raise RPCError("too many updates", RPCStatusCode.RESOURCE_EXHAUSTED, b"")
        await asyncio.Event().wait()


async def sent_within(budget: Budget, handle: _Handle,
                      monkeypatch: pytest.MonkeyPatch) -> Rejected:
    """The refusal a command sent through `handle` ends with."""
    client = InitiativeClient(cast(Client, None), "queue")
    monkeypatch.setattr(client, "handle", lambda initiative_id: handle)
    with pytest.raises(Rejected) as refused:
        await client.send("one", c.ApproveLaunch(actor=SPONSOR), budget=budget)
    assert refused.value.kind is RejectionKind.UNAVAILABLE
    return refused.value


async def test_every_configured_attempt_runs_within_the_callers_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    handle, budget = _Handle(held_back=False), Budget.of(0.4)
    refused = await sent_within(budget, handle, monkeypatch)
    assert handle.sent == policy.UPDATE_ATTEMPTS and "no worker confirmed" in refused.reason
    assert asyncio.get_running_loop().time() - budget.deadline < 0.2  # ended on time


async def test_a_busy_workflow_is_asked_again_until_the_next_pause_would_overrun(
        monkeypatch: pytest.MonkeyPatch) -> None:
    handle, budget = _Handle(held_back=True), Budget.of(0.4)
    assert "busy" in (await sent_within(budget, handle, monkeypatch)).reason
    assert handle.sent == 4  # after pauses of 0.05, 0.1 and 0.2 s; 0.4 more would overrun
    assert asyncio.get_running_loop().time() <= budget.deadline


def _rpc(status: RPCStatusCode) -> RPCError:
    return RPCError("it went away", status, b"")


def _chained(inner: BaseException) -> Exception:
    outer = RuntimeError("update failed")
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(("error", "kind", "says"), [
    (_rpc(RPCStatusCode.UNAVAILABLE), RejectionKind.UNAVAILABLE,
     "lost Temporal at temporal.example:7233: it went away"),
    (_rpc(RPCStatusCode.DEADLINE_EXCEEDED), RejectionKind.UNAVAILABLE, "lost Temporal"),
    # A connection reset under load cancels the call: a moment's trouble, not a bug (was a 500).
    (_rpc(RPCStatusCode.CANCELLED), RejectionKind.UNAVAILABLE, "lost Temporal"),
    (_chained(ApplicationError("not the owner", "forbidden", type=REJECTED)),
     RejectionKind.FORBIDDEN, "not the owner"),
    (_chained(ApplicationError("an old refusal", type=REJECTED)), RejectionKind.CONFLICT,
     "an old refusal"),
    (Rejected("closed", RejectionKind.CLOSED), RejectionKind.CLOSED, "closed"),
    (asyncpg.UndefinedTableError("no table"), RejectionKind.UNAVAILABLE,
     "no Baton event store in schema 'baton'"),
    (asyncpg.InsufficientPrivilegeError("denied"), RejectionKind.UNAVAILABLE,
     "may not read schema 'baton'"),
    (ConnectionRefusedError("refused"), RejectionKind.UNAVAILABLE, "lost PostgreSQL: refused"),
])
def test_each_failure_of_the_servers_below_is_one_refusal(
        error: BaseException, kind: RejectionKind, says: str) -> None:
    refused = policy.refusal_of(error, **WHERE)
    assert refused is not None and refused.kind is kind and says in refused.reason


@pytest.mark.parametrize("error", [
    _rpc(RPCStatusCode.NOT_FOUND), _rpc(RPCStatusCode.INVALID_ARGUMENT),
    ApplicationError("a bug in an activity", type="ValueError"), ValueError("a bug"),
])
def test_anything_else_is_a_bug_and_not_a_refusal(error: BaseException) -> None:
    assert policy.refusal_of(error, **WHERE) is None


def test_what_passes_and_what_is_refused() -> None:
    assert policy.update_held_back(_rpc(RPCStatusCode.RESOURCE_EXHAUSTED))
    assert not policy.update_held_back(_rpc(RPCStatusCode.NOT_FOUND))
    assert policy.run_starting(_rpc(RPCStatusCode.FAILED_PRECONDITION))
    assert not policy.run_starting(_rpc(RPCStatusCode.UNAVAILABLE))
