"""What a person has to do next, across every open initiative, soonest due first: the gates
that wait on them and their dated commitments still open (`domain.work`). Read from the
`work_items` read model, which the append keeps in its own transaction, so one indexed query
answers whatever the number of initiatives."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from domain.work import WorkKind


class WorkItem(BaseModel):
    model_config = ConfigDict(frozen=True)
    initiative_id: str
    initiative_name: str
    kind: WorkKind
    ref: str  # a step id, "check-2", "regression-1", an idea id, or the gate's name
    title: str
    due_at: datetime | None
    overdue: bool
    action: str  # the action (app.actions) that does it


@use_case
async def my_work(context: Context, actor: str, now: datetime | None = None) -> list[WorkItem]:
    """Earliest due first; what has no date comes last."""
    from store.work import WorkItems

    now = now or datetime.now(UTC)
    store = await context.read_store()
    return [WorkItem(initiative_id=i.initiative_id, initiative_name=i.initiative_name,
                     kind=i.kind, ref=i.ref, title=i.title, due_at=i.due_at,
                     overdue=i.overdue(now), action=i.action)
            for i in await WorkItems(store.schema).of_person(store.pool, actor)]
