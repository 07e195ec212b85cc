"""`baton support`, `triage --duplicate-of` and `front-line add|remove`, as people type them."""

from __future__ import annotations

from pathlib import Path

from tests.domain.builders import CLERK, OWNER, PMO

from .runner import Baton, write_spec

CLERK_2, NEWCOMER = "clerk-2@acme.example", "clerk-9@acme.example"


async def test_support_duplicates_and_the_front_line(baton: Baton, tmp_path: Path) -> None:
    iid = await baton.launched(write_spec(tmp_path, front_line=[CLERK, CLERK_2]))
    first = (await baton.ok("idea", iid, "Scan paper invoices", actor=CLERK)).stdout.strip()
    second = (await baton.ok("idea", iid, "Scan invoices on arrival", actor=CLERK)).stdout.strip()
    third = (await baton.ok("idea", iid, "Pre-fill vendor ids", actor=CLERK_2)).stdout.strip()

    await baton.ok("support", iid, third, actor=CLERK)
    again = await baton("support", iid, third, actor=CLERK)
    assert again.code == 1 and "already supports" in again.error_line
    outsider = await baton("support", iid, first, actor=NEWCOMER)
    assert outsider.code == 1 and "only the front line" in outsider.error_line
    await baton.ok("support", iid, second, actor=CLERK_2)

    merged = await baton.ok("triage", iid, second, "--duplicate-of", first, actor=OWNER)
    assert f"idea {second} marked a duplicate of {first}" in merged.stdout
    both = await baton("triage", iid, first, "--adopt", "--duplicate-of", third, actor=OWNER)
    assert both.code == 2

    assert (await baton.ok("front-line", iid, "add", NEWCOMER, actor=OWNER)).stdout
    await baton.ok("support", iid, first, actor=NEWCOMER)
    by_pmo = await baton("front-line", iid, "remove", CLERK, actor=PMO)
    assert by_pmo.code == 1 and "only the owner" in by_pmo.error_line
    await baton.ok("front-line", iid, "remove", CLERK, actor=OWNER)
    assert (await baton("idea", iid, "one more", actor=CLERK)).code == 1

    shown = (await baton.ok("show", iid, "--json")).json
    supporters = {i["id"]: i["supporters"] for i in shown["ideas"]}
    # The duplicate's submitter and supporter now back the idea it repeats.
    assert supporters[first] == [CLERK_2, NEWCOMER] and supporters[third] == [CLERK]
    assert shown["triage_queue"] == [first, third]  # most supported first
    assert shown["front_line"] == [CLERK_2, NEWCOMER]
    assert shown["pull"]["duplicates"] == 1 and shown["pull"]["supports"] == 4
    text = (await baton.ok("show", iid)).stdout
    assert "SUPPORT" in text and "participation" in text

    to_triage = (await baton.ok("ideas", "--to-triage", "--json", actor=OWNER)).json
    assert [i["idea_id"] for i in to_triage if i["initiative_id"] == iid] == [first, third]
    mine = (await baton.ok("ideas", "--mine", "--json", actor=CLERK)).json
    assert {i["idea_id"]: i["status"] for i in mine if i["initiative_id"] == iid} == {
        first: "pending", second: "duplicate"}
    offered = (await baton.ok("ideas", actor=NEWCOMER)).stdout
    assert third in offered and "can support" in offered


async def test_every_idea_of_an_initiative_a_page_at_a_time(baton: Baton, tmp_path: Path) -> None:
    iid = await baton.launched(write_spec(tmp_path, front_line=[CLERK, CLERK_2]))
    for n in range(5):
        await baton.ok("idea", iid, f"idea number {n + 1}", actor=CLERK if n % 2 else CLERK_2)
    first = await baton.ok("ideas", "--of", iid, "--limit", "2")
    assert "idea-1" in first.stdout and "idea-3" not in first.stdout
    assert f"more: baton ideas --of {iid} --after 2 --limit 2" in first.stdout
    last = (await baton.ok("ideas", "--of", iid, "--after", "4", "--json")).json
    assert [i["id"] for i in last["ideas"]] == ["idea-5"] and last["next_after"] is None
    pending = (await baton.ok("ideas", "--of", iid, "--status", "pending", "--json")).json
    assert len(pending["ideas"]) == 5

    for wrong in (["--limit", "0"], ["--after", "-3"], ["--status", "maybe"]):
        refused = await baton("ideas", "--of", iid, *wrong)
        assert refused.code == 2 and wrong[0] in refused.error_line, wrong
    alone = await baton("ideas", "--after", "3", actor=CLERK)
    assert alone.code == 2 and "go with --of ID" in alone.error_line
    unknown = await baton("ideas", "--of", "no-such-initiative")
    assert unknown.code == 2 and "unknown initiative" in unknown.error_line
