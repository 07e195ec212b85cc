"""`baton list`, `baton portfolio` and `baton work` over the read model, on a stack of the
test's own."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.domain.builders import CLERK, OWNER

from .conftest import Stack
from .runner import write_spec

OTHER_OWNER = "fleet-lead@acme.example"


async def test_list_filters_and_portfolio_figures(fresh_stack: Stack, tmp_path: Path) -> None:
    baton = fresh_stack.baton
    plain = write_spec(tmp_path)
    other = write_spec(tmp_path, "other.yaml", owner=OTHER_OWNER)
    hurried = write_spec(tmp_path, "hurried.yaml", handoff=[
        {"id": "sop", "title": "Standard work documented", "assignee": "expert"},
        {"id": "control-plan", "title": "Control plan agreed", "assignee": "owner",
         "due_in": "1s"}])
    proposed, others, late = await asyncio.gather(
        baton.launched(plain), baton.launched(other), baton.launched(hurried, delivered=True))
    await baton.ok("idea", late, "Pre-fill the forms", actor=CLERK)
    await baton.ok("triage", late, "idea-1", "--adopt", actor=OWNER)
    await asyncio.sleep(1.2)  # the control-plan step of `late` is now past due

    everything = (await baton.ok("list", "--json")).json
    assert {row["id"] for row in everything} == {proposed, others, late}
    assert {row["id"]: row["overdue"] for row in everything} == {
        proposed: False, others: False, late: True}
    by_phase = (await baton.ok("list", "--phase", "proposed", "--json")).json
    assert {row["id"] for row in by_phase} == {proposed, others}
    by_owner = (await baton.ok("list", "--owner", OTHER_OWNER, "--json")).json
    assert [row["id"] for row in by_owner] == [others]
    overdue = await baton.ok("list", "--overdue")
    assert late in overdue.stdout and proposed not in overdue.stdout
    assert overdue.stdout.splitlines()[0].split() == [
        "ID", "NAME", "PHASE", "OWNER", "VERSION", "UPDATED", "NEXT", "DUE"]
    assert (await baton.ok("list", "--owner", "nobody")).stdout.strip() == "no initiatives match"

    figures = (await baton.ok("portfolio", "--json")).json
    assert figures["initiatives"] == 3
    assert figures["by_phase"] == {"proposed": 2, "handing_off": 1}
    assert [(c["initiative_id"], c["kind"], c["subject"], c["person"])
            for c in figures["overdue_commitments"]] == [
        (late, "handoff_step", "control-plan", OWNER)]
    assert figures["open_regressions"] == []
    assert figures["sustained_gain"] == {"finished": 0, "held": 0, "sustained_after_recovery": 0,
                                         "closed_regressed": 0, "rate": None}
    assert figures["pull"] == {**figures["pull"], "submitted": 1, "adopted": 1,
                               "adopted_delivered": 0, "awaiting_triage": 0}
    assert figures["reliability"] == [{"person": OWNER, "on_time": 1, "late": 0, "overdue": 1,
                                       "open": 0, "rate": 0.5}]
    text = (await baton.ok("portfolio")).stdout
    for heading in ("By phase", "Sustained-gain rate", "Open regressions",
                    "Overdue commitments", "Pull", "Commitment reliability"):
        assert f"\n{heading}" in text

    work = (await baton.ok("work", "--json", actor=OWNER)).json
    assert [(w["initiative_id"], w["action"], w["ref"], w["overdue"]) for w in work] == [
        (late, "complete", "control-plan", True)]
    assert (await baton.ok("work", actor=OTHER_OWNER)).stdout.strip() == "nothing waits on you"
