"""Support, duplicates and front-line changes through the action registry, and the pull lists a
person sees: ideas to support, the owner's triage list, what became of their own ideas."""

from __future__ import annotations

from typing import Any

import pytest

from app.act import ActRequest, act
from app.context import Context
from app.errors import Rejected, RejectionKind
from app.launch import LaunchRequest, launch
from app.pull import ideas_to_support, my_ideas, triage_list
from domain import InitiativeSpec
from domain.visibility import THE_OPERATOR
from tests.domain.builders import CLERK, OWNER, PMO, quick_spec_data

CLERK_2, NEWCOMER = "clerk-2@acme.example", "clerk-9@acme.example"


async def test_pull_through_the_registry(context: Context) -> None:
    spec = InitiativeSpec.model_validate(quick_spec_data(front_line=[CLERK, CLERK_2]))
    iid = (await launch(context, LaunchRequest(actor=PMO, spec=spec))).initiative_id
    assert iid is not None

    async def sent(action: str, actor: str, **arguments: Any) -> None:
        await act(context, ActRequest(viewer=THE_OPERATOR,
                                      initiative_id=iid, action=action, actor=actor,
                                      arguments=arguments))

    for who, text in ((CLERK, "scan invoices"), (CLERK, "scan on arrival"), (CLERK_2, "ids")):
        await sent("idea", who, text=text)
    await sent("support", CLERK_2, idea="idea-2")
    await sent("support", CLERK, idea="idea-3")
    with pytest.raises(Rejected) as twice:
        await sent("support", CLERK, idea="idea-3")
    assert twice.value.kind is RejectionKind.CONFLICT

    offered = (await ideas_to_support(context, CLERK_2)).ideas
    assert [(i.idea_id, i.supported, i.can_support) for i in offered] == [
        ("idea-2", True, False), ("idea-1", False, True)]
    assert [i.idea_id for i in (await triage_list(context, OWNER)).ideas] == [
        "idea-2", "idea-3", "idea-1"]

    await sent("triage", OWNER, idea="idea-2", duplicate_of="idea-1")
    await sent("front-line", OWNER, change="add", person=NEWCOMER)
    await sent("support", NEWCOMER, idea="idea-1")
    await sent("triage", OWNER, idea="idea-1", adopt=True, reason="two asked for it")
    assert [(i.idea_id, i.supporters) for i in (await triage_list(context, OWNER)).ideas] == [
        ("idea-3", 1)]

    mine = {f.idea_id: f.summary for f in await my_ideas(context, CLERK)}
    assert mine == {"idea-1": "adopted: two asked for it; not yet delivered",
                    "idea-2": "merged into idea-1, which now carries its support"}
    [waiting] = await my_ideas(context, CLERK_2)
    assert waiting.idea_id == "idea-3" and waiting.summary.startswith("awaiting the owner's")


async def test_the_lists_across_initiatives_show_the_best_and_count_them_all(
    context: Context,
) -> None:
    spec = InitiativeSpec.model_validate(quick_spec_data(front_line=[CLERK, CLERK_2]))
    iid = (await launch(context, LaunchRequest(actor=PMO, spec=spec))).initiative_id
    assert iid is not None

    async def sent(action: str, actor: str, **arguments: Any) -> None:
        await act(context, ActRequest(viewer=THE_OPERATOR, initiative_id=iid, action=action,
                                      actor=actor, arguments=arguments))

    for n in range(1, 9):
        await sent("idea", CLERK, text=f"idea number {n}")
    await sent("support", CLERK_2, idea="idea-6")

    to_triage = await triage_list(context, OWNER, limit=3)
    assert [i.idea_id for i in to_triage.ideas] == ["idea-6", "idea-1", "idea-2"]
    assert to_triage.total == 8
    to_support = await ideas_to_support(context, CLERK_2, limit=2)
    assert [(i.idea_id, i.supported) for i in to_support.ideas] == [
        ("idea-6", True), ("idea-1", False)]
    assert to_support.total == 8
    assert (await ideas_to_support(context, CLERK)).total == 0  # all of them are CLERK's own
    assert len(await my_ideas(context, CLERK)) == 8
