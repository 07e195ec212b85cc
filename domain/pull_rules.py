"""The pull part of `decide`, once the actor's role is checked: support, duplicates and who is on
the front line."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from domain import events as ev
from domain.bounds import FRONT_LINE_LIMIT
from domain.errors import Rejected, RejectionKind
from domain.spec import InitiativeSpec, Role
from domain.state import IdeaState, IdeaStatus, InitiativeState

# A person on a busy front line submits a few ideas a week; a hundred in a day is a script or a
# flood, and every idea costs everyone who reads the initiative and its owner's triage.
IDEAS_PER_PERSON_PER_DAY = 100
DAILY_WINDOW = timedelta(days=1)


class PullSlice(BaseModel):
    """What a pull decision reads of an initiative's ideas: how many there are, the ones the
    command names, and when its sender submitted in the last day. Whatever the number of
    ideas, that is a handful of them, so deciding costs the same at the 5,000th as at the first.
    """

    model_config = ConfigDict(frozen=True)
    version: int  # of the stream the ideas are on
    submitted: int  # ideas so far, which numbers the next one
    ideas: tuple[IdeaState, ...] = ()
    recent: tuple[datetime, ...] = ()  # the sender's submissions within the last day

    def idea(self, idea_id: str) -> IdeaState | None:
        return next((i for i in self.ideas if i.id == idea_id), None)

    @classmethod
    def of_state(cls, state: InitiativeState, actor: str, now: datetime) -> PullSlice:
        """The slice of ideas an initiative's own state holds (those recorded with it)."""
        return cls(version=state.version, submitted=len(state.ideas), ideas=state.ideas,
                   recent=recent_submissions(state.ideas, actor, now))


def recent_submissions(ideas: tuple[IdeaState, ...], actor: str,
                       now: datetime) -> tuple[datetime, ...]:
    since = now - DAILY_WINDOW
    return tuple(i.submitted_at for i in ideas
                 if i.submitted_by == actor and i.submitted_at > since)


def within_daily_ideas(pull: PullSlice, actor: str) -> None:
    recent = pull.recent
    if len(recent) >= IDEAS_PER_PERSON_PER_DAY:
        raise Rejected(f"{actor} has submitted {len(recent)} ideas in the last 24 hours, the "
                       f"most one person may; the next can be submitted after "
                       f"{(min(recent) + DAILY_WINDOW).isoformat(timespec='minutes')}")


# A declined idea, or one merged into another, has been answered: backing it changes nothing.
_SUPPORTABLE = frozenset({IdeaStatus.PENDING, IdeaStatus.ADOPTED})


def support(idea: IdeaState, actor: str) -> list[ev.Payload]:
    if idea.status not in _SUPPORTABLE:
        raise Rejected(f"idea {idea.id} has been {idea.status.value}; only pending or adopted "
                       "ideas can be supported")
    if actor == idea.submitted_by:
        raise Rejected(f"{actor} submitted idea {idea.id}; support counts the others who back it")
    if actor in idea.supporters:
        raise Rejected(f"{actor} already supports idea {idea.id}")
    return [ev.IdeaSupported(idea_id=idea.id)]


# A declined idea, or one merged itself, carries no support forward: nothing can merge into it.
_ORIGINALS = frozenset({IdeaStatus.PENDING, IdeaStatus.ADOPTED, IdeaStatus.DELIVERED})


def duplicate_targets(state: InitiativeState, idea: IdeaState) -> list[IdeaState]:
    """The ideas `idea` may be marked a duplicate of, oldest first."""
    return [other for other in state.ideas if other.id != idea.id and other.status in _ORIGINALS]


def mark_duplicate(pull: PullSlice, idea: IdeaState, original_id: str,
                   adopt: bool) -> list[ev.Payload]:
    if adopt:
        raise Rejected(f"idea {idea.id} cannot be adopted and a duplicate at once")
    original = pull.idea(original_id)
    if original is None:
        raise Rejected(f"unknown idea {original_id!r} (the idea {idea.id} would duplicate)",
                       RejectionKind.NOT_FOUND)
    if original.id == idea.id:
        raise Rejected(f"idea {idea.id} cannot be a duplicate of itself")
    if original.status not in _ORIGINALS:
        raise Rejected(f"idea {original.id} has been {original.status.value}; mark {idea.id} a "
                       "duplicate of an idea that is still pending, adopted or delivered")
    return [ev.IdeaMarkedDuplicate(idea_id=idea.id, duplicate_of=original.id)]


def carried_supporters(duplicate: IdeaState, original: IdeaState) -> tuple[str, ...]:
    """The original's supporters once the duplicate's submitter and backers join them."""
    joining = (duplicate.submitted_by, *duplicate.supporters)
    kept = dict.fromkeys(original.supporters)
    kept.update((p, None) for p in joining if p != original.submitted_by)
    return tuple(kept)


def front_line_apart(spec: InitiativeSpec) -> None:
    """A spec whose front line names someone accountable for the initiative is refused."""
    accountable = {spec.sponsor: "sponsor", spec.pmo: "PMO", spec.expert: "expert",
                   spec.owner: "owner"}
    for person in spec.front_line or ():
        if person in accountable:
            raise Rejected(f"front_line: {person} is the {accountable[person]}, and whoever is "
                           "accountable for an initiative is not on its front line",
                           RejectionKind.INVALID)


def change_front_line(state: InitiativeState, person: str, add: bool) -> list[ev.Payload]:
    held = state.roles_of(person) - {Role.FRONT_LINE}
    if add and held:
        raise Rejected(f"{person} is {' and '.join(sorted(r.value for r in held))} of this "
                       "initiative, and whoever is accountable for it is not on its front line",
                       RejectionKind.INVALID)
    current = state.front_line
    if current is None:
        raise Rejected("the spec names no front line, so anyone may submit ideas; there is "
                       "no list to change")
    if add and person in current:
        raise Rejected(f"{person} is already on the front line")
    if add and len(current) >= FRONT_LINE_LIMIT:
        raise Rejected(f"the front line holds at most {FRONT_LINE_LIMIT:,} people; take "
                       "someone off it first", RejectionKind.INVALID)
    if not add and person not in current:
        raise Rejected(f"{person} is not on the front line")
    return [ev.FrontLineAdded(person=person) if add else ev.FrontLineRemoved(person=person)]
