from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from domain import SpecError, parse_spec_yaml
from domain.durations import format_duration, parse_duration

from .builders import make_spec

EXAMPLE = """\
name: Cut invoice cycle time
sponsor: cfo@acme.example
pmo: pmo@acme.example
expert: belt@consult.example
owner: ap-lead@acme.example
metric:
  name: invoice cycle time
  unit: days
  baseline: 12
  target: 5
  direction: decrease
  source:
    url: http://metrics.acme.example/ap/cycle-time
    field: value
handoff:
  - {id: sop, title: Standard work documented, assignee: expert}
  - {id: control-plan, title: Control plan and response plan agreed, assignee: owner, due_in: 14d}
  - {id: training, title: Front-line team trained, assignee: owner, due_in: 21d}
expert_on_call: 45d
front_line: [clerk-1@acme.example, clerk-2@acme.example]
ideas:
  triage_within: 7d
sustainment:
  checks: [30d, 60d, 90d, 180d, 365d]
  tolerance: 0.8
  response_within: 10d
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_spec_yaml(text)
    return caught.value.problems


def test_the_documented_example_parses() -> None:
    spec = parse_spec_yaml(EXAMPLE)
    assert spec.handoff[1].due_in == timedelta(days=14)
    assert spec.sustainment.checks[-1] == timedelta(days=365)
    assert spec.metric.source is not None and spec.metric.source.field == "value"


def test_a_bad_duration_names_its_line_and_field() -> None:
    assert problems_of(EXAMPLE.replace("due_in: 21d", "due_in: 3x")) == [
        "line 18: handoff[2].due_in: '3x' is not a duration; write a duration: a number then "
        "s, m, h, d or w, like 1h, 14d or 2w"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("target: 5", "target: 15", "metric: target 15 does not improve on baseline 12"),
        ("baseline: 12", "baseline: .nan", "metric.baseline: nan is not a finite number"),
        ("tolerance: 0.8", "tolerance: 1.5", "sustainment.tolerance: 1.5 must be at most 1"),
        ("checks: [30d, 60d", "checks: [60d, 30d", "sustainment.checks: check offsets must be"),
        ("id: training", "id: sop", "handoff: step id 'sop' appears more than once"),
        ("assignee: expert}", "assignee: janitor}", "handoff[0].assignee: 'janitor' is not a role"),
        ("expert_on_call: 45d", "expert_on_call: 45d\ncolour: blue", "colour: is not a known"),
        ("owner: ap-lead@acme.example\n", "", "owner: is required"),
        ("name: Cut invoice cycle time", "name: " + "x" * 300,
         "name: is 300 characters long; at most 200 are allowed"),
    ],
)
def test_each_problem_names_the_field_and_why(old: str, new: str, expected: str) -> None:
    problems = problems_of(EXAMPLE.replace(old, new, 1))
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("line ") for p in problems), problems


def test_yaml_syntax_errors_give_line_and_column() -> None:
    problem = problems_of("name: [unclosed\nsponsor: x\n")[0]
    assert problem.startswith("line 2, column 8: invalid YAML")


def test_a_spec_that_is_not_a_mapping_is_refused() -> None:
    assert problems_of("- just\n- a list\n")[0].startswith(
        "spec: must be its fields, one `name: value` a line")


@pytest.mark.parametrize("text", ["30s", "15m", "12h", "45d", "2w", "1.5h", "0.00001s"])
def test_durations_round_trip(text: str) -> None:
    value = parse_duration(text)
    assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize("text", ["", "3x", "-1d", "0s", "d", "10y", "99999d", "0.0000001s"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("field", ["name", "owner", "front_line"])
def test_text_postgresql_cannot_store_is_refused(field: str) -> None:
    value = ["clerk\x00@acme.example"] if field == "front_line" else "a\x00b"
    with pytest.raises(ValidationError, match="without NUL"):
        make_spec(**{field: value})
