"""The sustainment part of `decide`: opening checks, judging readings, recovery and closing."""

from __future__ import annotations

from datetime import datetime

from domain import events as ev
from domain.corrections import undo_latest_reading
from domain.errors import Rejected
from domain.state import CheckState, CheckStatus, InitiativeState, Phase
from domain.sustainment import judge


def _answerable_check(state: InitiativeState, now: datetime) -> CheckState | None:
    """The check a reading at `now` answers: the earliest one due and not yet judged."""
    return next((c for c in state.checks
                 if c.status is CheckStatus.DUE
                 or (c.status is CheckStatus.SCHEDULED and c.due_at <= now)), None)


def _no_checks_left(state: InitiativeState, answered: int | None = None) -> bool:
    return all(c.status in (CheckStatus.PASSED, CheckStatus.REGRESSED) or c.number == answered
               for c in state.checks)


def open_check(state: InitiativeState, number: int, now: datetime) -> list[ev.Payload]:
    return [ev.CheckDue(check=number)]


def decide_reading(state: InitiativeState, value: float, now: datetime) -> list[ev.Payload]:
    spec = state.require_spec()
    judgement = judge(spec.metric, spec.sustainment.tolerance,
                      [r.value for r in state.readings] + [value])
    check = _answerable_check(state, now)
    number = check.number if check else None
    # Kept for the control chart, but no check is due to take it: the check still waits.
    interim = check is None and state.phase is Phase.SUSTAINING and judgement.kept
    payloads: list[ev.Payload] = [ev.ReadingRecorded(value=value, interim=interim or None)]
    if not judgement.kept:
        if check is not None or state.phase is Phase.SUSTAINING:
            payloads.append(ev.RegressionDetected(
                check=number, reading=value, retention=judgement.retention,
                rules=list(judgement.rules), reason=judgement.reason))
        return payloads
    if check is not None:
        payloads.append(ev.CheckPassed(check=check.number, reading=value,
                                       retention=judgement.retention))
    recovered = state.phase is Phase.REGRESSED and state.response_plan is not None
    if recovered:
        payloads.append(ev.RecoveryConfirmed(reading=value, retention=judgement.retention))
    if (state.phase is Phase.SUSTAINING or recovered) and state.checks and _no_checks_left(
            state, number):
        payloads.append(ev.Sustained())
    return payloads


def escalation_closes(state: InitiativeState, subject: str) -> bool:
    """A missed response to a regression, with no check left to show recovery, closes it."""
    return (subject in ("response", "plan") and state.phase is Phase.REGRESSED
            and _no_checks_left(state))


def decide_correction(state: InitiativeState, value: float, reason: str) -> list[ev.Payload]:
    """Replace the latest reading and judge it again, as of when it was first recorded."""
    last = state.readings[-1] if state.readings else None
    if last is None or state.approved_at is None or last.at < state.approved_at:
        raise Rejected("there is no sustainment reading to correct yet")
    if state.regressions and state.regressions[-1].recovered_at == last.at:
        raise Rejected(f"the latest reading ({last.value:g}) confirmed the recovery, which "
                       "cannot be undone; record a new reading instead")
    if value == last.value:
        raise Rejected(f"the latest reading is already {value:g}")
    undone = state.model_copy(update=undo_latest_reading(state, value))
    before = undone.model_copy(update={"readings": undone.readings[:-1]})
    judged = decide_reading(before, value, last.at)[1:]  # the reading itself stays recorded
    return [ev.ReadingCorrected(previous=last.value, value=value, reason=reason), *judged]
