"""Looking at initiatives: one as its workflow knows it, and the list from the read model."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from app.errors import InvalidArgument
from app.ids import check_initiative_id
from app.visibility import require_seen
from domain import Phase
from domain.visibility import Initiative, Operator, Viewer, may_see
from workflows.contracts import InitiativeView

__all__ = ["PHASES", "InitiativeView", "ListFilter", "Summary", "list_initiatives", "show"]

PHASES = tuple(phase.value for phase in Phase if phase is not Phase.NEW)


@use_case
async def show(context: Context, initiative_id: str, viewer: Viewer) -> InitiativeView:
    check_initiative_id(initiative_id)
    initiatives = await context.initiatives()
    await context.require_worker()  # a query, too, is answered by a worker
    async with context.worker_answers():
        view = await initiatives.view_with_source(initiative_id)
    require_seen(viewer, view.state)
    return view


class ListFilter(BaseModel):
    model_config = ConfigDict(frozen=True)
    phase: str | None = None
    owner: str | None = None
    overdue: bool = False  # only initiatives with a commitment past due


class Summary(BaseModel):
    model_config = ConfigDict(frozen=True)
    initiative_id: str
    name: str
    phase: str
    owner: str
    version: int
    updated_at: datetime
    next_due_at: datetime | None
    overdue: bool


@use_case
async def list_initiatives(context: Context, where: ListFilter, viewer: Viewer,
                           now: datetime | None = None) -> list[Summary]:
    """Newest first; only the initiatives `viewer` may see."""
    from app.portfolio_page import current_initiatives
    from store.portfolio import PortfolioReader

    if where.phase is not None and where.phase not in PHASES:
        raise InvalidArgument("phase", f"{where.phase!r} is not a phase (one of: "
                                       f"{', '.join(PHASES)})")
    now = now or datetime.now(UTC)
    store = await context.read_store()
    rows = await PortfolioReader(store.pool, store.schema).summaries(
        phase=where.phase, owner=where.owner, overdue_at=now if where.overdue else None)
    # The operator sees every row; not reading every state for them spares the CLI seconds.
    if not isinstance(viewer, Operator):
        seen = {kept.row.initiative_id for kept in await current_initiatives(context)
                if may_see(viewer, Initiative(kept.figures.state))}
        rows = [row for row in rows if row.initiative_id in seen]
    return [Summary(initiative_id=r.initiative_id, name=r.name, phase=r.phase, owner=r.owner,
                    version=r.version, updated_at=r.updated_at, next_due_at=r.next_due_at,
                    overdue=r.overdue(now)) for r in rows]
