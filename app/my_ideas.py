"""What became of the ideas a person submitted, across initiatives: the front line's side of pull.
"""

from __future__ import annotations

from app.context import Context, use_case
from app.portfolio_page import SubmittedIdea, current_initiatives
from domain.visibility import Initiative, Person, may_see

__all__ = ["SubmittedIdea", "submitted_ideas"]


@use_case
async def submitted_ideas(context: Context, person: Person) -> list[SubmittedIdea]:
    """Newest first; from the initiatives `person` may still see."""
    found = [idea for kept in await current_initiatives(context)
             if may_see(person, Initiative(kept.figures.state))
             for idea in kept.ideas if idea.submitted_by == person.id]
    return sorted(found, key=lambda idea: idea.submitted_at, reverse=True)
