"""The OpenAPI document describes every answer of the API: each route's success with a schema,
and its refusals as problem+json. The models it names hold the answers the presenter writes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app import idea_pages as app_pages
from app import presenter
from app.idea_pages import ideas_page_json
from domain import commands as c
from tests.domain.builders import CLERK, handed_over
from web.app import API_PREFIX, create_app
from web.config import WebConfig
from web.responses import PresentedJSON
from web.schemas import Acted, IdeasPage, Initiative
from web.services import WebServices
from workflows.contracts import InitiativeView

METHODS = ("get", "post", "put", "patch", "delete")


def _never_opened() -> AbstractAsyncContextManager[WebServices]:
    raise AssertionError("the document needs no use case")


@pytest.fixture
async def document() -> AsyncIterator[dict[str, Any]]:
    app = create_app(WebConfig(session_secret="s" * 32), _never_opened)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://baton.example") as http:
        answer = await http.get("/api/openapi.json")
        assert answer.status_code == 200
        yield answer.json()


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def api_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation)
            for path, item in document["paths"].items() if path.startswith(API_PREFIX)
            for method, operation in item.items() if method in METHODS]


async def test_every_api_route_documents_the_schema_of_its_success(
        document: dict[str, Any]) -> None:
    operations = api_operations(document)
    assert len(operations) >= 12
    undocumented = []
    for method, path, operation in operations:
        successes = {status: answer for status, answer in operation["responses"].items()
                     if status.startswith("2")}
        schemas = [_resolved(document, media["schema"]) for answer in successes.values()
                   for media in answer.get("content", {}).values() if media.get("schema")]
        described = [schema for schema in schemas
                     if schema.get("properties") or schema.get("type") == "string"]
        if not described:
            undocumented.append(f"{method} {path}")
    assert not undocumented, undocumented


async def test_every_api_route_documents_its_refusals_as_problem_json(
        document: dict[str, Any]) -> None:
    for method, path, operation in api_operations(document):
        for status in ("401", "404", "422", "503"):
            answer = operation["responses"].get(status)
            assert answer is not None, f"{method} {path} says nothing of {status}"
            media = answer["content"]["application/problem+json"]
            problem = _resolved(document, media["schema"])
            assert {"type", "title", "status", "detail"} <= set(problem["properties"])


def _presented(content: dict[str, Any]) -> Any:
    """As the API sends it: through the same JSON writer."""
    return json.loads(bytes(PresentedJSON(content).body))


def test_the_models_hold_what_the_presenter_writes() -> None:
    timeline = handed_over("init-1")
    idea = timeline.run(c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids"), timedelta(days=1))
    view = InitiativeView(state=timeline.state, head_hash="0" * 64, deadlines=[],
                          run_id="run-1")
    Initiative.model_validate(_presented(presenter.state_json(view)))
    IdeasPage.model_validate(_presented(ideas_page_json(app_pages.IdeasPage(
        initiative_id="init-1", ideas=timeline.state.ideas, next_after=None))))
    Acted.model_validate(_presented({
        "events": [presenter.event_json(e) for e in idea],
        "initiative": {"id": "init-1", "phase": view.state.phase.value,
                       "version": view.state.version}}))
