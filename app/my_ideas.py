"""What became of the ideas a person submitted, across initiatives: the front line's side of pull.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from domain.pull_ideas import with_ideas
from domain.visibility import Initiative, Person, may_see


class SubmittedIdea(BaseModel):
    model_config = ConfigDict(frozen=True)
    initiative_id: str
    initiative_name: str
    idea_id: str
    submitted_by: str
    text: str
    submitted_at: datetime
    status: str  # pending | adopted | declined | delivered
    reason: str


@use_case
async def submitted_ideas(context: Context, person: Person) -> list[SubmittedIdea]:
    """Newest first; from the initiatives `person` may still see."""
    from store.portfolio import PortfolioReader
    from store.pull import PullIdeas

    store = await context.read_store()
    reader = PortfolioReader(store.pool, store.schema)
    theirs = await PullIdeas(store.schema).of_person(store.pool, person.id)
    # Their ideas only: the initiatives' others may be thousands.
    entries = await reader.entries_of({*await reader.submitted_to(person.id), *theirs},
                                      pull_ideas=False)
    states = [with_ideas(entry.state, theirs.get(entry.state.initiative_id, ()))
              for entry in entries]
    found = [SubmittedIdea(
        initiative_id=state.initiative_id, initiative_name=state.require_spec().name,
        idea_id=idea.id, submitted_by=idea.submitted_by, text=idea.text,
        submitted_at=idea.submitted_at, status=idea.status.value, reason=idea.reason)
        for state in states
        if state.spec is not None and may_see(person, Initiative(state))
        for idea in state.ideas if idea.submitted_by == person.id]
    return sorted(found, key=lambda idea: idea.submitted_at, reverse=True)
