"""Every route of the app, pages and API, walked as every role: each answers as the README's
"Who sees what" says (`domain.visibility`). A route must have a rule in `RULES`, so one added
without deciding who may see it fails here.

An initiative a role may not see answers exactly as an unknown one does: the same status and the
same body, but for the id itself.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from enum import Enum, auto
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from temporalio.client import Client

from tests.cli.runner import Baton
from tests.domain.builders import spec_data
from web.app import create_app
from web.config import WebConfig
from workflows.client import InitiativeClient

from .conftest import WebStack
from .visibility_world import Looker, Role, World, world_of

SEES = frozenset({Role.SPONSOR, Role.PMO, Role.EXPERT, Role.OWNER, Role.PAST_OWNER,
                  Role.FRONT_LINE, Role.PMO_OFFICE, Role.AUDITOR})
AUDITS = frozenset({Role.PMO, Role.AUDITOR})
PORTFOLIO = frozenset({Role.SPONSOR, Role.PMO_OFFICE, Role.AUDITOR})
OFFICES = frozenset({Role.PMO_OFFICE, Role.AUDITOR})
EVERYONE = frozenset(Role)
UNKNOWN_ID = "no-such-initiative-0000"


class Kind(Enum):
    SAME_FOR_ALL = auto()  # nothing of an initiative: the same success for every role
    LISTS = auto()  # answers everyone, listing initiative A only to those who see it
    SHOWS = auto()  # A to those who see it (200); as unknown to the others (404)
    ACTS_ON = auto()  # refused by the rules to those who see A (403/409); as unknown otherwise
    AUDITS = auto()  # to AUDITS (200); refused to the others who see A (403); as unknown otherwise
    GRANTED = auto()  # to `allowed` (200); refused to the others (403)
    NOT_WALKED = auto()  # the sign-in flow and static files: they show no one's data


@dataclass(frozen=True)
class Rule:
    kind: Kind
    allowed: frozenset[Role] = EVERYONE
    why: str = ""


def _not_walked(why: str) -> Rule:
    return Rule(Kind.NOT_WALKED, why=why)


SIGN_IN = _not_walked("the sign-in flow (test_sign_in.py, test_token_sessions.py)")
RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/livez"): Rule(Kind.SAME_FOR_ALL),
    ("GET", "/readyz"): Rule(Kind.SAME_FOR_ALL),
    ("GET", "/api/openapi.json"): Rule(Kind.SAME_FOR_ALL),
    ("GET", "/api/docs"): Rule(Kind.SAME_FOR_ALL),
    ("GET", "/docs/oauth2-redirect"): Rule(Kind.SAME_FOR_ALL),
    ("MOUNT", "/api/docs/assets"): _not_walked("Swagger UI's own files"),
    ("MOUNT", "/static"): _not_walked("the pages' stylesheet"),
    ("GET", "/api/v1/me"): Rule(Kind.SAME_FOR_ALL),
    ("GET", "/api/v1/me/work"): Rule(Kind.SAME_FOR_ALL),
    ("POST", "/api/v1/initiatives"): Rule(Kind.GRANTED, frozenset({Role.PMO_OFFICE})),
    ("GET", "/api/v1/initiatives"): Rule(Kind.LISTS),
    ("GET", "/api/v1/initiatives/{initiative_id}"): Rule(Kind.SHOWS),
    ("GET", "/api/v1/initiatives/{initiative_id}/ideas"): Rule(Kind.SHOWS),
    ("POST", "/api/v1/initiatives/{initiative_id}/actions/{action}"): Rule(Kind.ACTS_ON),
    ("GET", "/api/v1/portfolio"): Rule(Kind.GRANTED, PORTFOLIO),
    ("GET", "/api/v1/initiatives/{initiative_id}/audit/replay"): Rule(Kind.AUDITS),
    ("GET", "/api/v1/initiatives/{initiative_id}/audit/verify"): Rule(Kind.AUDITS),
    ("GET", "/api/v1/initiatives/{initiative_id}/audit/report"): Rule(Kind.AUDITS),
    ("GET", "/api/v1/events"): Rule(Kind.GRANTED, OFFICES),
    ("GET", "/api/v1/events/stream"): Rule(Kind.GRANTED, OFFICES),
    ("GET", "/auth/login"): SIGN_IN,
    ("GET", "/auth/callback"): SIGN_IN,
    ("POST", "/auth/logout"): SIGN_IN,
    ("GET", "/signin"): SIGN_IN,
    ("POST", "/signin"): SIGN_IN,
    ("POST", "/signout"): SIGN_IN,
    ("GET", "/"): Rule(Kind.SAME_FOR_ALL),
    ("GET", "/initiatives/{iid}"): Rule(Kind.SHOWS),
    ("POST", "/initiatives/{iid}/actions/{action}"): Rule(Kind.ACTS_ON),
    ("GET", "/initiatives/{iid}/ideas/new"): Rule(Kind.SHOWS),
    ("GET", "/portfolio"): Rule(Kind.GRANTED, PORTFOLIO),
    ("GET", "/portfolio/initiatives.csv"): Rule(Kind.GRANTED, PORTFOLIO),
    ("GET", "/portfolio/reliability.csv"): Rule(Kind.GRANTED, PORTFOLIO),
    ("GET", "/launch"): Rule(Kind.SAME_FOR_ALL),
    ("POST", "/launch"): Rule(Kind.GRANTED, frozenset({Role.PMO_OFFICE})),
    ("GET", "/initiatives/{iid}/audit"): Rule(Kind.AUDITS),
    ("GET", "/initiatives/{iid}/audit/report.{extension}"): Rule(Kind.AUDITS),
}


def app_routes() -> Iterator[tuple[str, str]]:
    """(method, path) of every route the app serves; a mount as ("MOUNT", path)."""
    app = create_app(WebConfig(), lambda: None)  # type: ignore[arg-type, return-value]
    for route in app.router.routes:
        # FastAPI keeps an included router whole: its routes are reached through it.
        candidates = getattr(route, "effective_candidates", None)
        served: list[Any] = list(candidates()) if candidates else [route]
        for found in served:  # a Route, a Mount, or a route of an included router
            methods = getattr(found, "methods", None)
            if methods is None:
                yield "MOUNT", found.path
            for method in sorted((methods or set()) - {"HEAD"}):
                yield method, found.path


def test_every_route_has_a_rule() -> None:
    served = set(app_routes())
    assert served - set(RULES) == set(), "routes without a rule of who may see them"
    assert set(RULES) - served == set(), "rules for routes the app no longer serves"


@pytest.fixture(scope="module")
async def world(web: WebStack, temporal_client: Client) -> AsyncIterator[World]:
    async for made in world_of(web, InitiativeClient(temporal_client, web.task_queue)):
        yield made


def _filled(path: str, iid: str) -> str:
    return (path.replace("{initiative_id}", iid).replace("{iid}", iid)
            .replace("{action}", "reading").replace("{extension}", "md"))


async def _answer(looker: Looker, method: str, path: str, iid: str) -> httpx.Response:
    url = _filled(path, iid)
    client = looker.api if path.startswith("/api/v1") else looker.pages
    # A launch validated only, of a spec naming the caller as its PMO: nothing is recorded.
    spec = spec_data(pmo=looker.person, sponsor="x-sponsor@acme.example",
                     expert="x-expert@acme.example", owner="x-owner@acme.example")
    if path == "/api/v1/initiatives" and method == "POST":
        return await client.post(url, params={"dry_run": "true"}, json=spec)
    if path == "/launch" and method == "POST":
        return await client.post(url, data={"csrf": looker.csrf, "mode": "validate",
                                            "spec": yaml.safe_dump(spec, sort_keys=False)})
    if method == "POST" and path.startswith("/api/v1"):
        return await client.post(url, json={"value": 5.0})
    if method == "POST":
        return await client.post(url, data={"csrf": looker.csrf, "value": "5"})
    if path.endswith("/stream"):
        async with client.stream("GET", url) as streamed:
            return streamed  # its status is all that is asked of a stream that never ends
    return await client.get(url)


def _as_unknown(answer: httpx.Response, iid: str) -> str:
    """The body with the id taken out, and the session's form token."""
    return re.sub(r'name="csrf" value="[^"]+"', "", answer.text.replace(iid, "ID"))


async def _check(world: World, role: Role, method: str, path: str, rule: Rule) -> None:
    if rule.kind is Kind.NOT_WALKED:
        return
    looker, iid = world.people[role], world.initiative_id
    answer = await _answer(looker, method, path, iid)
    said = f"{method} {path} as {role}: {answer.status_code}"
    seen = role in SEES
    match rule.kind:
        case Kind.SAME_FOR_ALL:
            assert answer.status_code == 200, said
        case Kind.LISTS:
            assert answer.status_code == 200, said
            listed = {row["initiative_id"] for row in answer.json()["initiatives"]}
            assert (iid in listed) == seen, said
        case Kind.GRANTED:
            assert answer.status_code == (200 if role in rule.allowed else 403), said
        case Kind.SHOWS | Kind.ACTS_ON | Kind.AUDITS if not seen:
            unknown = await _answer(looker, method, path, UNKNOWN_ID)
            assert answer.status_code == unknown.status_code == 404, said
            assert _as_unknown(answer, iid) == _as_unknown(unknown, UNKNOWN_ID), said
        case Kind.SHOWS:
            assert answer.status_code == 200, said
        case Kind.ACTS_ON:
            assert answer.status_code in (403, 409), said
        case Kind.AUDITS:
            assert answer.status_code == (200 if role in AUDITS else 403), said


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.name.lower())
async def test_every_route_answers_each_role_as_the_rule_says(world: World, role: Role) -> None:
    wrong = []
    for (method, path), rule in RULES.items():
        try:
            await _check(world, role, method, path, rule)
        except AssertionError as error:
            wrong.append(str(error).splitlines()[0])
    assert wrong == []


async def test_a_sponsor_sees_the_figures_of_their_own_initiatives(world: World) -> None:
    sponsor = world.people[Role.SPONSOR]
    figures = (await sponsor.api.get("/api/v1/portfolio")).json()
    assert figures["initiatives"] == 1
    listed = (await sponsor.pages.get("/portfolio/initiatives.csv")).text.splitlines()[1:]
    assert [row.split(",")[0] for row in listed] == [world.initiative_id]


async def test_an_auditor_sees_reliability_only_summed(world: World) -> None:
    office = (await world.people[Role.PMO_OFFICE].api.get("/api/v1/portfolio")).json()
    audited = (await world.people[Role.AUDITOR].api.get("/api/v1/portfolio")).json()
    assert audited["reliability"] == [] and office["reliability_of_others"] is None
    if office["reliability"]:
        assert audited["reliability_of_others"]["people"] == len(office["reliability"])


async def test_baton_through_the_api_shows_only_what_its_person_may_see(
    world: World, web: WebStack, tmp_path: Path,
) -> None:
    def baton(role: Role) -> Baton:
        return Baton(BATON_URL=web.url, BATON_TOKEN=world.people[role].token,
                     BATON_HOME=str(tmp_path))

    iid = world.initiative_id
    listed = (await baton(Role.FRONT_LINE).ok("list", "--json")).json
    assert iid in [row["id"] for row in listed]
    assert iid not in [row["id"] for row in (await baton(Role.NOBODY).ok("list", "--json")).json]
    for command in (("show", iid), ("audit", "replay", iid)):
        hidden, unknown = await baton(Role.NOBODY)(*command), await baton(Role.NOBODY)(
            *command[:-1], UNKNOWN_ID)
        assert hidden.code == unknown.code == 2, command
        assert hidden.error_line.replace(iid, "ID") == unknown.error_line.replace(UNKNOWN_ID, "ID")
    refused = await baton(Role.OTHER)("portfolio")
    assert refused.code == 1 and "portfolio" in refused.error_line
