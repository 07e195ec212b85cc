"""Looking at initiatives: one as its workflow knows it, and the list from the read model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from app.errors import InvalidArgument
from app.idea_pages import IdeasWanted, listed
from app.ids import check_initiative_id
from app.presenter import pull_moment, state_json
from app.visibility import require_seen
from domain import Phase
from domain.pull import PullFigures, pull_figures
from domain.pull_ideas import with_ideas
from domain.visibility import Initiative, Viewer, may_see, sees_every_initiative
from store.pull import PullIdeas
from workflows.contracts import InitiativeView

__all__ = ["PHASES", "InitiativeView", "ListFilter", "Shown", "Summary", "list_initiatives",
           "show"]

PHASES = tuple(phase.value for phase in Phase if phase is not Phase.NEW)


# Ideas a page shows of each kind (awaiting triage, answered): a busy initiative has thousands.
IDEAS_SHOWN = 100


class Shown(BaseModel):
    """An initiative as a door shows it: the workflow's view, whose state holds a page of the
    ideas (`IDEAS_SHOWN` awaiting triage, most supported first, and as many answered, newest
    first), with the pull figures of all of them."""

    model_config = ConfigDict(frozen=True)
    view: InitiativeView
    pull: PullFigures
    ideas: int  # how many ideas there are in all
    # Where the next page of ideas starts, when a page of all of them was asked for (`wanted`).
    next_after: int | None = None


@use_case
async def show(context: Context, initiative_id: str, viewer: Viewer,
               wanted: IdeasWanted | None = None) -> Shown:
    """`wanted`: a page of all the ideas, in place of those the page shows first."""
    check_initiative_id(initiative_id)
    initiatives = await context.initiatives()
    await context.require_worker()  # a query, too, is answered by a worker
    async with context.worker_answers() as budget:
        view = await initiatives.view_with_source(initiative_id, budget=budget)
    require_seen(viewer, view.state)
    return await with_pull(context, view, wanted)


async def with_pull(context: Context, view: InitiativeView,
                    wanted: IdeasWanted | None = None) -> Shown:
    """The view with a page of the initiative's ideas from the pull read model (its workflow
    keeps none), and the figures of them all."""
    store = await context.read_store()
    pull = PullIdeas(store.schema)
    state = view.state
    every = with_ideas(state, await pull.facts(store.pool, state.initiative_id))
    next_after = None
    if wanted is None:
        ideas = await pull.page(store.pool, state.initiative_id, IDEAS_SHOWN)
    else:
        ideas, next_after = await listed(context, state.initiative_id, wanted)
    figures = pull_figures([every], pull_moment(every))
    return Shown(view=view.model_copy(update={"state": with_ideas(state, ideas)}),
                 pull=figures, ideas=len(every.ideas), next_after=next_after)


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
    from store.portfolio import PortfolioReader

    if where.phase is not None and where.phase not in PHASES:
        raise InvalidArgument("phase", f"{where.phase!r} is not a phase (one of: "
                                       f"{', '.join(PHASES)})")
    now = now or datetime.now(UTC)
    store = await context.read_store()
    reader = PortfolioReader(store.pool, store.schema)
    rows = await reader.summaries(
        phase=where.phase, owner=where.owner, overdue_at=now if where.overdue else None)
    # Those who see every initiative need no state read; anyone else, only the rows listed.
    if not sees_every_initiative(viewer):
        seen = {entry.state.initiative_id for entry in await reader.entries_of(
            row.initiative_id for row in rows) if may_see(viewer, Initiative(entry.state))}
        rows = [row for row in rows if row.initiative_id in seen]
    return [Summary(initiative_id=r.initiative_id, name=r.name, phase=r.phase, owner=r.owner,
                    version=r.version, updated_at=r.updated_at, next_due_at=r.next_due_at,
                    overdue=r.overdue(now)) for r in rows]


def shown_json(shown: Shown) -> dict[str, Any]:
    """What `show --json` prints and the API answers."""
    return state_json(shown.view, shown.pull, shown.ideas)
