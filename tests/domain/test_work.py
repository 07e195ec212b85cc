"""Each person's open work follows the lifecycle: who owes what, and by when."""

from __future__ import annotations

from datetime import timedelta

from domain import commands as c
from domain.work import WorkKind, open_work

from .builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec


def _items(t: Timeline) -> list[tuple[str, WorkKind, str, str]]:
    return [(i.person, i.kind, i.ref, i.action) for i in open_work(t.state)]


def test_work_moves_from_person_to_person_through_the_handoff() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    assert _items(t) == [(SPONSOR, WorkKind.LAUNCH_APPROVAL, "launch", "approve-launch")]
    t.run(c.ApproveLaunch(actor=SPONSOR))
    assert _items(t) == [(EXPERT, WorkKind.DELIVERY, "delivery", "deliver")]
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.0))
    assert _items(t) == [(EXPERT, WorkKind.HANDOFF_STEP, "sop", "complete"),
                         (OWNER, WorkKind.HANDOFF_STEP, "control-plan", "complete")]
    step = next(i for i in open_work(t.state) if i.ref == "control-plan")
    assert step.due_at == t.now + timedelta(days=14)
    t.run(c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"))
    t.run(c.CompleteStep(actor=EXPERT, step_id="sop"))
    t.run(c.CompleteStep(actor=OWNER, step_id="control-plan"))
    assert _items(t) == [(OWNER, WorkKind.ACCEPTANCE, "ownership", "accept"),
                         (OWNER, WorkKind.IDEA_TRIAGE, "idea-1", "triage")]
    t.run(c.AcceptOwnership(actor=OWNER))
    assert (PMO, WorkKind.REVIEW, "review", "review") in _items(t)
    t.run(c.Cancel(actor=PMO, reason="budget"))
    assert open_work(t.state) == []


def test_a_due_check_and_a_regression_are_the_owners() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec(
        handoff=[{"id": "sop", "title": "SOP", "assignee": "owner"}])))
    for command in (c.ApproveLaunch(actor=SPONSOR), c.DeliverImprovement(actor=EXPERT, value=5),
                    c.CompleteStep(actor=OWNER, step_id="sop"), c.AcceptOwnership(actor=OWNER),
                    c.ApproveReview(actor=PMO)):
        t.run(command)
    t.run(c.OpenCheck(actor=c.SYSTEM_ACTOR, check=1), timedelta(days=30))
    assert _items(t) == [(OWNER, WorkKind.READING, "check-1", "reading")]
    t.run(c.RecordReading(actor=OWNER, value=12.0))
    kinds = [kind for _, kind, _, _ in _items(t)]
    assert kinds == [WorkKind.RESPONSE_PLAN]
    t.run(c.SubmitResponsePlan(actor=OWNER, action="retrain", within=timedelta(days=5)))
    assert [(k, a) for _, k, _, a in _items(t)] == [(WorkKind.RECOVERY, "reading")]
