"""Who the API takes the caller to be: personal tokens and the identity provider's JWTs."""

from __future__ import annotations

from app.identity import Grant

from .conftest import OIDC_PMO_GROUP, OidcProvider, WebStack, problem


async def test_without_credentials_the_api_answers_401(web: WebStack) -> None:
    async with web.client() as http:
        answer = await http.get("/api/v1/me")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in problem(answer)["detail"]


async def test_bad_unknown_and_revoked_credentials_are_401(web: WebStack) -> None:
    issued = await web.tokens.issue("owner@acme.example", set())
    await web.tokens.revoke(issued.id)
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer baton_nonsense",
                   f"Bearer {issued.token}", "Bearer not.a.jwt"):
        async with web.client() as http:
            answer = await http.get("/api/v1/me", headers={"Authorization": header})
        assert answer.status_code == 401, header
        problem(answer)


async def test_a_personal_token_names_its_person_and_grants(web: WebStack) -> None:
    token = await web.token("pmo@acme.example", Grant.PMO, Grant.AUDITOR)
    async with web.client(token) as http:
        answer = await http.get("/api/v1/me")
    assert answer.status_code == 200
    assert answer.json() == {"person": "pmo@acme.example", "grants": ["auditor", "pmo"],
                             "authenticated_by": "token"}
    assert answer.headers["x-request-id"]


async def test_an_identity_provider_jwt_is_a_bearer_credential(
    web: WebStack, oidc: OidcProvider
) -> None:
    jwt = await oidc.id_token("lead@acme.example", {"groups": [OIDC_PMO_GROUP, "other"]})
    async with web.client(jwt) as http:
        answer = await http.get("/api/v1/me")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"person": "lead@acme.example", "grants": ["pmo"],
                             "authenticated_by": "oidc"}


async def test_a_tampered_jwt_is_refused(web: WebStack, oidc: OidcProvider) -> None:
    header, payload, signature = (await oidc.id_token("x@acme.example")).split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    async with web.client(forged) as http:
        answer = await http.get("/api/v1/me")
    assert answer.status_code == 401
    assert "bearer token refused" in problem(answer)["detail"]


async def test_probes(web: WebStack) -> None:
    async with web.client() as http:
        assert (await http.get("/livez")).json() == {"status": "ok"}
        ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["postgres"] == "ok"


async def test_the_openapi_document_and_docs_are_served(web: WebStack) -> None:
    async with web.client() as http:
        document = (await http.get("/api/openapi.json")).json()
        docs = await http.get("/api/docs")
    assert "/api/v1/me" in document["paths"]
    assert docs.status_code == 200
