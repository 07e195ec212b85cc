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
from domain.evolve import StateBuilder
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
    return Replayed(initiative_id, events, state, found or unreplayable, latest)
