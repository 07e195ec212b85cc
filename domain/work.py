"""What each person owes an initiative now: the items of their work list, soonest due first.

Pure: computed from the folded state, so the read model that keeps them (store/work.py) shows
exactly what the rules would accept next. `action` is the name of the command that discharges
the item, as the CLI and the HTTP API call it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.spec import Role
from domain.state import CheckStatus, IdeaState, IdeaStatus, InitiativeState, Phase, StepStatus


class WorkKind(StrEnum):
    LAUNCH_APPROVAL = "launch_approval"
    DELIVERY = "delivery"
    HANDOFF_STEP = "handoff_step"
    ACCEPTANCE = "acceptance"
    REVIEW = "review"
    READING = "reading"
    RESPONSE_PLAN = "response_plan"
    RECOVERY = "recovery"
    IDEA_TRIAGE = "idea_triage"


class WorkItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    initiative_id: str
    initiative_name: str
    person: str
    kind: WorkKind
    ref: str  # what within the initiative: a step id, "check-2", an idea id...
    title: str
    due_at: datetime | None
    action: str

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now


def open_work(state: InitiativeState) -> list[WorkItem]:
    if state.spec is None or not state.is_open:
        return []
    spec = state.spec
    items: list[WorkItem] = []

    def add(role_or_person: Role | str, kind: WorkKind, ref: str, title: str,
            due_at: datetime | None, action: str) -> None:
        person = (state.holder_of(role_or_person) if isinstance(role_or_person, Role)
                  else role_or_person)
        items.append(WorkItem(initiative_id=state.initiative_id, initiative_name=spec.name,
                              person=person, kind=kind, ref=ref, title=title, due_at=due_at,
                              action=action))

    if state.phase is Phase.PROPOSED:
        add(Role.SPONSOR, WorkKind.LAUNCH_APPROVAL, "launch", "Approve or reject the launch",
            None, "approve-launch")
    elif state.phase is Phase.IMPROVING:
        add(Role.EXPERT, WorkKind.DELIVERY, "delivery", "Deliver the improvement's result",
            None, "deliver")
    elif state.phase is Phase.HANDING_OFF:
        pending = [step for step in state.steps if step.status is StepStatus.PENDING]
        for step in pending:
            add(step.assignee, WorkKind.HANDOFF_STEP, step.id, step.title, step.due_at,
                "complete")
        if not pending:
            add(Role.OWNER, WorkKind.ACCEPTANCE, "ownership", "Accept ownership", None,
                "accept")
    elif state.phase is Phase.IN_REVIEW:
        add(Role.PMO, WorkKind.REVIEW, "review", "Review the handoff: approve or send back",
            None, "review")
    if state.phase in (Phase.SUSTAINING, Phase.REGRESSED) and spec.metric.source is None:
        for check in state.checks:
            if check.status is CheckStatus.DUE:
                add(Role.OWNER, WorkKind.READING, f"check-{check.number}",
                    f"Record the reading for check {check.number}",
                    check.due_at + spec.sustainment.response_within, "reading")
    if state.phase is Phase.REGRESSED and state.regressions:
        number, regression = len(state.regressions), state.regressions[-1]
        if regression.plan_submitted_at is None:
            add(Role.OWNER, WorkKind.RESPONSE_PLAN, f"regression-{number}",
                "Submit a response plan for the regression", regression.plan_due_at, "respond")
        elif regression.recovered_at is None and regression.recovery_due_at is not None:
            add(regression.plan_submitted_by or state.owner, WorkKind.RECOVERY,
                f"regression-{number}", "Recover: record a reading back within tolerance",
                regression.recovery_due_at, "reading")
    items += [item for idea in state.ideas
              if (item := triage_item(state.initiative_id, spec.name, state.owner, idea))]
    return items


def triage_item(initiative_id: str, name: str, owner: str, idea: IdeaState) -> WorkItem | None:
    """The owner's item for an idea awaiting triage; None once it is answered."""
    if idea.status is not IdeaStatus.PENDING:
        return None
    return WorkItem(initiative_id=initiative_id, initiative_name=name, person=owner,
                    kind=WorkKind.IDEA_TRIAGE, ref=idea.id,
                    title=f"Triage idea: {idea.text[:80]}", due_at=idea.triage_due_at,
                    action="triage")
