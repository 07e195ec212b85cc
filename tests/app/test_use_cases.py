"""The use cases every door calls, in-process: typed results, refusals with a kind."""

from __future__ import annotations

import pytest

from app.act import ActRequest, act
from app.context import Context
from app.errors import Rejected, RejectionKind
from app.launch import LaunchRequest, launch, parse_spec
from app.portfolio import figures
from app.presenter import recorded_json
from app.show import ListFilter, list_initiatives, show, shown_json
from app.work import my_work
from domain import InitiativeSpec
from domain import events as ev
from domain.visibility import THE_OPERATOR
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, quick_spec_data
from workflows.contracts import workflow_id_for


def spec() -> InitiativeSpec:
    return InitiativeSpec.model_validate(quick_spec_data())


async def refused(kind: RejectionKind, pending: object) -> Rejected:
    with pytest.raises(Rejected) as refusal:
        await pending  # type: ignore[misc]
    assert refusal.value.kind is kind, refusal.value
    return refusal.value


async def test_validate_only_judges_the_launch_and_records_nothing(context: Context) -> None:
    checked = await launch(context, LaunchRequest(actor=PMO, spec=spec(), validate_only=True))
    assert not checked.recorded and checked.version == 0
    await refused(RejectionKind.FORBIDDEN, launch(
        context, LaunchRequest(actor=OWNER, spec=spec(), validate_only=True)))
    assert await list_initiatives(context, ListFilter(), THE_OPERATOR) == []
    await refused(RejectionKind.INVALID, _parse("name: x\n"))


async def _parse(text: str) -> None:
    parse_spec(text)


async def test_an_action_answers_with_its_events_and_the_state_after_them(
        context: Context) -> None:
    launched = await launch(context, LaunchRequest(actor=PMO, spec=spec()))
    iid = launched.initiative_id
    assert iid is not None and launched.recorded and launched.phase == "proposed"

    acted = await act(context, ActRequest(viewer=THE_OPERATOR,
                                          initiative_id=iid, action="approve-launch",
                                          actor=SPONSOR))
    assert [e.type for e in acted.events] == [ev.LaunchApproved.TYPE]
    assert acted.phase == "improving" and acted.version == 2
    assert recorded_json(iid, acted.events, acted.phase, acted.version)["version"] == 2

    again = await act(context, ActRequest(viewer=THE_OPERATOR,
                                          initiative_id=iid, action="approve-launch",
                                          actor=SPONSOR, request_id=acted.request_id))
    assert again.events == acted.events  # the same request records once
    assert (await show(context, iid, THE_OPERATOR)).view.state.version == 2

    idea = await act(context, ActRequest(viewer=THE_OPERATOR,
                                         initiative_id=iid, action="idea", actor=CLERK,
                                         arguments={"text": "pre-fill vendor ids"}))
    assert recorded_json(iid, idea.events, idea.phase, idea.version)["idea_id"] == "idea-1"
    assert shown_json(await show(context, iid, THE_OPERATOR))["ideas"][0]["id"] == "idea-1"


async def test_refusals_carry_their_kind_across_the_workflow(context: Context) -> None:
    iid = (await launch(context, LaunchRequest(actor=PMO, spec=spec()))).initiative_id
    assert iid is not None

    def sent(action: str, actor: str, **arguments: object) -> object:
        return act(context, ActRequest(viewer=THE_OPERATOR,
                                       initiative_id=iid, action=action, actor=actor,
                                       arguments=arguments))

    await refused(RejectionKind.FORBIDDEN, sent("approve-launch", PMO))
    await refused(RejectionKind.CONFLICT, sent("deliver", EXPERT, value=5.0))
    await refused(RejectionKind.INVALID, sent("deliver", EXPERT, value="lots"))
    await act(context, ActRequest(viewer=THE_OPERATOR,
                                  initiative_id=iid, action="approve-launch", actor=SPONSOR))
    await act(context, ActRequest(viewer=THE_OPERATOR,
                                  initiative_id=iid, action="deliver", actor=EXPERT,
                                  arguments={"value": 5.2}))
    await refused(RejectionKind.NOT_FOUND, sent("complete", EXPERT, step="no-such-step"))
    await refused(RejectionKind.NOT_FOUND, show(context, "no-such-initiative", THE_OPERATOR))
    await act(context, ActRequest(viewer=THE_OPERATOR,
                                  initiative_id=iid, action="cancel", actor=PMO,
                                  arguments={"reason": "superseded"}))
    await refused(RejectionKind.CLOSED, sent("accept", OWNER))
    # Once the workflow has ended too, the server itself refuses the update; it still reads
    # as a closed initiative, not an unknown one.
    client = await context.open_temporal()
    await client.get_workflow_handle(workflow_id_for(iid)).result()
    closed = await refused(RejectionKind.CLOSED, sent("accept", OWNER))
    assert "is cancelled" in str(closed)


async def test_list_portfolio_and_open_work(context: Context) -> None:
    first = (await launch(context, LaunchRequest(actor=PMO, spec=spec()))).initiative_id
    second = (await launch(context, LaunchRequest(actor=PMO, spec=spec()))).initiative_id
    assert first is not None and second is not None
    await act(context, ActRequest(viewer=THE_OPERATOR,
                                  initiative_id=second, action="approve-launch", actor=SPONSOR))

    proposed = await list_initiatives(context, ListFilter(phase="proposed"), THE_OPERATOR)
    assert [row.initiative_id for row in proposed] == [first]
    await refused(RejectionKind.INVALID,
                  list_initiatives(context, ListFilter(phase="done"), THE_OPERATOR))
    assert (await figures(context, THE_OPERATOR)).by_phase == {"proposed": 1, "improving": 1}

    sponsor = await my_work(context, SPONSOR)
    assert [(w.initiative_id, w.action) for w in sponsor] == [(first, "approve-launch")]
    expert = await my_work(context, EXPERT)
    assert [(w.initiative_id, w.action) for w in expert] == [(second, "deliver")]
