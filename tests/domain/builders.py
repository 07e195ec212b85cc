"""Small builders for domain tests: a valid spec and a clock that moves forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain import InitiativeSpec, InitiativeState, decide, evolve
from domain import commands as c
from domain.envelope import Event

PMO, SPONSOR = "pmo@acme.example", "cfo@acme.example"
EXPERT, OWNER = "belt@x.example", "ap@acme.example"
CLERK = "clerk-1@acme.example"
START = datetime(2026, 1, 1, tzinfo=UTC)


def spec_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Cut invoice cycle time", "sponsor": SPONSOR, "pmo": PMO, "expert": EXPERT,
        "owner": OWNER,
        "metric": {"name": "invoice cycle time", "unit": "days", "baseline": 12, "target": 5,
                   "direction": "decrease"},
        "handoff": [
            {"id": "sop", "title": "Standard work documented", "assignee": "expert"},
            {"id": "control-plan", "title": "Control plan agreed", "assignee": "owner",
             "due_in": "14d"},
        ],
        "expert_on_call": "45d",
        "front_line": [CLERK],
        "ideas": {"triage_within": "7d"},
        "sustainment": {"checks": ["30d", "60d", "90d"], "tolerance": 0.8,
                        "response_within": "10d"},
    }
    data.update(overrides)
    return data


def quick_spec_data(**overrides: Any) -> dict[str, Any]:
    """Second-scale durations, so a whole lifecycle runs in real time within a test."""
    data = spec_data(
        handoff=[
            {"id": "sop", "title": "Standard work documented", "assignee": "expert"},
            {"id": "control-plan", "title": "Control plan agreed", "assignee": "owner",
             "due_in": "1h"},
        ],
        expert_on_call="2s",
        sustainment={"checks": ["1s", "2s"], "tolerance": 0.8, "response_within": "1h"},
    )
    data.update(overrides)
    return data


def make_spec(**overrides: Any) -> InitiativeSpec:
    return InitiativeSpec.model_validate(spec_data(**overrides))


class Timeline:
    """Applies commands at a moving clock and keeps every event, like a workflow would."""

    def __init__(self, initiative_id: str = "init-1") -> None:
        self.state = InitiativeState(initiative_id=initiative_id)
        self.now = START
        self.events: list[Event] = []

    def run(self, command: Any, after: timedelta = timedelta(0)) -> list[Event]:
        self.now += after
        new = decide(self.state, command, self.now)
        for event in new:
            self.state = evolve(self.state, event)
        self.events.extend(new)
        return new

    def types(self, command: Any, after: timedelta = timedelta(0)) -> list[str]:
        return [e.type for e in self.run(command, after)]


def handed_over(initiative_id: str) -> Timeline:
    """Launched, delivered, handed off and approved; checks fall due at 30, 60 and 90 days."""
    t = Timeline(initiative_id)
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2))
    t.run(c.CompleteStep(actor=EXPERT, step_id="sop"))
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"))
    t.run(c.AcceptOwnership(actor=OWNER))
    t.run(c.ApproveReview(actor=PMO))
    return t


def read(t: Timeline, value: float, after: timedelta) -> None:
    t.run(c.RecordReading(actor=OWNER, value=value), after)
