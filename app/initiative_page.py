"""Everything the initiative page shows one person: the initiative, the actions this person may
take now (the domain's answer, `domain.available_actions`), its control chart and its timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.charts import control_chart_html
from app.context import Context, use_case
from app.idea_pages import IdeasWanted
from app.presenter import describe_event, state_json
from app.show import show
from domain.acceptance import signed_statement, statement_to_sign
from domain.available_actions import Offer, available_actions
from domain.envelope import Event
from domain.pull import PullFigures
from domain.state import InitiativeState
from domain.visibility import AuditTrail, Person, may_see
from workflows.contracts import InitiativeView


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
    # What the owner signs on accepting (the spec's statement, else the one generated for them),
    # and, once they signed, the statement as the record keeps it.
    statement_to_sign: str | None
    signed_statement: str | None
    may_audit: bool = False  # the audit trail is offered only to whoever may open it
    # The page of all the ideas shown in place of those awaiting triage first, if one was
    # asked for, and where the next page starts.
    ideas_wanted: IdeasWanted | None = None
    ideas_next_after: int | None = None


def page_of(view: InitiativeView, events: Sequence[Event], actor: str,
            now: datetime, *, may_audit: bool = False, pull: PullFigures | None = None,
            ideas: int | None = None) -> InitiativePage:
    """The page from what the workflow knows and the recorded events: no I/O. `pull`, `ideas`:
    the figures and number of all the ideas, where the state holds a page of them."""
    state = view.state
    return InitiativePage(
        state=state, initiative=state_json(view, pull, ideas),
        offers=available_actions(state, actor, now),
        chart=control_chart_html(state),
        timeline=[TimelineEntry(version=e.sequence, at=e.occurred_at, actor=e.actor,
                                what=describe_event(e)) for e in events],
        statement_to_sign=statement_to_sign(state), signed_statement=signed_statement(state),
        may_audit=may_audit)


@use_case
async def initiative_page(context: Context, initiative_id: str, viewer: Person,
                          now: datetime | None = None,
                          ideas: IdeasWanted | None = None) -> InitiativePage:
    shown = await show(context, initiative_id, viewer, ideas)
    store = await context.read_store()
    events = [r.event for r in await store.read_stream(initiative_id)]
    return page_of(shown.view, events, viewer.id, now or datetime.now(UTC),
                   may_audit=may_see(viewer, AuditTrail(shown.view.state)), pull=shown.pull,
                   ideas=shown.ideas).model_copy(update={"ideas_wanted": ideas,
                                                         "ideas_next_after": shown.next_after})
