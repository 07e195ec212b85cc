"""The identity provider's claims are taken only as they are meant: an e-mail address names its
person only once the provider verified it, and groups come only as a list of names. Anything
else is 401, with the reason in the log."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from .conftest import OIDC_PMO_GROUP, OidcProvider, WebStack, problem
from .sessions import sign_in_with_provider

CFO = "cfo-claims@acme.example"


@pytest.mark.parametrize(("claims", "reason"), [
    ({"email_verified": False}, "not verified"),
    ({"email_verified": "true"}, "not verified"),
    ({"groups": {OIDC_PMO_GROUP: True}}, "not a list of group names"),
    ({"groups": OIDC_PMO_GROUP}, "not a list of group names"),
    ({"groups": [OIDC_PMO_GROUP, 7]}, "not a list of group names"),
])
async def test_unverified_emails_and_malformed_groups_are_refused(
    web: WebStack, oidc: OidcProvider, claims: dict[str, Any], reason: str
) -> None:
    jwt = await oidc.id_token(CFO, claims)
    with capture_logs() as logs:
        async with web.client(jwt) as http:
            answer = await http.get("/api/v1/me")
    assert answer.status_code == 401
    assert reason in problem(answer)["detail"]
    (refusal,) = [e for e in logs if e.get("event") == "identity provider token refused"]
    assert reason in refusal["reason"] and refusal["subject"] == CFO


async def test_a_browser_sign_in_with_an_unverified_email_is_refused(
    web: WebStack, oidc: OidcProvider
) -> None:
    await oidc.http.put(f"{oidc.issuer}/users/{CFO}",
                        json={"email": CFO, "email_verified": False})
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as browser:
        back = await sign_in_with_provider(browser, oidc, CFO)
        assert back.status_code == 401
        assert (await browser.get("/api/v1/me")).status_code == 401


async def test_a_verified_email_and_a_list_of_groups_are_accepted(
    web: WebStack, oidc: OidcProvider
) -> None:
    jwt = await oidc.id_token(CFO, {"groups": [OIDC_PMO_GROUP]})
    async with web.client(jwt) as http:
        answer = await http.get("/api/v1/me")
    assert answer.json() == {"person": CFO, "grants": ["pmo"], "authenticated_by": "oidc"}
