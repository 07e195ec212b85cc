"""The in-place fold is `evolve` event by event: same values, same fields set, from any state on
the way, without touching that state; and a built state stays as built while its builder goes on.
(tests/domain/test_properties.py folds random command sequences the same way.)"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic_streams import lifecycle
from domain import InitiativeState, evolve, fold
from domain.evolve import StateBuilder

EVENTS = lifecycle(120)


def by_evolve(count: int) -> InitiativeState:
    state = InitiativeState(initiative_id="template")
    for event in EVENTS[:count]:
        state = evolve(state, event)
    return state


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(EVENTS)), st.data())
def test_fold_is_evolve_from_any_state_on_the_way(count: int, data: st.DataObject) -> None:
    evolved = by_evolve(count)
    folded = fold("template", EVENTS[:count])
    assert folded == evolved
    assert folded.model_dump() == evolved.model_dump()
    assert folded.model_fields_set == evolved.model_fields_set

    half = data.draw(st.integers(min_value=0, max_value=count))
    middle = fold("template", EVENTS[:half])
    frozen = middle.model_dump()
    assert fold("template", EVENTS[half:count], middle) == evolved
    assert middle.model_dump() == frozen, "folding on from a state changed that state"

    builder = StateBuilder(InitiativeState(initiative_id="template"))
    for event in EVENTS[:half]:
        builder.apply(event)
    built = builder.build()
    for event in EVENTS[half:count]:
        builder.apply(event)
    assert built.model_dump() == frozen, "a built state changed as its builder went on"
    assert builder.build() == evolved


def test_an_event_that_cannot_be_applied_changes_nothing() -> None:
    builder = StateBuilder(fold("template", EVENTS[:10]))
    before = builder.build().model_dump()
    try:
        builder.apply(EVENTS[20])  # not the next version
    except ValueError:
        pass
    else:
        raise AssertionError("an event out of order was applied")
    assert builder.build().model_dump() == before
