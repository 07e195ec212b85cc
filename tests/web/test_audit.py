"""The audit endpoints: for auditors, and for the initiative's own PMO."""

from __future__ import annotations

from app.identity import Grant
from tests.domain.builders import OWNER, PMO

from .conftest import WebStack, problem
from .test_initiatives import launched


async def test_audit_needs_the_auditor_grant_or_being_the_pmo(web: WebStack) -> None:
    iid = await launched(web)
    async with web.client(await web.token(OWNER)) as http:
        refused = await http.get(f"/api/v1/initiatives/{iid}/audit/verify")
    async with web.client(await web.token(PMO)) as http:
        replayed = await http.get(f"/api/v1/initiatives/{iid}/audit/replay",
                                  params={"version": 1})
    assert refused.status_code == 403
    assert "auditor grant" in problem(refused)["detail"]
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["state"]["phase"] == "proposed"


async def test_an_auditor_verifies_and_files_the_report(web: WebStack) -> None:
    iid = await launched(web)
    async with web.client(await web.token("auditor@acme.example", Grant.AUDITOR)) as http:
        verified = await http.get(f"/api/v1/initiatives/{iid}/audit/verify")
        markdown = await http.get(f"/api/v1/initiatives/{iid}/audit/report")
        html = await http.get(f"/api/v1/initiatives/{iid}/audit/report",
                              params={"format": "html"})
        as_json = await http.get(f"/api/v1/initiatives/{iid}/audit/report",
                                 params={"format": "json"})
        unknown = await http.get("/api/v1/initiatives/nobody-knows/audit/verify")
        naive = await http.get(f"/api/v1/initiatives/{iid}/audit/replay",
                               params={"as_of": "2026-01-01T00:00:00"})
    assert verified.status_code == 200 and verified.json()["ok"] is True, verified.text
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert iid in markdown.text
    assert html.text.startswith("<!DOCTYPE html>")
    assert as_json.json()["initiative"]["id"] == iid
    assert unknown.status_code == 404
    assert naive.status_code == 422
