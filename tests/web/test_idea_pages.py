"""Every idea of an initiative over HTTP, a page at a time: a busy front line submits more than
the initiative's own answer holds, and none of them may be out of reach."""

from __future__ import annotations

from typing import Any

from app.identity import Grant
from tests.domain.builders import CLERK, OWNER

from .conftest import WebStack, problem
from .test_pull_api import CLERK_2, acted, launched

IDEAS = 7


async def listed(web: WebStack, person: str, iid: str, **query: Any) -> dict[str, Any]:
    async with web.client(await web.token(person)) as http:
        answer = await http.get(f"/api/v1/initiatives/{iid}/ideas", params=query)
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


async def test_every_idea_is_reached_a_page_at_a_time(web: WebStack) -> None:
    iid = await launched(web)
    for n in range(IDEAS):
        submitter = CLERK if n % 2 == 0 else CLERK_2
        answer = await acted(web, submitter, iid, "idea", text=f"idea number {n + 1}")
        assert answer.status_code == 200, answer.text
    assert (await acted(web, OWNER, iid, "triage", idea="idea-2", adopt=True)).status_code == 200

    seen, after, pages = [], 0, 0
    while after is not None:
        page = await listed(web, CLERK, iid, after=after, limit=3)
        seen += [idea["id"] for idea in page["ideas"]]
        after, pages = page["next_after"], pages + 1
    assert seen == [f"idea-{n}" for n in range(1, IDEAS + 1)] and pages == 3
    adopted = await listed(web, OWNER, iid, status="adopted")
    assert [i["id"] for i in adopted["ideas"]] == ["idea-2"] and adopted["next_after"] is None
    pending = await listed(web, OWNER, iid, status="pending", after=5)
    assert [i["id"] for i in pending["ideas"]] == ["idea-6", "idea-7"]
    assert pending["ideas"][0]["text"] == "idea number 6"


async def test_a_wrong_page_is_one_problem_and_a_stranger_learns_nothing(
    web: WebStack,
) -> None:
    iid = await launched(web)
    async with web.client(await web.token(CLERK)) as http:
        for query in ({"status": "maybe"}, {"after": "-1"}, {"after": "two"},
                      {"limit": "0"}, {"limit": "501"}, {"after": str(2**31)}):
            answer = await http.get(f"/api/v1/initiatives/{iid}/ideas", params=query)
            assert answer.status_code == 422, (query, answer.text)
            assert problem(answer)["errors"], query
    async with web.client(await web.token("stranger@elsewhere.example")) as http:
        hidden = await http.get(f"/api/v1/initiatives/{iid}/ideas")
        unknown = await http.get("/api/v1/initiatives/no-such-initiative/ideas")
    assert hidden.status_code == unknown.status_code == 404
    assert problem(hidden)["detail"] == f"unknown initiative {iid}"
    async with web.client(await web.token("auditor@acme.example", Grant.AUDITOR)) as http:
        assert (await http.get(f"/api/v1/initiatives/{iid}/ideas")).status_code == 200
