"""When a run of the initiative workflow continues as new: its history stays far below the
server's warnings (10,240 events, 10 MB) and limits (51,200 events, 50 MB), whatever the
initiative holds."""

from __future__ import annotations

from temporalio import workflow

# Runs begun before these bounds continued as new on the server's suggestion alone.
BOUNDED_RUNS = "bounded-runs"
HISTORY_EVENTS_BOUND = 4_000
HISTORY_BYTES_BOUND = 4 * 1024 * 1024


def due_to_continue_as_new(history_limit: int | None, bounded: bool) -> bool:
    """`history_limit`: a test's own bound on events, in place of the others."""
    info = workflow.info()
    if history_limit is not None:
        return info.get_current_history_length() >= history_limit
    return info.is_continue_as_new_suggested() or (bounded and (
        info.get_current_history_length() >= HISTORY_EVENTS_BOUND
        or info.get_current_history_size() >= HISTORY_BYTES_BOUND))
