"""Every dated obligation of an initiative, and whether it was kept: the reliability figures."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from domain.spec import Role
from domain.state import CheckStatus, IdeaStatus, InitiativeState, Phase, StepStatus

CHECKING = (Phase.SUSTAINING, Phase.REGRESSED)


class Commitment(BaseModel):
    model_config = ConfigDict(frozen=True)
    initiative_id: str
    kind: str  # handoff_step | check_reading | response_plan | recovery | idea_triage
    subject: str
    person: str
    due_at: datetime
    delivered_at: datetime | None
    # Why an undelivered commitment can no longer be met (the initiative closed or was reopened):
    # it is then neither open nor overdue, and counts for no one's reliability.
    settled: str = ""

    def on_time(self) -> bool | None:
        """True or False once delivered; None while still open, or settled."""
        if self.delivered_at is None:
            return None
        return self.delivered_at <= self.due_at

    def overdue(self, now: datetime) -> bool:
        return self.delivered_at is None and not self.settled and self.due_at < now


def commitments(state: InitiativeState) -> list[Commitment]:
    if state.spec is None:
        return []
    spec = state.spec
    found: list[Commitment] = []
    closed = "" if state.is_open else (
        f"the initiative closed ({state.phase.value}"
        + (f": {state.close_reason})" if state.close_reason else ")"))
    reopened = next((r.settled for r in reversed(state.regressions) if r.settled), "")
    checks_settled = closed or (reopened if state.phase not in CHECKING else "")

    def add(kind: str, subject: str, person: str, due: datetime,
            delivered: datetime | None, settled: str = "") -> None:
        found.append(Commitment(initiative_id=state.initiative_id, kind=kind, subject=subject,
                                person=person, due_at=due, delivered_at=delivered,
                                settled="" if delivered else settled or closed))

    for step in state.steps:
        if step.due_at is not None:
            delivered = step.completed_at if step.status is StepStatus.DONE else None
            add("handoff_step", step.id, step.completed_by or state.holder_of(step.assignee),
                step.due_at, delivered)
    if spec.metric.source is None:
        for check in state.checks:
            if check.status is not CheckStatus.SCHEDULED:
                add("check_reading", f"check {check.number}", state.owner,
                    check.due_at + spec.sustainment.response_within, check.judged_at,
                    checks_settled)
    for number, regression in enumerate(state.regressions, start=1):
        add("response_plan", f"regression {number}", state.owner, regression.plan_due_at,
            regression.plan_submitted_at, regression.settled)
        if regression.recovery_due_at is not None:
            add("recovery", f"regression {number}", regression.plan_submitted_by or state.owner,
                regression.recovery_due_at, regression.recovered_at, regression.settled)
    for idea in state.ideas:
        delivered = idea.triaged_at if idea.status is not IdeaStatus.PENDING else None
        add("idea_triage", idea.id, state.holder_of(Role.OWNER), idea.triage_due_at, delivered)
    return found
