"""An initiative's ideas, every one of them, a page at a time: a busy front line submits
thousands, more than the initiative's own page shows (`app.show.IDEAS_SHOWN`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.context import Context, use_case
from app.errors import InvalidArgument
from app.ids import check_initiative_id
from app.presenter import idea_json
from app.visibility import require_seen
from domain.state import IdeaState, IdeaStatus
from domain.visibility import Viewer
from store.pull import PullIdeas, idea_number

IDEAS_PER_PAGE = 100
MOST_PER_PAGE = 500
MAX_AFTER = 2**31 - 1  # ideas are numbered by an integer column


class IdeasWanted(BaseModel):
    """Which page: the ideas numbered after `after` (0: from the first), of one status or all."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    status: IdeaStatus | None = None
    after: int = Field(default=0, ge=0, le=MAX_AFTER)
    limit: int = Field(default=IDEAS_PER_PAGE, ge=1, le=MOST_PER_PAGE)


def wanted_from(ideas: str | None, after: str | None) -> IdeasWanted | None:
    """A page's query (`?ideas=all|<status>&after=N`) as IdeasWanted; None when it asks for
    neither, which leaves the ideas the page shows first."""
    if ideas is None and after is None:
        return None
    statuses = [s.value for s in IdeaStatus]
    if ideas not in (None, "all", *statuses):
        raise InvalidArgument("ideas", f"{ideas!r} is not one of: all, {', '.join(statuses)}")
    if after is not None and not (after.isascii() and after.isdigit()
                                  and int(after) <= MAX_AFTER):
        raise InvalidArgument("after", f"{after!r} is not an idea number (0 or more)")
    return IdeasWanted(status=None if ideas in (None, "all") else IdeaStatus(ideas),
                       after=int(after or 0))


class IdeasPage(BaseModel):
    model_config = ConfigDict(frozen=True)
    initiative_id: str
    ideas: tuple[IdeaState, ...]
    next_after: int | None  # where the next page starts; None on the last


@use_case
async def ideas_page(context: Context, initiative_id: str, viewer: Viewer,
                     wanted: IdeasWanted) -> IdeasPage:
    """A page of the initiative's ideas in the order they came; refused as unknown to a
    viewer who may not see the initiative."""
    check_initiative_id(initiative_id)
    initiatives = await context.initiatives()
    await context.require_worker()  # who may see it is the workflow's state to say
    async with context.worker_answers() as budget:
        view = await initiatives.view(initiative_id, budget=budget)
    require_seen(viewer, view.state)
    ideas, next_after = await listed(context, initiative_id, wanted)
    return IdeasPage(initiative_id=initiative_id, ideas=ideas, next_after=next_after)


async def listed(context: Context, initiative_id: str,
                 wanted: IdeasWanted) -> tuple[tuple[IdeaState, ...], int | None]:
    """The page `wanted` of the initiative's ideas, and where the next one starts (None when
    this is the last)."""
    store = await context.read_store()
    statuses = None if wanted.status is None else [wanted.status.value]
    ideas = await PullIdeas(store.schema).listing(store.pool, initiative_id, wanted.after,
                                                  wanted.limit, statuses)
    return ideas, idea_number(ideas[-1].id) if len(ideas) == wanted.limit else None


def ideas_page_json(page: IdeasPage) -> dict[str, Any]:
    """What `baton ideas --of IID --json` prints and the API answers."""
    return {"initiative_id": page.initiative_id, "ideas": [idea_json(i) for i in page.ideas],
            "next_after": page.next_after}
