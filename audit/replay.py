"""An initiative rebuilt from the event store alone, as it stood at any moment or version.

The workflow's state is `domain.fold` of the events it appended, so folding the stored events up
to a moment gives what the workflow reported at that moment, years after Temporal forgot it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from domain import InitiativeState
from domain.events import payload_of
from domain.evolve import StateBuilder
from domain.pull_ideas import apply_to_ideas, with_ideas
from domain.pull_stream import pull_stream_id
from domain.state import IdeaState
from domain.upcasting import upcast
from store import GENESIS_HASH, EventStore, RecordedEvent

from .findings import Break, chain_break


@dataclass(frozen=True, slots=True)
class Replayed:
    """The state after `events`, the stored events up to the moment asked for.

    `chain_break` is the first of these events that is not as recorded (the replay then stops
    before it); the state is trustworthy only when it is None.
    """

    initiative_id: str
    events: Sequence[RecordedEvent]
    state: InitiativeState
    chain_break: Break | None
    latest_version: int  # how far the stream goes today, beyond the moment asked for

    @property
    def head_hash(self) -> str:
        return self.events[-1].hash if self.events else GENESIS_HASH


def replay_events(
    initiative_id: str, events: Sequence[RecordedEvent]
) -> tuple[InitiativeState, Break | None]:
    """Fold `events`; an event the domain cannot apply ends the replay and is the break."""
    builder = StateBuilder(InitiativeState(initiative_id=initiative_id))
    for recorded in events:
        try:
            builder.apply(recorded.event)
        except (ValueError, ValidationError) as error:  # ValidationError is a ValueError too
            first_line = str(error).splitlines()[0]
            return builder.build(), Break(recorded.version, f"does not replay: {first_line}")
    return builder.build(), None


def replay_pull_events(
    stream_id: str, events: Sequence[RecordedEvent]
) -> tuple[tuple[IdeaState, ...], Break | None]:
    """The ideas an initiative's pull stream folds to; an event that cannot apply is the break.
    """
    ideas: dict[str, IdeaState] = {}
    for recorded in events:
        try:
            ideas.update(apply_to_ideas(ideas, payload_of(upcast(recorded.event)),
                                        recorded.event))
        except (ValueError, KeyError) as error:  # ValidationError is a ValueError too
            first_line = str(error).splitlines()[0]
            return tuple(ideas.values()), Break(recorded.version,
                                                f"does not replay: {first_line}")
    return tuple(ideas.values()), None


def trusted_prefix(events: Sequence[RecordedEvent], found: Break | None) -> Sequence[RecordedEvent]:
    """The events before `found`, which the chain vouches for."""
    if found is None or found.version is None:
        return events
    return [recorded for recorded in events if recorded.version < found.version]


async def replay(
    store: EventStore,
    initiative_id: str,
    *,
    as_of: datetime | None = None,
    to_version: int | None = None,
) -> Replayed:
    """The initiative as of `as_of` (every event that occurred at or before it) or as of
    `to_version`; with neither, as it stands now."""
    events = await store.read_stream(initiative_id, to_version=to_version, as_of=as_of)
    head = await store.stream_head(initiative_id)
    _, found = chain_break(initiative_id, events, None)
    state, unreplayable = replay_events(initiative_id, trusted_prefix(events, found))
    latest = head.version if head is not None else (events[-1].version if events else 0)
    # The ideas as they stood then: the pull stream up to the moment, or up to the last event
    # of the initiative's own that was asked for.
    until = as_of if as_of is not None or not events else events[-1].event.occurred_at
    pull = await store.read_stream(pull_stream_id(initiative_id), as_of=until)
    _, pull_break = chain_break(pull_stream_id(initiative_id), pull, None)
    ideas, unreplayable_pull = replay_pull_events(pull_stream_id(initiative_id),
                                                  trusted_prefix(pull, pull_break))
    return Replayed(initiative_id, events, with_ideas(state, ideas),
                    found or unreplayable or pull_break or unreplayable_pull, latest)
