"""Everything the initiative page shows one person: the initiative, the actions this person may
take now (the domain's answer, `domain.available_actions`), its control chart and its timeline.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.charts import control_chart_html
from app.context import Context, use_case
from app.presenter import describe_event, state_json
from app.show import show
from domain.available_actions import Offer, available_actions
from domain.state import InitiativeState


class TimelineEntry(BaseModel):
    model_config = ConfigDict(frozen=True)
    version: int
    at: datetime
    actor: str
    what: str


class InitiativePage(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    state: InitiativeState
    initiative: dict[str, Any]  # what `show --json` prints
    offers: list[Offer]
    chart: str  # the control chart with its caption and data table, as HTML
    timeline: list[TimelineEntry]


@use_case
async def initiative_page(context: Context, initiative_id: str, actor: str,
                          now: datetime | None = None) -> InitiativePage:
    view = await show(context, initiative_id)
    store = await context.read_store()
    events = await store.read_stream(initiative_id)
    state = view.state
    return InitiativePage(
        state=state, initiative=state_json(view),
        offers=available_actions(state, actor, now or datetime.now(UTC)),
        chart=control_chart_html(state),
        timeline=[TimelineEntry(version=r.event.sequence, at=r.event.occurred_at,
                                actor=r.event.actor, what=describe_event(r.event))
                  for r in events])
