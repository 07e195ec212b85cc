"""The API's contract for launching and acting: the actor is the authenticated person, the rules
refuse with the right status, and a refusal records nothing."""

from __future__ import annotations

import uuid
from typing import Any

import yaml

from app.identity import Grant
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, spec_data

from .conftest import OidcProvider, WebStack, problem

YAML = {"Content-Type": "application/yaml"}


def spec_yaml(**overrides: Any) -> str:
    return yaml.safe_dump(spec_data(name=f"API {uuid.uuid4().hex[:6]}", **overrides))


async def launched(web: WebStack) -> str:
    async with web.client(await web.token(PMO, Grant.PMO)) as http:
        answer = await http.post("/api/v1/initiatives", content=spec_yaml(), headers=YAML)
    assert answer.status_code == 201, answer.text
    iid: str = answer.json()["id"]
    return iid


async def test_a_pmo_launches_from_yaml_and_gets_the_initiative(web: WebStack) -> None:
    async with web.client(await web.token(PMO, Grant.PMO)) as http:
        answer = await http.post("/api/v1/initiatives", content=spec_yaml(), headers=YAML)
        assert answer.status_code == 201, answer.text
        created = answer.json()
        shown = (await http.get(f"/api/v1/initiatives/{created['id']}")).json()
        as_json = await http.post("/api/v1/initiatives", json=spec_data(name="As JSON"))
    assert created["phase"] == "proposed" and created["pmo"] == PMO
    assert shown == created
    assert answer.headers["location"].endswith(created["id"])
    assert as_json.status_code == 201
    first = (await web.store.read_stream(created["id"]))[0].event
    assert first.actor == PMO and first.provenance is not None
    assert first.provenance.method == "token"


async def test_a_dry_run_validates_and_records_nothing(web: WebStack) -> None:
    async with web.client(await web.token(PMO, Grant.PMO)) as http:
        before = await http.get("/api/v1/initiatives")
        dry = await http.post("/api/v1/initiatives", params={"dry_run": "true"},
                              content=spec_yaml(), headers=YAML)
        bad = await http.post("/api/v1/initiatives", params={"dry_run": "true"},
                              content="name: x\nsponsor: [\n", headers=YAML)
        wrong = await http.post("/api/v1/initiatives", params={"dry_run": "true"},
                                content=spec_yaml().replace("tolerance: 0.8", "tolerance: 7"),
                                headers=YAML)
        after = await http.get("/api/v1/initiatives")
    assert dry.status_code == 200 and dry.json()["valid"] is True
    assert bad.status_code == 422 and problem(bad)["errors"]
    # Each problem keeps its line apart from its text, as the contract says.
    errors = problem(wrong)["errors"]
    assert wrong.status_code == 422 and isinstance(errors[0]["line"], int), errors
    assert "tolerance" in errors[0]["msg"] and not errors[0]["msg"].startswith("line ")
    assert len(after.json()["initiatives"]) == len(before.json()["initiatives"])


async def test_a_dry_run_refuses_the_metric_source_a_launch_refuses(web: WebStack) -> None:
    # Loopback spelled as inet_aton reads it: the worker would refuse it, so both doors do.
    metric = {"name": "invoice cycle time", "baseline": 12, "target": 5, "direction": "decrease",
              "source": {"url": "http://0x7f000001:7233/"}}
    async with web.client(await web.token(PMO, Grant.PMO)) as http:
        before = await http.get("/api/v1/initiatives")
        dry = await http.post("/api/v1/initiatives", params={"dry_run": "true"},
                              content=spec_yaml(metric=metric), headers=YAML)
        real = await http.post("/api/v1/initiatives", content=spec_yaml(metric=metric),
                               headers=YAML)
        after = await http.get("/api/v1/initiatives")
    assert dry.status_code == real.status_code == 422, (dry.text, real.text)
    assert problem(dry)["detail"] == problem(real)["detail"] == (
        "metric.source.url: 0x7f000001 (127.0.0.1) is not a public address (allow it "
        "explicitly with BATON_METRIC_SOURCE_HOSTS)")
    assert len(after.json()["initiatives"]) == len(before.json()["initiatives"])


async def test_launching_needs_the_grant_and_the_spec_naming_the_person(
    web: WebStack,
) -> None:
    async with web.client(await web.token(PMO)) as http:
        no_grant = await http.post("/api/v1/initiatives", content=spec_yaml(), headers=YAML)
    async with web.client(await web.token("other-pmo@acme.example", Grant.PMO)) as http:
        not_named = await http.post("/api/v1/initiatives", content=spec_yaml(), headers=YAML)
    assert no_grant.status_code == not_named.status_code == 403
    assert "pmo grant" in problem(no_grant)["detail"]
    assert "only the PMO named in the spec" in problem(not_named)["detail"]


async def test_an_owner_cannot_take_the_sponsors_action_and_nothing_is_recorded(
    web: WebStack,
) -> None:
    iid = await launched(web)
    before = await web.events_of(iid)
    async with web.client(await web.token(OWNER)) as http:
        answer = await http.post(f"/api/v1/initiatives/{iid}/actions/approve-launch")
    assert answer.status_code == 403
    assert "only the sponsor" in problem(answer)["detail"]
    assert await web.events_of(iid) == before


async def test_the_recorded_actor_is_the_tokens_person_whatever_the_body_says(
    web: WebStack,
) -> None:
    iid = await launched(web)
    issued = await web.tokens.issue(SPONSOR, set())
    async with web.client(issued.token) as http:
        claimed = await http.post(f"/api/v1/initiatives/{iid}/actions/approve-launch",
                                  json={"actor": PMO})
        assert claimed.status_code == 422
        assert problem(claimed)["errors"][0]["loc"] == "body.actor"
        approved = await http.post(f"/api/v1/initiatives/{iid}/actions/approve-launch")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["initiative"]["phase"] == "improving"
    (event,) = body["events"]
    assert event["actor"] == SPONSOR
    assert event["provenance"] == {"method": "token", "issuer": "baton", "subject": issued.id}
    stored = (await web.store.read_stream(iid))[-1].event
    assert stored.actor == SPONSOR and stored.provenance is not None
    assert stored.provenance.subject == issued.id


async def test_a_retried_idempotency_key_records_once(web: WebStack) -> None:
    iid = await launched(web)
    async with web.client(await web.token(CLERK)) as http:
        headers = {"Idempotency-Key": f"idea-{uuid.uuid4().hex}"}
        first = await http.post(f"/api/v1/initiatives/{iid}/actions/idea",
                                json={"text": "pre-fill vendor ids"}, headers=headers)
        version = await web.events_of(iid)
        again = await http.post(f"/api/v1/initiatives/{iid}/actions/idea",
                                json={"text": "pre-fill vendor ids"}, headers=headers)
        other = await http.post(f"/api/v1/initiatives/{iid}/actions/idea",
                                json={"text": "pre-fill vendor ids"})
    assert first.status_code == again.status_code == other.status_code == 200
    assert again.json()["events"] == first.json()["events"]
    assert await web.events_of(iid) == version + 1  # only the request without the key added


async def test_refusals_by_state_input_and_existence(web: WebStack) -> None:
    iid = await launched(web)
    async with web.client(await web.token(EXPERT)) as http:
        early = await http.post(f"/api/v1/initiatives/{iid}/actions/deliver",
                                json={"value": 5.1})
        unknown_action = await http.post(f"/api/v1/initiatives/{iid}/actions/teleport")
        bad_value = await http.post(f"/api/v1/initiatives/{iid}/actions/deliver",
                                    json={"value": "lots"})
        missing = await http.get("/api/v1/initiatives/no-such-initiative")
    async with web.client(await web.token(PMO)) as http:
        await http.post(f"/api/v1/initiatives/{iid}/actions/cancel", json={"reason": "test"})
        closed = await http.post(f"/api/v1/initiatives/{iid}/actions/cancel",
                                 json={"reason": "again"})
    assert early.status_code == 409, early.text
    assert unknown_action.status_code == 404
    assert bad_value.status_code == 422
    assert problem(bad_value)["errors"][0]["loc"] == "body.value"
    assert missing.status_code == 404
    assert closed.status_code == 409 and problem(closed)["title"] == "Closed"


async def test_list_work_and_portfolio(web: WebStack) -> None:
    iid = await launched(web)
    async with web.client(await web.token(SPONSOR)) as http:
        listed = (await http.get("/api/v1/initiatives", params={"phase": "proposed"})).json()
        work = (await http.get("/api/v1/me/work")).json()["items"]
        portfolio = await http.get("/api/v1/portfolio")
        bad_phase = await http.get("/api/v1/initiatives", params={"phase": "done"})
    assert iid in [row["initiative_id"] for row in listed["initiatives"]]
    mine = [item for item in work if item["initiative_id"] == iid]
    assert [(i["kind"], i["action"]) for i in mine] == [("launch_approval", "approve-launch")]
    assert mine[0]["url"].endswith(f"/api/v1/initiatives/{iid}")
    assert portfolio.status_code == 200 and "by_phase" in portfolio.json()
    assert bad_phase.status_code == 422


async def test_an_identity_providers_person_acts_and_is_recorded_so(
    web: WebStack, oidc: OidcProvider,
) -> None:
    iid = await launched(web)
    jwt = await oidc.id_token(CLERK)
    async with web.client(jwt) as http:
        answer = await http.post(f"/api/v1/initiatives/{iid}/actions/idea",
                                 json={"text": "shorter forms"})
    assert answer.status_code == 200, answer.text
    (event,) = answer.json()["events"]
    assert event["actor"] == CLERK
    assert event["provenance"]["method"] == "oidc"
    assert event["provenance"]["issuer"] == oidc.issuer
    assert event["provenance"]["subject"] == CLERK


async def test_work_items_are_filled_from_the_portfolio_when_the_table_is_new(
    web: WebStack,
) -> None:
    from store.work import WorkItems

    iid = await launched(web)
    table = f"{web.store.schema}.work_items"
    async with web.store.pool.acquire() as connection:
        await connection.execute(f"DELETE FROM {table} WHERE initiative_id = $1", iid)
        await WorkItems(web.store.schema).backfill(connection)
        rows = await connection.fetch(f"SELECT person, action FROM {table} "
                                      "WHERE initiative_id = $1", iid)
    assert [(r["person"], r["action"]) for r in rows] == [(SPONSOR, "approve-launch")]
