"""Initiatives walked through their lives by seeded random command sequences: every phase,
regressions and response plans, corrections, reassignments, reopenings, cancellations, ideas and
the front line, with the clock moving and the deadlines firing as the workflow would fire them.
Each walk is the same for the same seed, so a failure names its seed and replays."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain import InitiativeState, Phase, Rejected, decide, due_deadlines, evolve
from domain import commands as c
from domain.envelope import Event
from tests.domain.builders import CLERK, EXPERT, PMO, SPONSOR, START, make_spec

NEWCOMER, SUCCESSOR = "clerk-2@acme.example", "new-owner@acme.example"
PEOPLE = (PMO, SPONSOR, EXPERT, CLERK, NEWCOMER, SUCCESSOR, "ap@acme.example")
VALUES = (4.0, 5.0, 5.5, 6.0, 9.0, 11.0)


@dataclass(frozen=True)
class Moment:
    """One state a walk reached, with the events that built it and the time it was reached."""

    seed: int
    state: InitiativeState
    events: tuple[Event, ...]
    now: datetime


def _moves(state: InitiativeState, rng: random.Random) -> list[Any]:
    """Commands that carry the initiative on from its phase, so walks reach the late ones."""
    owner = state.owner
    moves: dict[Phase, list[Any]] = {
        Phase.PROPOSED: [c.ApproveLaunch(actor=SPONSOR)],
        Phase.IMPROVING: [c.DeliverImprovement(actor=EXPERT, value=rng.choice(VALUES[:4]))],
        Phase.HANDING_OFF: [c.CompleteStep(actor=EXPERT, step_id="sop",
                                           evidence="https://wiki.acme.example/sop-v3"),
                            c.CompleteStep(actor=owner, step_id="control-plan"),
                            c.AcceptOwnership(actor=owner)],
        Phase.IN_REVIEW: [c.ApproveReview(actor=PMO)],
        Phase.SUSTAINING: [timedelta(days=30),
                           c.RecordReading(actor=owner, value=rng.choice(VALUES))],
        Phase.REGRESSED: [c.SubmitResponsePlan(actor=owner, action="retrain the team",
                                               within="5d"),
                          c.RecordReading(actor=owner, value=rng.choice(VALUES)),
                          timedelta(days=rng.choice((1, 12)))],
    }
    return moves.get(state.phase, [timedelta(days=1)])


def _detours(state: InitiativeState, rng: random.Random) -> list[Any]:
    """Everything else people do, some of it refused in the state at hand."""
    owner, idea = state.owner, f"idea-{rng.randint(1, max(1, len(state.ideas)))}"
    return [
        c.CorrectReading(actor=owner, value=rng.choice(VALUES), reason="typed it wrong"),
        c.SendBack(actor=PMO, reason="the SOP is thin", reopen=["sop"]),
        c.SubmitIdea(actor=rng.choice((CLERK, NEWCOMER)), text="pre-fill vendor ids " * 30),
        c.SupportIdea(actor=rng.choice((CLERK, NEWCOMER)), idea_id=idea),
        c.TriageIdea(actor=owner, idea_id=idea, adopt=rng.random() < 0.5, reason="fits"),
        c.TriageIdea(actor=owner, idea_id=idea, adopt=False, duplicate_of="idea-1"),
        c.MarkIdeaDelivered(actor=owner, idea_id=idea),
        c.AddFrontLine(actor=owner, person=NEWCOMER),
        c.RemoveFrontLine(actor=owner, person=rng.choice((CLERK, NEWCOMER))),
        c.ReassignOwner(actor=PMO, owner=rng.choice((SUCCESSOR, "ap@acme.example"))),
        c.Reopen(actor=SPONSOR, reason="the gain is gone"),
        timedelta(days=rng.randint(1, 40)),
        *([c.Cancel(actor=PMO, reason="no longer needed"),
           c.RejectLaunch(actor=SPONSOR, reason="not now")] if rng.random() < 0.05 else []),
    ]


def walk(seed: int, length: int = 60) -> Iterator[Moment]:
    """The states of one walk, from the launch on, each one that an accepted command made."""
    rng = random.Random(seed)
    spec = make_spec(benefit={"per_unit": 40000, "currency": rng.choice(("EUR", "USD"))},
                     sustainment={"checks": ["30d", "60d"], "tolerance": 0.8,
                                  "response_within": rng.choice(("1h", "10d"))})
    state, now = InitiativeState(initiative_id=f"walk-{seed}"), START
    events: list[Event] = []
    events += decide(state, c.Launch(actor=PMO, spec=spec), now)
    for event in events:
        state = evolve(state, event)
    yield Moment(seed, state, tuple(events), now)
    for _ in range(length):
        pool = _moves(state, rng) if rng.random() < 0.6 else _detours(state, rng)
        step = rng.choice(pool)
        commands: list[Any]
        if isinstance(step, timedelta):
            now += step
            commands = [d.command for d in due_deadlines(state, now)]
        else:
            commands = [step]
        for command in commands:
            try:
                new = decide(state, command, now)
            except Rejected:
                continue
            for event in new:
                state = evolve(state, event)
            events += new
            yield Moment(seed, state, tuple(events), now)


def moments(walks: int) -> Iterator[Moment]:
    for seed in range(walks):
        yield from walk(seed)
