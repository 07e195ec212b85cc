"""A replay that never ends is abandoned in time; one that ends gives its result or its error."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import WorkflowHistory

from audit import history_replay
from audit.history_replay import _on_own_thread


async def _forever() -> int:
    await asyncio.Event().wait()
    return 0


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


async def _failure() -> None:
    raise ValueError("no such history")


async def test_work_that_never_ends_is_abandoned() -> None:
    assert await _on_own_thread(_forever, 0.2) is None


async def test_work_that_ends_gives_its_result_or_its_error() -> None:
    assert await _on_own_thread(_answer, 10) == 42
    with pytest.raises(ValueError, match="no such history"):
        await _on_own_thread(_failure, 10)


async def test_a_run_whose_first_task_is_held_back_has_nothing_to_replay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As a run that continued as new reads while its first workflow task waits out its
    # backoff: the started event alone, on which temporalio's replayer would wait for good.
    monkeypatch.setattr(history_replay, "REPLAY_LIMIT_SECONDS", 2.0)
    started = {
        "eventId": "1",
        "eventTime": "2026-12-01T17:30:16.017219621Z",
        "eventType": "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED",
        "workflowExecutionStartedEventAttributes": {
            "workflowType": {"name": "Initiative"},
            "taskQueue": {"name": "audit", "kind": "TASK_QUEUE_KIND_NORMAL"},
            "workflowTaskTimeout": "10s",
            "continuedExecutionRunId": "2d6e6c15-b39b-4234-893e-77e131b3bebe",
            "initiator": "CONTINUE_AS_NEW_INITIATOR_WORKFLOW",
            "firstWorkflowTaskBackoff": "0.695763736s",
            "attempt": 1,
        },
    }
    history = WorkflowHistory.from_json("initiative-held-back", {"events": [started]})
    [replayed] = await history_replay.replay_runs([history])
    assert (replayed.failure, replayed.appends) == (None, [])
