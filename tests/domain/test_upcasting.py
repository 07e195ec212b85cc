from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from domain import commands as c
from domain import events as ev
from domain.envelope import Event
from domain.upcasting import UPCASTERS, upcast, upcaster

from .builders import PMO, SPONSOR, Timeline, make_spec


@pytest.fixture
def escalated_v2() -> Iterator[None]:
    """Pretend `Escalated` gained a required `severity` field in schema version 2."""

    class EscalatedV2(ev.Payload):
        VERSION: ClassVar[int] = 2
        subject: str
        reason: str
        to: str
        severity: str

    saved = ev.PAYLOAD_TYPES["Escalated"]
    ev.PAYLOAD_TYPES["Escalated"] = EscalatedV2

    @upcaster("Escalated", 1)
    def add_severity(payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "severity": "normal"}

    yield
    ev.PAYLOAD_TYPES["Escalated"] = saved
    del UPCASTERS[("Escalated", 1)]


def stored_v1_escalation() -> Event:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    return ev.make_event("init-1", 3, ev.Escalated(subject="response", reason="late", to=SPONSOR),
                         "baton", t.now)


@pytest.mark.usefixtures("escalated_v2")
def test_old_events_are_read_in_the_current_schema() -> None:
    old = stored_v1_escalation()
    assert old.schema_version == 1
    current = upcast(old)
    assert current.schema_version == 2 and current.payload["severity"] == "normal"
    assert ev.payload_of(current).severity == "normal"  # type: ignore[attr-defined]
    assert old.payload.get("severity") is None  # the stored event itself is never rewritten


def test_current_events_pass_through_untouched() -> None:
    event = stored_v1_escalation()
    assert upcast(event) is event


def test_a_missing_upcaster_is_a_clear_error() -> None:
    event = stored_v1_escalation().model_copy(update={"type": "IdeaAdopted", "schema_version": 0})
    with pytest.raises(ValueError, match="no upcaster for IdeaAdopted from schema version 0"):
        upcast(event)
