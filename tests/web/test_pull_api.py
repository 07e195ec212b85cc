"""Pull over HTTP: supporting an idea, merging a duplicate and changing the front line, each
recorded as the authenticated person, and each refusal a problem that records nothing."""

from __future__ import annotations

from typing import Any

import httpx

from app.identity import Grant
from tests.domain.builders import CLERK, OWNER, PMO, spec_data

from .conftest import WebStack, problem

CLERK_2, CLERK_3 = "clerk-2@acme.example", "clerk-3@acme.example"


async def launched(web: WebStack) -> str:
    async with web.client(await web.token(PMO, Grant.PMO)) as http:
        answer = await http.post("/api/v1/initiatives", json=spec_data(
            name="Pull over HTTP", front_line=[CLERK, CLERK_2]))
    assert answer.status_code == 201, answer.text
    iid: str = answer.json()["id"]
    return iid


async def acted(web: WebStack, actor: str, iid: str, action: str, /,
                **arguments: Any) -> httpx.Response:
    async with web.client(await web.token(actor)) as http:
        return await http.post(f"/api/v1/initiatives/{iid}/actions/{action}", json=arguments)


async def refused(web: WebStack, iid: str, status: int, actor: str, action: str, /,
                  **arguments: Any) -> dict[str, Any]:
    """The problem a refused action answers with, once it is clear it recorded nothing."""
    before = await web.events_of(iid)
    answer = await acted(web, actor, iid, action, **arguments)
    assert answer.status_code == status, answer.text
    assert await web.events_of(iid) == before
    return problem(answer)


async def shown(web: WebStack, iid: str) -> dict[str, Any]:
    """The initiative as its owner reads it: an action answers with what it recorded only."""
    async with web.client(await web.token(OWNER)) as http:
        answer = await http.get(f"/api/v1/initiatives/{iid}")
    assert answer.status_code == 200, answer.text
    initiative: dict[str, Any] = answer.json()
    return initiative


async def idea_of(web: WebStack, iid: str, idea_id: str) -> dict[str, Any]:
    ideas: list[dict[str, Any]] = (await shown(web, iid))["ideas"]
    return next(i for i in ideas if i["id"] == idea_id)


async def test_a_front_line_person_supports_an_idea_once(web: WebStack) -> None:
    iid = await launched(web)
    assert (await acted(web, CLERK, iid, "idea", text="pre-fill vendor ids")).status_code == 200
    supported = await acted(web, CLERK_2, iid, "support", idea="idea-1")
    assert supported.status_code == 200, supported.text
    (event,) = supported.json()["events"]
    assert event["type"] == "IdeaSupported" and event["actor"] == CLERK_2
    assert event["provenance"]["method"] == "token"
    assert (await idea_of(web, iid, "idea-1"))["supporters"] == [CLERK_2]
    assert "already supports" in (await refused(web, iid, 409, CLERK_2, "support",
                                                idea="idea-1"))["detail"]
    await refused(web, iid, 409, CLERK, "support", idea="idea-1")  # their own idea
    # Off the front line, an outsider is not shown the initiative: it answers as unknown.
    await refused(web, iid, 404, "outsider@else.example", "support", idea="idea-1")
    await refused(web, iid, 404, CLERK_2, "support", idea="idea-9")
    missing = await refused(web, iid, 422, CLERK_2, "support")
    assert missing["errors"][0]["loc"] == "body.idea"


async def test_the_owner_marks_a_duplicate_and_its_support_carries_over(web: WebStack) -> None:
    iid = await launched(web)
    await acted(web, CLERK, iid, "idea", text="pre-fill vendor ids")
    await acted(web, CLERK_2, iid, "idea", text="vendor ids filled in ahead")
    await refused(web, iid, 403, CLERK, "triage", idea="idea-2", duplicate_of="idea-1")
    await refused(web, iid, 404, OWNER, "triage", idea="idea-2", duplicate_of="idea-9")
    await refused(web, iid, 409, OWNER, "triage", idea="idea-2", duplicate_of="idea-2")
    both = await refused(web, iid, 422, OWNER, "triage", idea="idea-2", adopt=True,
                         duplicate_of="idea-1")
    assert both["errors"][0]["loc"] == "body.duplicate_of"
    merged = await acted(web, OWNER, iid, "triage", idea="idea-2", duplicate_of="idea-1")
    assert merged.status_code == 200, merged.text
    (event,) = merged.json()["events"]
    assert (event["type"], event["actor"]) == ("IdeaMarkedDuplicate", OWNER)
    assert merged.status_code == 200, merged.text
    assert (await idea_of(web, iid, "idea-2"))["status"] == "duplicate"
    assert (await idea_of(web, iid, "idea-2"))["duplicate_of"] == "idea-1"
    assert (await idea_of(web, iid, "idea-1"))["supporters"] == [CLERK_2]  # its submitter joins
    await refused(web, iid, 409, OWNER, "triage", idea="idea-2", adopt=True)  # answered


async def test_the_owner_changes_the_front_line_and_no_one_else_can(web: WebStack) -> None:
    iid = await launched(web)
    # Not yet on the front line, CLERK_3 is not shown the initiative: it answers as unknown.
    await refused(web, iid, 404, CLERK_3, "idea", text="let me in")
    added = await acted(web, OWNER, iid, "front-line", change="add",
                        person="Clerk-3@ACME.example")
    assert added.status_code == 200, added.text
    assert (await shown(web, iid))["front_line"] == [CLERK, CLERK_2, CLERK_3]
    assert (await acted(web, CLERK_3, iid, "idea", text="in at last")).status_code == 200

    assert "only the owner" in (await refused(
        web, iid, 403, CLERK, "front-line", change="remove", person=CLERK_2))["detail"]
    await refused(web, iid, 403, PMO, "front-line", change="add", person="someone@acme.example")
    await refused(web, iid, 409, OWNER, "front-line", change="add", person=CLERK_3)
    await refused(web, iid, 409, OWNER, "front-line", change="remove",
                  person="never@acme.example")
    control = await refused(web, iid, 422, OWNER, "front-line", change="add",
                            person="clerk-4@acme.example\x1b[2J")
    assert control["errors"][0]["loc"] == "body.person"
    assert "escape character" in control["errors"][0]["msg"]
    odd = await refused(web, iid, 422, OWNER, "front-line", change="rename", person=CLERK)
    assert odd["errors"][0]["loc"] == "body.change"

    removed = await acted(web, OWNER, iid, "front-line", change="remove", person=CLERK_3)
    assert removed.status_code == 200, removed.text
    (event,) = removed.json()["events"]
    assert (event["type"], event["actor"]) == ("FrontLineRemoved", OWNER)
    assert (await shown(web, iid))["front_line"] == [CLERK, CLERK_2]
    await refused(web, iid, 404, CLERK_3, "idea", text="and out again")  # unseen again
