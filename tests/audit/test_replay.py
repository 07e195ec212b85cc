"""Replaying from the store as of a moment, or a version, gives what the workflow reported then."""

from __future__ import annotations

from datetime import UTC, datetime

from audit import replay
from domain import InitiativeState
from domain import commands as c
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR
from tests.workflows.scenario import quick_spec, wait_for
from workflows.contracts import InitiativeView

from .conftest import CALM, AuditStack

STEPS: list[c.HumanCommand] = [
    c.ApproveLaunch(actor=SPONSOR),
    c.DeliverImprovement(actor=EXPERT, value=5.2),
    c.CompleteStep(actor=EXPERT, step_id="sop", evidence="SOP v3 in the wiki"),
    c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"),
    c.CompleteStep(actor=OWNER, step_id="control-plan"),
    c.AcceptOwnership(actor=OWNER),
    c.TriageIdea(actor=OWNER, idea_id="idea-1", adopt=False, reason="not now"),
    c.ApproveReview(actor=PMO),
]


async def reported_along_the_way(
    stack: AuditStack
) -> tuple[str, list[tuple[datetime, InitiativeView]]]:
    """The workflow's view after each step, with the moment it was taken."""
    iid = await stack.initiatives.launch(quick_spec(**CALM), PMO)
    # The launch is recorded on the workflow's first task.
    view = await wait_for(stack.initiatives, iid, launched)
    seen = [(datetime.now(UTC), view)]
    for command in STEPS:
        await stack.initiatives.send(iid, command)
        view = await stack.initiatives.view(iid)
        seen.append((datetime.now(UTC), view))
    return iid, seen


def launched(view: InitiativeView) -> bool:
    return view.state.version >= 1


async def test_replay_as_of_each_moment_equals_what_the_workflow_reported(
    audit_stack: AuditStack,
) -> None:
    iid, seen = await reported_along_the_way(audit_stack)
    # The ideas are on a stream of their own: submitting and triaging one leave the initiative's
    # version where it was.
    assert [view.state.version for _, view in seen] == [1, 2, 3, 4, 4, 5, 6, 6, 7]
    for moment, view in seen:
        as_of = await replay(audit_stack.store, iid, as_of=moment)
        assert without_ideas(as_of.state) == view.state
        assert as_of.head_hash == view.head_hash
        assert as_of.chain_break is None
        by_version = await replay(audit_stack.store, iid, to_version=view.state.version)
        assert without_ideas(by_version.state) == view.state
    # The idea as it stood: pending once submitted, declined once triaged.
    statuses = [tuple(i.status.value for i in (await replay(
        audit_stack.store, iid, as_of=moment)).state.ideas) for moment, _ in seen]
    assert statuses[3] == () and statuses[4] == ("pending",) and statuses[-1] == ("declined",)
    before_launch = await replay(audit_stack.store, iid, as_of=datetime(2000, 1, 1, tzinfo=UTC))
    assert before_launch.events == [] and before_launch.latest_version == 7


def without_ideas(state: InitiativeState) -> InitiativeState:
    return state.model_copy(update={"ideas": ()})


async def test_baton_audit_replay_prints_what_show_printed_then(audit_stack: AuditStack) -> None:
    baton, initiatives = audit_stack.baton, audit_stack.initiatives
    iid = await initiatives.launch(quick_spec(**CALM), PMO)
    await wait_for(initiatives, iid, launched)
    for command in STEPS[:4]:
        await initiatives.send(iid, command)
    shown = (await baton.ok("show", iid, "--json")).json
    moment = datetime.now(UTC)
    for command in STEPS[4:]:
        await initiatives.send(iid, command)

    replayed = await baton.ok("audit", "replay", iid, "--as-of", moment.isoformat(), "--json")
    data = replayed.json
    assert (data["version"], data["latest_version"], data["intact"]) == (4, 7, True)
    del shown["run_id"]
    # The replay derives every deadline from the ideas it folds, a reminder of each triage
    # among them; the workflow keeps only the next triage's escalation.
    replayed_deadlines, shown_deadlines = data["state"].pop("deadlines"), shown.pop("deadlines")
    assert all(deadline in replayed_deadlines for deadline in shown_deadlines)
    assert data["state"] == shown
    assert [i["status"] for i in data["state"]["ideas"]] == ["pending"]

    text = await baton.ok("audit", "replay", iid, "--version", "2")
    assert "version 2 of 7" in text.stdout and "phase     improving" in text.stdout
    unknown = await baton("audit", "replay", "no-such-initiative")
    assert unknown.code == 2 and "unknown initiative" in unknown.error_line
