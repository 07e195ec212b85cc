"""Pull across initiatives, as one person takes part in it: the ideas they may support, the ideas
waiting on them as owner (most supported first, then oldest), and what became of the ideas they
submitted. Folded from the portfolio read model, like the person's open work."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from app.portfolio import portfolio_entries
from domain.pull import IdeaFeedback, idea_feedback, triage_queue
from domain.spec import Role
from domain.state import IdeaState, IdeaStatus, InitiativeState

# As `domain.pull_rules` has it: only what is still open to a decision, or adopted, gathers support.
_SUPPORTABLE = frozenset({IdeaStatus.PENDING, IdeaStatus.ADOPTED})


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


async def _states(context: Context) -> Iterable[InitiativeState]:
    return [entry.state for entry in await portfolio_entries(context)
            if entry.state.spec is not None]


@use_case
async def ideas_to_support(context: Context, actor: str) -> list[OpenIdea]:
    """Others' ideas on open initiatives where `actor` may take part, most supported first."""
    found = [_open_idea(state, idea, actor) for state in await _states(context)
             if state.is_open and Role.FRONT_LINE in state.roles_of(actor)
             for idea in state.ideas
             if idea.status in _SUPPORTABLE and idea.submitted_by != actor]
    return sorted(found, key=lambda i: (-i.supporters, i.submitted_at, i.initiative_id))


@use_case
async def triage_list(context: Context, actor: str) -> list[OpenIdea]:
    """The ideas awaiting `actor`'s triage as owner: most supported first, then the oldest."""
    found = [_open_idea(state, idea, actor) for state in await _states(context)
             if state.is_open and state.owner == actor for idea in triage_queue(state)]
    return sorted(found, key=lambda i: (-i.supporters, i.submitted_at, i.initiative_id))


@use_case
async def my_ideas(context: Context, actor: str) -> list[IdeaFeedback]:
    """What became of each idea `actor` submitted, and why; newest first."""
    return idea_feedback(list(await _states(context)), actor)
