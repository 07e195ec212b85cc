"""How pull events change ideas: one idea or two at a time, whichever stream holds them.

An initiative's ideas were once recorded with the initiative itself, and are now recorded on a
stream of their own (`domain.pull_stream`). Both folds go through `apply_to_ideas`: the
initiative's `evolve` for the old events, and the pull read model, which keeps one row per idea
and reads back only the rows an event names (`ideas_named`), so folding the 5,000th idea costs
what folding the first did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta

from domain import events as ev
from domain.envelope import Event
from domain.pull_rules import carried_supporters
from domain.state import IdeaState, IdeaStatus, InitiativeState
from domain.upcasting import upcast

IDEA_SUBJECT = "idea:"
PULL_EVENTS = (ev.IdeaSubmitted, ev.IdeaAdopted, ev.IdeaDeclined, ev.IdeaDelivered,
               ev.IdeaSupported, ev.IdeaMarkedDuplicate, ev.IdeaCarriedOver)


def idea_of_subject(subject: str) -> str | None:
    """The idea an escalation or a reminder is about, if it is about one."""
    return subject[len(IDEA_SUBJECT):] if subject.startswith(IDEA_SUBJECT) else None


def ideas_named(payload: ev.Payload) -> tuple[str, ...]:
    """The ideas an event changes, which its fold must have at hand."""
    if isinstance(payload, ev.IdeaMarkedDuplicate):
        return payload.idea_id, payload.duplicate_of
    if isinstance(payload, (ev.Escalated, ev.DueSoon)):
        idea = idea_of_subject(payload.subject)
        return () if idea is None else (idea,)
    if isinstance(payload, (ev.IdeaAdopted, ev.IdeaDeclined, ev.IdeaDelivered,
                            ev.IdeaSupported)):
        return (payload.idea_id,)
    return ()


def apply_to_ideas(ideas: Mapping[str, IdeaState], payload: ev.Payload, event: Event,
                   triage_within: timedelta | None = None) -> dict[str, IdeaState]:
    """The ideas `event` creates or changes, as they stand after it. `ideas` holds at least
    those it names; `triage_within` is the spec's, for ideas recorded without their due date."""
    at = event.occurred_at
    if isinstance(payload, ev.IdeaSubmitted):
        due = payload.triage_due_at or at + (triage_within or timedelta(0))
        return {payload.idea_id: IdeaState(id=payload.idea_id, text=payload.text,
                                           submitted_by=event.actor, submitted_at=at,
                                           triage_due_at=due)}
    if isinstance(payload, ev.IdeaCarriedOver):
        return {payload.idea.id: payload.idea}
    if isinstance(payload, ev.IdeaMarkedDuplicate):
        duplicate, original = ideas[payload.idea_id], ideas[payload.duplicate_of]
        return {
            duplicate.id: duplicate.model_copy(update={
                "status": IdeaStatus.DUPLICATE, "duplicate_of": original.id,
                "reason": f"duplicate of {original.id}", "triaged_at": at}),
            original.id: original.model_copy(update={
                "supporters": carried_supporters(duplicate, original)}),
        }
    named = ideas_named(payload)
    if not named or named[0] not in ideas:
        return {}
    idea = ideas[named[0]]
    changes: dict[str, object]
    if isinstance(payload, ev.IdeaAdopted):
        changes = {"status": IdeaStatus.ADOPTED, "reason": payload.reason, "triaged_at": at}
    elif isinstance(payload, ev.IdeaDeclined):
        changes = {"status": IdeaStatus.DECLINED, "reason": payload.reason, "triaged_at": at}
    elif isinstance(payload, ev.IdeaDelivered):
        changes = {"status": IdeaStatus.DELIVERED, "delivered_at": at}
    elif isinstance(payload, ev.IdeaSupported):
        changes = {"supporters": (*idea.supporters, event.actor)}
    elif isinstance(payload, ev.DueSoon):
        changes = {"reminded": True}
    else:  # an escalation of its triage
        changes = {"escalated": True}
    return {idea.id: idea.model_copy(update=changes)}


def merged(ideas: tuple[IdeaState, ...], changed: Mapping[str, IdeaState]) -> tuple[IdeaState, ...]:
    """`ideas` with the changed ones in their place and the new ones after them."""
    if not changed:
        return ideas
    known = {idea.id for idea in ideas}
    return (*(changed.get(idea.id, idea) for idea in ideas),
            *(idea for idea_id, idea in changed.items() if idea_id not in known))


def with_ideas(state: InitiativeState, ideas: tuple[IdeaState, ...]) -> InitiativeState:
    """The initiative as the doors and figures see it: its own state with the ideas of its pull
    stream beside those recorded with it (its workflow holds neither)."""
    if not ideas:
        return state
    return state.model_copy(update={"ideas": merged(state.ideas, {i.id: i for i in ideas})})


def folded_ideas(ideas: Iterable[IdeaState], events: Iterable[Event]) -> tuple[IdeaState, ...]:
    """`ideas` (holding those the events name) with `events` of the pull stream applied."""
    known = {idea.id: idea for idea in ideas}
    for event in events:
        known.update(apply_to_ideas(known, ev.payload_of(upcast(event)), event))
    return tuple(known.values())


def carried_ids(events: Iterable[Event]) -> set[str]:
    """The ideas these events carried over to the pull stream."""
    return {payload.idea.id for payload in (ev.payload_of(upcast(e)) for e in events)
            if isinstance(payload, ev.IdeaCarriedOver)}
