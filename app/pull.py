"""Pull across initiatives, as one person takes part in it: the ideas they may support, the ideas
waiting on them as owner (most supported first, then oldest), and what became of the ideas they
submitted. The initiatives from the portfolio read model, their ideas from the pull read model,
the best of them only: a busy front line submits thousands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from domain.pull import IdeaFeedback, idea_feedback
from domain.pull_ideas import with_ideas
from domain.spec import Role
from domain.state import IdeaState, IdeaStatus, InitiativeState
from store.pull import PullIdeas

# As `domain.pull_rules` has it: only what is still open to a decision, or adopted, gathers support.
_SUPPORTABLE = frozenset({IdeaStatus.PENDING, IdeaStatus.ADOPTED})
IDEAS_LISTED = 100


class OpenIdea(BaseModel):
    """An idea as a list shows it, with what the person looking may do about it."""

    model_config = ConfigDict(frozen=True)
    initiative_id: str
    name: str
    idea_id: str
    text: str
    status: IdeaStatus
    submitted_by: str
    submitted_at: datetime
    triage_due_at: datetime
    supporters: int
    supported: bool  # the person looking already supports it
    can_support: bool  # the `support` action would be accepted from them


def _open_idea(state: InitiativeState, idea: IdeaState, actor: str) -> OpenIdea:
    supported = actor in idea.supporters
    return OpenIdea(
        initiative_id=state.initiative_id, name=state.require_spec().name, idea_id=idea.id,
        text=idea.text, status=idea.status, submitted_by=idea.submitted_by,
        submitted_at=idea.submitted_at, triage_due_at=idea.triage_due_at,
        supporters=len(idea.supporters), supported=supported,
        can_support=(state.is_open and idea.status in _SUPPORTABLE and not supported
                     and idea.submitted_by != actor
                     and Role.FRONT_LINE in state.roles_of(actor)))


class IdeaList(BaseModel):
    """The best of a list across initiatives (`IDEAS_LISTED` at most), and how many there are
    in all: a busy front line has thousands (`baton ideas --of ID` pages through one)."""

    model_config = ConfigDict(frozen=True)
    ideas: list[OpenIdea]
    total: int


async def _states(context: Context, *, of: Iterable[str] | None = None,
                  ) -> list[InitiativeState]:
    """States holding only the ideas recorded with them: their pull streams' are read apart."""
    from store.portfolio import PortfolioReader

    store = await context.read_store()
    reader = PortfolioReader(store.pool, store.schema)
    entries = await (reader.entries(pull_ideas=False) if of is None
                     else reader.entries_of(of, pull_ideas=False))
    return [entry.state for entry in entries if entry.state.spec is not None]


async def _best(context: Context, states: Sequence[InitiativeState], actor: str,
                statuses: frozenset[IdeaStatus], excluding: str, limit: int) -> IdeaList:
    """The most supported, then the oldest, ideas of `states` in `statuses` not submitted by
    `excluding`: from their pull streams, and any still recorded with the initiative."""
    store = await context.read_store()
    by_id = {state.initiative_id: state for state in states}
    found, total = await PullIdeas(store.schema).best_across(
        store.pool, list(by_id), sorted(status.value for status in statuses), excluding, limit)
    kept = [(by_id[iid], idea) for iid, idea in found]
    recorded_with = [(state, idea) for state in states for idea in state.ideas
                     if idea.status in statuses and idea.submitted_by != excluding]
    best = sorted((*kept, *recorded_with),
                  key=lambda pair: (-len(pair[1].supporters), pair[1].submitted_at,
                                    pair[0].initiative_id))[:limit]
    return IdeaList(ideas=[_open_idea(state, idea, actor) for state, idea in best],
                    total=total + len(recorded_with))


@use_case
async def ideas_to_support(context: Context, actor: str,
                           limit: int = IDEAS_LISTED) -> IdeaList:
    """Others' ideas on open initiatives where `actor` may take part, most supported first."""
    states = [state for state in await _states(context)
              if state.is_open and Role.FRONT_LINE in state.roles_of(actor)]
    return await _best(context, states, actor, _SUPPORTABLE, actor, limit)


@use_case
async def triage_list(context: Context, actor: str, limit: int = IDEAS_LISTED) -> IdeaList:
    """The ideas awaiting `actor`'s triage as owner: most supported first, then the oldest
    (`domain.pull.triage_queue`'s order)."""
    states = [state for state in await _states(context)
              if state.is_open and state.owner == actor]
    return await _best(context, states, actor, frozenset({IdeaStatus.PENDING}), "", limit)


@use_case
async def my_ideas(context: Context, actor: str) -> list[IdeaFeedback]:
    """What became of each idea `actor` submitted, and why; newest first."""
    from store.portfolio import PortfolioReader

    store = await context.read_store()
    theirs = await PullIdeas(store.schema).of_person(store.pool, actor)
    submitted_to = await PortfolioReader(store.pool, store.schema).submitted_to(actor)
    states = await _states(context, of={*submitted_to, *theirs})
    return idea_feedback([with_ideas(state, theirs.get(state.initiative_id, ()))
                          for state in states], actor)
