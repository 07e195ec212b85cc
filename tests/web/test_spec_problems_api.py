"""A spec the API refuses: each of its problem+json `errors` names the field the spec spells,
with its line when the spec was YAML, in the order of the lines; the same words for JSON."""

from __future__ import annotations

import json

from app.identity import Grant
from tests.domain.builders import PMO, spec_data

from .conftest import WebStack, problem
from .test_initiatives import YAML, spec_yaml

DURATION_FORM = "like 1h, 14d or 2w"


async def test_a_yaml_specs_problems_name_their_fields_and_lines_in_order(web: WebStack) -> None:
    text = (spec_yaml().replace("response_within: 10d", "response_within: 2025-01-01")
            .replace("tolerance: 0.8", "tolerance: 80%"))
    async with web.client(await web.token(PMO, Grant.PMO)) as http:
        answer = await http.post("/api/v1/initiatives?dry_run=true", content=text, headers=YAML)
    assert answer.status_code == 422
    errors = problem(answer)["errors"]
    assert [e["loc"] for e in errors] == ["sustainment.response_within",
                                          "sustainment.tolerance"]
    assert [e["line"] for e in errors] == sorted(e["line"] for e in errors)
    assert errors[0]["msg"].startswith("2025-01-01 is not a duration") and (
        DURATION_FORM in errors[0]["msg"])
    assert "tolerance: 0.8 means 80%" in errors[1]["msg"]


async def test_a_json_specs_problems_are_worded_the_same(web: WebStack) -> None:
    data = spec_data(name="JSON spec", metric="fast")
    data["sustainment"] = {"checks": ["30d"], "tolerance": 0.8, "response_within": "soon"}
    async with web.client(await web.token(PMO, Grant.PMO)) as http:
        answer = await http.post("/api/v1/initiatives?dry_run=true", content=json.dumps(data),
                                 headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    errors = {e["loc"]: e["msg"] for e in problem(answer)["errors"]}
    assert errors["sustainment.response_within"].startswith("'soon' is not a duration")
    assert DURATION_FORM in errors["sustainment.response_within"]
    assert errors["metric"].startswith("must hold fields")
    assert "body" not in errors and "Input should" not in answer.text
