"""What a person has to do next, across every open initiative: dated commitments that are theirs
and still open, and the gates that wait on them. A first version folds it from the portfolio
read model; a read model of its own can back it later without changing the result."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from app.portfolio import portfolio_entries
from domain.commitments import commitments
from domain.spec import Role
from domain.state import InitiativeState, Phase, StepStatus


class WorkItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    initiative_id: str
    name: str
    phase: str
    kind: str  # a commitment's kind (handoff_step, check_reading, ...) or the action awaited
    subject: str
    action: str | None  # the action (app.actions) that does it, when there is one
    due_at: datetime | None
    overdue: bool


_COMMITMENT_ACTIONS = {"handoff_step": "complete", "check_reading": "reading",
                       "response_plan": "respond", "idea_triage": "triage"}
# The gates a phase waits on: who opens them, with which action.
_GATES = {Phase.PROPOSED: (Role.SPONSOR, "approve-launch"),
          Phase.IMPROVING: (Role.EXPERT, "deliver"),
          Phase.IN_REVIEW: (Role.PMO, "review")}


def open_work(state: InitiativeState, actor: str, now: datetime) -> list[WorkItem]:
    if not state.is_open or state.spec is None:
        return []
    name, phase = state.spec.name, state.phase.value

    def item(kind: str, subject: str, action: str | None, due: datetime | None) -> WorkItem:
        return WorkItem(initiative_id=state.initiative_id, name=name, phase=phase, kind=kind,
                        subject=subject, action=action, due_at=due,
                        overdue=due is not None and due < now)

    found = [item(c.kind, c.subject, _COMMITMENT_ACTIONS.get(c.kind), c.due_at)
             for c in commitments(state) if c.delivered_at is None and c.person == actor]
    roles = state.roles_of(actor)
    gate = _GATES.get(state.phase)
    if gate is not None and gate[0] in roles:
        found.append(item("gate", phase, gate[1], None))
    if state.phase is Phase.HANDING_OFF and Role.OWNER in roles and all(
            step.status is StepStatus.DONE for step in state.steps):
        found.append(item("gate", phase, "accept", None))
    return found


@use_case
async def my_work(context: Context, actor: str, now: datetime | None = None) -> list[WorkItem]:
    """Earliest due first; what has no date comes last."""
    now = now or datetime.now(UTC)
    items = [item for entry in await portfolio_entries(context)
             for item in open_work(entry.state, actor, now)]
    return sorted(items, key=lambda i: (i.due_at is None, i.due_at or now, i.initiative_id))
