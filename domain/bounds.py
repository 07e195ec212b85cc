"""How much of each growing record an initiative's state keeps, so that the state (which its
workflow carries from one run to the next, and answers queries with) stays far below what
Temporal accepts in one payload, whatever people do for however long.

What falls out of the state stays in the record: every event is stored, verified and shown by the
audit. Each bound is far beyond an ordinary life: ten years of weekly readings are 520.
"""

from __future__ import annotations

from typing import TypeVar

READINGS_KEPT = 500  # judged and charted: the latest, oldest first
REGRESSIONS_KEPT = 100
SETTLED_REASON_KEPT = 300  # characters of why a regression's commitments lapsed (the sponsor's)
ESCALATIONS_KEPT = 100
UNDELIVERED_KEPT = 50
REMINDERS_KEPT = 200
ROUNDS_KEPT = 5  # deliveries before the current one, each with its checks
# Of a command the store refused, as its flag keeps it: a timer's command (which the flag stops
# from firing again) is far shorter; a person's is whole in the record.
STUCK_COMMAND_KEPT = 1_000
FRONT_LINE_LIMIT = 1_000  # people; as many as a spec may name

T = TypeVar("T")


def kept(items: tuple[T, ...], bound: int) -> tuple[T, ...]:
    """The latest `bound` of `items`."""
    return items if len(items) <= bound else items[-bound:]
