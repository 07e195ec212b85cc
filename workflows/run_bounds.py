"""When a run of the initiative workflow continues as new: its history stays far below the
server's warnings (10,240 events, 10 MB) and limits (51,200 events, 50 MB), whatever the
initiative holds."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow

# Runs begun before these bounds continued as new on the server's suggestion alone.
BOUNDED_RUNS = "bounded-runs"
HISTORY_EVENTS_BOUND = 4_000
HISTORY_BYTES_BOUND = 4 * 1024 * 1024
# Runs that continued as new before it waited for every notice and read to finish first.
DRAIN_GRACE = "drain-grace"
DRAIN_GRACE_PERIOD = timedelta(seconds=5)


def due_to_continue_as_new(history_limit: int | None, bounded: bool) -> bool:
    """`history_limit`: a test's own bound on events, in place of the others."""
    info = workflow.info()
    if history_limit is not None:
        return info.get_current_history_length() >= history_limit
    return info.is_continue_as_new_suggested() or (bounded and (
        info.get_current_history_length() >= HISTORY_EVENTS_BOUND
        or info.get_current_history_size() >= HISTORY_BYTES_BOUND))


async def drain(settled: Callable[[], bool], idle: Callable[[], bool]) -> None:
    """Before continuing as new: let the commands under way finish (`settled`), and the notices
    and metric reads a moment more (`idle`). A webhook or metric source that is down may keep
    them retrying for days; they go on in the next run (the outbox is carried over, a due check
    is read again), so the initiative never waits on them to take commands again."""
    if not workflow.patched(DRAIN_GRACE):
        await workflow.wait_condition(lambda: settled() and idle())
        return
    await workflow.wait_condition(settled)
    if not idle():
        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(idle, timeout=DRAIN_GRACE_PERIOD,
                                          timeout_summary="notices and reads under way")
    await workflow.wait_condition(settled)  # a retried request may have come meanwhile
