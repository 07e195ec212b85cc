"""Whatever the server sends carries headers that keep a browser from running it, sniffing it
as another type or framing it elsewhere; a document meant to be saved is sent as a download."""

from __future__ import annotations

from app.identity import Grant
from bench.web_bench import sign_in_with_token

from .conftest import WebStack
from .test_initiatives import launched

REQUIRED = ("content-security-policy", "x-content-type-options", "x-frame-options")


def _guarded(headers: dict[str, str]) -> None:
    for name in REQUIRED:
        assert name in headers, name
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "script-src" not in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]


async def test_audit_reports_are_guarded_downloads(web: WebStack) -> None:
    iid = await launched(web)
    async with web.client(await web.token("auditor@acme.example", Grant.AUDITOR)) as http:
        for extension in ("html", "md"):
            answer = await http.get(f"/api/v1/initiatives/{iid}/audit/report",
                                    params={"format": extension})
            assert answer.status_code == 200
            _guarded(dict(answer.headers))
            assert answer.headers["content-disposition"] == (
                f'attachment; filename="{iid}-audit.{extension}"')


async def test_api_answers_and_problems_are_guarded(web: WebStack) -> None:
    async with web.client(await web.token("anyone@acme.example")) as http:
        answers = [await http.get("/api/v1/me"), await http.get("/api/v1/nowhere"),
                   await http.get("/api/openapi.json")]
    for answer in answers:
        _guarded(dict(answer.headers))


async def test_csv_downloads_are_guarded(web: WebStack) -> None:
    async with web.client() as browser:
        await sign_in_with_token(browser, await web.token("pmo-csv@acme.example", Grant.PMO))
        answer = await browser.get("/portfolio/initiatives.csv")
    assert answer.status_code == 200, answer.text[:200]
    _guarded(dict(answer.headers))
    assert answer.headers["content-disposition"].startswith("attachment;")
