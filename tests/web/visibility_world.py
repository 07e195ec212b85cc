"""Two initiatives and the people around them, each signed in to the API (a bearer token) and to
the pages (a session cookie), for walking the app's routes as every role.

Initiative A is the one looked at; its PMO reassigned it from the owner it was launched with
(the past owner) to the one it has now. Initiative B gives the PMO office holder and the "person
of another initiative" a role elsewhere. Every person's address is new to the test session, so
what other tests launched never names them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from enum import StrEnum

import httpx

from domain.commands import ReassignOwner
from domain.visibility import Grant
from tests.workflows.scenario import quick_spec, wait_for
from workflows.client import InitiativeClient

from .conftest import WebStack

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
# No timer falls due while the routes are walked: the initiatives stay as launched.
CALM = {"expert_on_call": "30d",
        "sustainment": {"checks": ["30d", "60d"], "tolerance": 0.8, "response_within": "10d"}}


class Role(StrEnum):
    SPONSOR = "sponsor"
    PMO = "the initiative's PMO"
    EXPERT = "expert"
    OWNER = "owner"
    PAST_OWNER = "owner reassigned away"
    FRONT_LINE = "front line"
    PMO_OFFICE = "pmo grant, PMO of another initiative"
    AUDITOR = "auditor grant"
    OTHER = "person of another initiative"
    NOBODY = "no role anywhere"


GRANTS = {Role.PMO_OFFICE: (Grant.PMO,), Role.AUDITOR: (Grant.AUDITOR,)}


@dataclass
class Looker:
    person: str
    token: str
    api: httpx.AsyncClient  # bearer token
    pages: httpx.AsyncClient  # signed in at /signin: the session cookie
    csrf: str  # the session's form token


@dataclass
class World:
    initiative_id: str  # A
    other_initiative_id: str  # B
    people: dict[Role, Looker]


def person_of(role: Role, run: str) -> str:
    return f"{role.name.lower().replace('_', '-')}-{run}@acme.example"


async def signed_in(web: WebStack, token: str, stack: AsyncExitStack) -> tuple[httpx.AsyncClient,
                                                                                str]:
    """A cookie-keeping client signed in with `token` at /signin, and its form token."""
    pages = await stack.enter_async_context(httpx.AsyncClient(base_url=web.url, timeout=60))
    form = await pages.get("/signin")
    csrf = _CSRF.search(form.text)
    assert csrf, form.text
    answer = await pages.post("/signin", data={"token": token, "csrf": csrf[1], "next": "/"})
    assert answer.status_code == 303, answer.text
    home = await pages.get("/")
    csrf = _CSRF.search(home.text)
    assert home.status_code == 200 and csrf, home.text
    return pages, csrf[1]


async def world_of(web: WebStack, initiatives: InitiativeClient) -> AsyncIterator[World]:
    run = uuid.uuid4().hex[:8]
    name = {role: person_of(role, run) for role in Role}
    a = await initiatives.launch(quick_spec(
        name="Seen by its people", sponsor=name[Role.SPONSOR], pmo=name[Role.PMO],
        expert=name[Role.EXPERT], owner=name[Role.PAST_OWNER],
        front_line=[name[Role.FRONT_LINE]], **CALM), name[Role.PMO])
    await initiatives.send(a, ReassignOwner(actor=name[Role.PMO], owner=name[Role.OWNER]))
    b = await initiatives.launch(quick_spec(
        name="Another initiative", sponsor=f"sponsor-b-{run}@acme.example",
        pmo=name[Role.PMO_OFFICE], expert=f"expert-b-{run}@acme.example",
        owner=name[Role.OTHER], front_line=[f"clerk-b-{run}@acme.example"], **CALM),
        name[Role.PMO_OFFICE])
    for iid in (a, b):
        await wait_for(initiatives, iid, lambda view: view.state.version >= 1)
    async with AsyncExitStack() as stack:
        people = {}
        for role in Role:
            token = await web.token(name[role], *GRANTS.get(role, ()))
            api = await stack.enter_async_context(web.client(token))
            pages, csrf = await signed_in(web, token, stack)
            people[role] = Looker(name[role], token, api, pages, csrf)
        yield World(a, b, people)
