"""The shortcuts in domain/pydantic_shortcuts.py leave a model exactly as the public call they
stand for would: same values, same fields set, same instance layout. These fail when
pydantic changes how it lays out an instance, before a fold or a read could go wrong quietly."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel

from bench.synthetic_streams import lifecycle
from domain import InitiativeState, fold
from domain.envelope import Event
from domain.pydantic_shortcuts import construct_trusted, update_in_place
from domain.state import Phase

# What the shortcuts set; a slot pydantic adds would be left unset by them.
KNOWN_LAYOUT = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__",
                "__pydantic_private__")


def layout(model: BaseModel) -> tuple[object, ...]:
    return tuple(getattr(model, name) for name in KNOWN_LAYOUT)


def test_pydantic_lays_out_an_instance_as_the_shortcuts_expect() -> None:
    assert BaseModel.__slots__ == KNOWN_LAYOUT
    assert set(vars(InitiativeState(initiative_id="x"))) == set(InitiativeState.model_fields)


def test_an_update_in_place_is_what_model_copy_makes() -> None:
    state = fold("template", lifecycle(30))
    changes = {"phase": Phase.CANCELLED, "version": state.version + 1, "close_reason": "done"}
    expected = state.model_copy(update=changes)

    changed = state.model_copy()
    update_in_place(changed, changes)

    assert layout(changed) == layout(expected)
    assert changed == expected
    assert changed.model_dump() == expected.model_dump()


def test_an_update_in_place_changes_that_model_alone() -> None:
    state = fold("template", lifecycle(10))
    before = state.model_dump()
    changed = state.model_copy()
    update_in_place(changed, {"owner": "someone-else@acme.example"})
    assert state.model_dump() == before


def test_a_trusted_construction_is_what_model_construct_makes() -> None:
    fields: dict[str, object] = {
        "event_id": uuid.uuid4(), "initiative_id": "i-1", "sequence": 3, "type": "Escalated",
        "schema_version": 1, "actor": "engine", "occurred_at": datetime(2026, 1, 2, tzinfo=UTC),
        "payload": {"subject": "step:sop"}, "provenance": None,
    }
    assert set(fields) == set(Event.model_fields)
    expected = Event.model_construct(**fields)  # type: ignore[arg-type]

    built = construct_trusted(Event, dict(fields))

    assert layout(built) == layout(expected)
    assert built == expected
    assert built.model_dump() == expected.model_dump()
