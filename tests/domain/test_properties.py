"""Random command sequences: the fold of the events always equals the state built step by step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as note_outcome
from hypothesis import strategies as st

from domain import InitiativeState, Phase, Rejected, decide, due_deadlines, evolve, fold
from domain import commands as c
from domain.benefits import benefit
from domain.envelope import Event
from domain.events import IdeaAdopted, IdeaDeclined, IdeaMarkedDuplicate, IdeaSupported
from domain.spec import MetricSource, Role
from domain.state import CLOSED_PHASES, CheckStatus, IdeaStatus, StepStatus

from .builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, START, make_spec

ACTORS = st.sampled_from([PMO, SPONSOR, EXPERT, OWNER, CLERK, "outsider@else.example"])
STEPS = st.sampled_from(["sop", "control-plan", "nope"])
VALUES = st.sampled_from([4.0, 5.0, 5.5, 6.0, 9.0, 12.0])
TEXT = st.sampled_from(["because", "retrain the team"])



def by(actor: str) -> st.SearchStrategy[str]:
    """Mostly the actor who holds the role, sometimes anyone: both paths get exercised."""
    return st.one_of(*[st.just(actor)] * 4, ACTORS)


human_commands = st.one_of(
    st.builds(c.ApproveLaunch, actor=by(SPONSOR)),
    st.builds(c.DeliverImprovement, actor=by(EXPERT), value=VALUES),
    st.builds(c.CompleteStep, actor=st.sampled_from([EXPERT, OWNER]), step_id=STEPS),
    st.builds(c.CompleteStep, actor=st.sampled_from([EXPERT, OWNER]), step_id=STEPS),
    st.builds(c.AcceptOwnership, actor=by(OWNER)),
    st.builds(c.ApproveReview, actor=by(PMO)),
    st.builds(c.SendBack, actor=by(PMO), reason=TEXT, reopen=st.lists(STEPS, max_size=2)),
    st.builds(c.RecordReading, actor=by(OWNER), value=VALUES),
    st.builds(c.RecordReading, actor=by(OWNER), value=VALUES),
    st.builds(c.SubmitResponsePlan, actor=by(OWNER), action=TEXT,
              within=st.sampled_from(["1d", "20d"])),
    st.builds(c.SubmitIdea, actor=by(CLERK), text=TEXT),
    st.builds(c.TriageIdea, actor=by(OWNER), idea_id=st.sampled_from(["idea-1", "idea-2"]),
              adopt=st.booleans(), reason=st.sampled_from(["", "fits"])),
    st.builds(c.MarkIdeaDelivered, actor=by(OWNER), idea_id=st.just("idea-1")),
    st.builds(c.SupportIdea, actor=ACTORS, idea_id=st.sampled_from(["idea-1", "idea-2"])),
    st.builds(c.TriageIdea, actor=by(OWNER), idea_id=st.just("idea-2"), adopt=st.just(False),
              duplicate_of=st.sampled_from(["idea-1", "idea-2", "idea-3"])),
    st.builds(c.AddFrontLine, actor=by(OWNER), person=ACTORS),
    st.builds(c.RemoveFrontLine, actor=by(OWNER), person=ACTORS),
    st.builds(c.ReassignOwner, actor=by(PMO),
              owner=st.sampled_from([OWNER, "new@acme.example", CLERK, PMO])),
    st.builds(c.Reopen, actor=by(SPONSOR), reason=TEXT),
)
rare = st.one_of(
    st.builds(c.Cancel, actor=by(PMO), reason=TEXT),
    st.builds(c.RejectLaunch, actor=by(SPONSOR), reason=TEXT),
)
time_passes = st.integers(min_value=1, max_value=40).map(lambda days: timedelta(days=days))
# Closing commands are rare so that sequences get far into the lifecycle.
steps_strategy = st.one_of(
    human_commands, time_passes,
    st.integers(min_value=0, max_value=60).flatmap(lambda n: rare if n == 0 else human_commands),
)


def check_invariants(state: InitiativeState) -> None:
    spec = state.spec
    assert (state.phase is Phase.NEW) == (spec is None)
    if spec is None:
        return
    assert [s.id for s in state.steps] == [s.id for s in spec.handoff]
    assert all((s.status is StepStatus.DONE) == (s.completed_at is not None) for s in state.steps)
    if state.phase is Phase.IN_REVIEW:
        assert all(s.status is StepStatus.DONE for s in state.steps) and state.accepted_at
    if state.phase in (Phase.SUSTAINING, Phase.REGRESSED, Phase.SUSTAINED):
        assert len(state.checks) == len(spec.sustainment.checks) and state.approved_at
    if state.phase is Phase.SUSTAINED:
        assert all(ch.status in (CheckStatus.PASSED, CheckStatus.REGRESSED) for ch in state.checks)
    if state.phase is Phase.REGRESSED:
        assert state.regressed_at is not None
    for check in state.checks:
        judged = check.status in (CheckStatus.PASSED, CheckStatus.REGRESSED)
        assert judged == (check.reading is not None)
    assert len({i.id for i in state.ideas}) == len(state.ideas)
    for idea in state.ideas:
        assert len(set(idea.supporters)) == len(idea.supporters)
        assert idea.submitted_by not in idea.supporters
        assert (idea.duplicate_of is None) == (idea.status is not IdeaStatus.DUPLICATE)
    if state.phase in CLOSED_PHASES:
        assert state.closed_at is not None
    check_separation_of_duties(state)


def check_separation_of_duties(state: InitiativeState) -> None:
    """Nobody holds an accountable role and a place on the front line at once."""
    for person in {PMO, SPONSOR, EXPERT, OWNER, CLERK, state.owner, *(state.front_line or ())}:
        roles = state.roles_of(person)
        assert not (Role.FRONT_LINE in roles and roles - {Role.FRONT_LINE}), (person, roles)


def check_no_one_judges_their_own_idea(state: InitiativeState, recorded: list[Event]) -> None:
    judged = {IdeaAdopted.TYPE, IdeaDeclined.TYPE, IdeaMarkedDuplicate.TYPE, IdeaSupported.TYPE}
    for event in recorded:
        if event.type in judged:
            idea = state.idea(event.payload["idea_id"])
            assert idea is not None and idea.submitted_by != event.actor, event


def check_benefit(state: InitiativeState, before: tuple[float, float]) -> tuple[float, float]:
    """Verified never exceeds claimed; what was verified or lost stays verified or lost."""
    figures = benefit(state)
    assert figures is not None
    assert 0 <= figures.verified <= figures.claimed
    assert 0 <= figures.lost <= figures.claimed
    assert figures.verified + figures.lost <= figures.claimed + 0.01
    assert figures.verified >= before[0] and figures.lost >= before[1]
    return figures.verified, figures.lost


def likely_next(state: InitiativeState) -> list[Any]:
    """Commands that move the initiative on from its phase, so runs reach the late phases."""
    moves: dict[Phase, list[Any]] = {
        Phase.PROPOSED: [c.ApproveLaunch(actor=SPONSOR)],
        Phase.IMPROVING: [c.DeliverImprovement(actor=EXPERT, value=5.0)],
        Phase.HANDING_OFF: [c.CompleteStep(actor=EXPERT, step_id="sop"),
                            c.CompleteStep(actor=state.owner, step_id="control-plan"),
                            c.AcceptOwnership(actor=state.owner)],
        Phase.IN_REVIEW: [c.ApproveReview(actor=PMO)],
        Phase.SUSTAINING: [timedelta(days=30), c.RecordReading(actor=state.owner, value=5.0)],
        Phase.REGRESSED: [c.SubmitResponsePlan(actor=state.owner, action="fix", within="5d"),
                          c.RecordReading(actor=state.owner, value=5.0), timedelta(days=10)],
    }
    return moves.get(state.phase, [timedelta(days=1)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.booleans())
def test_fold_equals_incremental_state_and_invariants_hold(
    data: st.DataObject, with_source: bool
) -> None:
    spec = make_spec(benefit={"per_unit": 25000, "currency": "EUR"})
    if with_source:
        spec = spec.model_copy(update={"metric": spec.metric.model_copy(
            update={"source": MetricSource(url="http://127.0.0.1/m")})})
    state = InitiativeState(initiative_id="prop-1")
    now = START
    events = decide(state, c.Launch(actor=PMO, spec=spec), now)
    for event in events:
        state = evolve(state, event)
    accrued = (0.0, 0.0)
    for _ in range(data.draw(st.integers(min_value=1, max_value=80), label="length")):
        wander = data.draw(st.integers(min_value=0, max_value=9)) >= 6
        step = data.draw(steps_strategy if wander else st.sampled_from(likely_next(state)))
        if isinstance(step, timedelta):
            now += step
            candidates = [d.command for d in due_deadlines(state, now)]
        else:
            candidates = [step]
        for command in candidates:
            before = state
            try:
                new = decide(state, command, now)
            except Rejected as rejected:
                assert rejected.reason and state == before
                continue
            assert new, f"{command.kind} was accepted but recorded nothing"
            assert [e.sequence for e in new] == list(
                range(state.version + 1, state.version + 1 + len(new)))
            for event in new:
                state = evolve(state, event)
            events.extend(new)
            check_invariants(state)
            check_no_one_judges_their_own_idea(state, new)
            accrued = check_benefit(state, accrued)
    note_outcome(f"reached {state.phase.value}")
    assert state.version == len(events)
    assert fold("prop-1", events) == state
    assert len({e.event_id for e in events}) == len(events)
