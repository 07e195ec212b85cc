"""Baton's domain: specs, commands, events and the pure rules that connect them.

Nothing here performs I/O; every other package depends on this one, and it depends on none.
"""

from domain.deadlines import Deadline, due_deadlines, pending_deadlines
from domain.decide import decide
from domain.envelope import Event, event_id_for
from domain.errors import Rejected, RejectionKind, SpecError
from domain.evolve import evolve, fold
from domain.spec import InitiativeSpec
from domain.spec_yaml import parse_spec_yaml
from domain.state import InitiativeState, Phase

__all__ = [
    "Deadline", "Event", "InitiativeSpec", "InitiativeState", "Phase", "Rejected", "RejectionKind",
    "SpecError",
    "decide", "due_deadlines", "event_id_for", "evolve", "fold", "parse_spec_yaml",
    "pending_deadlines",
]
