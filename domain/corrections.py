"""Correcting a mistyped reading: the latest reading gets its new value, and what its judgement
did is undone, so that `decide` can judge it afresh (see `sustainment_rules.decide_correction`).

Only the latest reading can be corrected: later readings were judged with it in the control
chart, and a reading that confirmed a recovery closed a response plan that cannot be reopened.
"""

from __future__ import annotations

from typing import Any

from domain.state import CheckStatus, InitiativeState, Phase


def undo_latest_reading(s: InitiativeState, value: float) -> dict[str, Any]:
    """The changes that give `s` the corrected latest reading, with its check open again and a
    regression it opened (without a response plan since) withdrawn."""
    last = s.readings[-1]
    reading = last.model_copy(update={
        "value": value, "corrected_from": last.value if last.corrected_from is None
        else last.corrected_from})
    # Checks judged at or after the reading were judged by it (or by an earlier correction).
    checks = tuple(
        c.model_copy(update={"status": CheckStatus.DUE, "reading": None, "retention": None,
                             "rules": (), "judged_at": None})
        if c.judged_at is not None and c.judged_at >= last.at else c for c in s.checks)
    changes: dict[str, Any] = {"readings": (*s.readings[:-1], reading), "checks": checks}
    opened_by_it = (s.phase is Phase.REGRESSED and s.regressed_at is not None
                    and s.regressed_at >= last.at and s.response_plan is None)
    if opened_by_it:
        changes.update(phase=Phase.SUSTAINING, regressed_at=None, response_escalated=False,
                       regressions=s.regressions[:-1])
    return changes
