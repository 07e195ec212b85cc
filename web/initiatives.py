"""Initiatives over HTTP: launch one, list them, show one, and act on one by action name.

The actor is always the authenticated person (`web.auth`): a body that names an actor is
refused like any unknown field. The JSON of an initiative is the app's one presenter
(`app.presenter.state_json`), the same object `baton show ID --json` prints.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import ValidationError

from app import presenter
from app.act import ActRequest, act
from app.actions import ACTIONS
from app.context import Context
from app.errors import InvalidSpec
from app.idea_pages import IdeasWanted, ideas_page, ideas_page_json
from app.identity import Grant
from app.launch import LaunchRequest, launch, parse_spec
from app.show import ListFilter, list_initiatives, show, shown_json
from domain import InitiativeSpec
from domain.spec_problems import explain_errors
from web.auth import Authenticated, require_grant
from web.input_limits import parse_json
from web.problems import Problem, invalid
from web.responses import PresentedJSON
from web.schemas import (
    PROBLEM_RESPONSES,
    Acted,
    IdeasPage,
    Initiative,
    InitiativeList,
    Validated,
)

router = APIRouter(tags=["initiatives"], responses=PROBLEM_RESPONSES)

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
JSON_TYPES = ("application/json",)


# RFC-draft Idempotency-Key: an opaque string the client chooses per logical request.
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


def request_id_for(person: str, key: str | None) -> str | None:
    """The workflow's request id for a person's Idempotency-Key: a retry with the same key
    records once and gets the first answer's events; another person's key never collides."""
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        raise invalid("Idempotency-Key: 1 to 255 visible ASCII characters",
                      [{"loc": "header.Idempotency-Key", "msg": "not a key"}])
    return "idem-" + hashlib.sha256(f"{person}\x00{key}".encode()).hexdigest()[:40]


def context_of(request: Request) -> Context:
    context: Context = request.app.state.services.context
    return context


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("the body is not UTF-8 text") from None


async def _spec(request: Request) -> InitiativeSpec:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = _text(await request.body())  # bounded as it arrived (web.body_limit)
    if kind in YAML_TYPES:
        return parse_spec(body)
    if kind in JSON_TYPES:
        data = parse_json(body)
        try:
            return InitiativeSpec.model_validate(data)
        except ValidationError as error:
            # Worded as a YAML spec's problems are, without lines: JSON has none to give.
            raise InvalidSpec(explain_errors(error.errors(), model=InitiativeSpec)) from None
    raise Problem(415, "send the spec as application/yaml or application/json, "
                       f"not {kind or 'no content type'}")


@router.post("/initiatives", status_code=201, response_model=Initiative, responses={
    200: {"model": Validated, "description": "With `dry_run`: the spec is valid; nothing "
                                            "was recorded"},
    413: PROBLEM_RESPONSES[422] | {"description": "The spec is too large"},
    415: PROBLEM_RESPONSES[422] | {"description": "Not YAML nor JSON"}})
async def launch_initiative(request: Request, identity: Authenticated,
                            dry_run: bool = False) -> PresentedJSON:
    require_grant(identity, Grant.PMO, "launch initiatives")
    spec = await _spec(request)
    context = context_of(request)
    launched = await launch(context, LaunchRequest(
        actor=identity.person, spec=spec, validate_only=dry_run,
        provenance=identity.provenance))
    if dry_run:
        return PresentedJSON({"valid": True, "name": spec.name, "recorded": False})
    assert launched.initiative_id is not None
    shown = await show(context, launched.initiative_id, identity.viewer)
    return PresentedJSON(shown_json(shown), status_code=201,
                        headers={"Location": f"{request.url.path}/{launched.initiative_id}"})


@router.get("/initiatives", response_model=InitiativeList)
async def list_all(request: Request, identity: Authenticated,
                   phase: str | None = None, owner: str | None = None,
                   overdue: bool = False) -> PresentedJSON:
    found = await list_initiatives(context_of(request),
                                   ListFilter(phase=phase, owner=owner, overdue=overdue),
                                   identity.viewer)
    return PresentedJSON({"initiatives": [s.model_dump(mode="json") for s in found]})


@router.get("/initiatives/{initiative_id}", response_model=Initiative)
async def show_one(request: Request, identity: Authenticated,
                   initiative_id: str) -> PresentedJSON:
    return PresentedJSON(shown_json(
        await show(context_of(request), initiative_id, identity.viewer)))


@router.get("/initiatives/{initiative_id}/ideas", response_model=IdeasPage)
async def list_ideas(request: Request, identity: Authenticated, initiative_id: str,
                     wanted: Annotated[IdeasWanted, Query()]) -> PresentedJSON:
    """Every idea of the initiative, a page at a time, in the order they came: pass the
    answer's `next_after` as `after` for the next page (null on the last)."""
    return PresentedJSON(ideas_page_json(
        await ideas_page(context_of(request), initiative_id, identity.viewer, wanted)))


def _arguments_schema() -> dict[str, Any]:
    """The request body in the OpenAPI document: each action's arguments, by action name."""
    return {"requestBody": {"required": False, "content": {"application/json": {"schema": {
        "description": "The action's arguments, named as the CLI's options; the actor is "
                       "always the authenticated person.",
        "oneOf": [{"title": name, **action.arguments.model_json_schema()}
                  for name, action in ACTIONS.items()]}}}}}


@router.post("/initiatives/{initiative_id}/actions/{action}", response_model=Acted,
             openapi_extra=_arguments_schema())
async def take_action(request: Request, identity: Authenticated, initiative_id: str,
                      action: str,
                      idempotency_key: Annotated[str | None, Header()] = None) -> PresentedJSON:
    if action not in ACTIONS:
        raise Problem(404, f"unknown action {action!r} (one of: {', '.join(ACTIONS)})")
    body = _text(await request.body())  # bounded as it arrived (web.body_limit)
    arguments = parse_json(body) if body.strip() else {}
    if not isinstance(arguments, dict):
        raise invalid("the body must be a JSON object of the action's arguments")
    acted = await act(context_of(request), ActRequest(
        initiative_id=initiative_id, action=action, actor=identity.person,
        viewer=identity.viewer, arguments=arguments,
        request_id=request_id_for(identity.person, idempotency_key),
        provenance=identity.provenance))
    # What was recorded and where the initiative stands: never the whole initiative, whose
    # ideas and readings grow for years (GET the initiative for that).
    return PresentedJSON({
        "events": [presenter.event_json(e) for e in acted.events],
        "initiative": {"id": acted.initiative_id, "phase": acted.phase,
                       "version": acted.version}})
