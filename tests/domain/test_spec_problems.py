"""A refused spec's problems, as a PMO reads them: in the order of the file, each naming the field
as the spec spells it and what it accepts, none in Python's or the YAML parser's terms."""

from __future__ import annotations

import re

import pytest

from app.errors import InvalidSpec
from domain import SpecError, parse_spec_yaml

from .test_spec import EXAMPLE

# Words of the machinery, not of the spec: types, reprs, the parser's node kinds.
INTERNALS = re.compile(r"datetime|mapping|scalar|<block|Input should|\bdict\b|\bfloat\b|"
                       r"\bstr\b|NoneType|Value error|\^\[|\bRole\.")


def problems_of(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_spec_yaml(text)
    return caught.value.problems


def test_problems_come_in_the_order_of_the_lines_each_naming_its_field() -> None:
    # The sustainment block first in the file: the model checks it after the metric.
    sustainment = EXAMPLE[EXAMPLE.index("sustainment:"):]
    text = sustainment.replace("response_within: 10d", "response_within: 2025-01-01") + (
        EXAMPLE[:EXAMPLE.index("sustainment:")].replace("target: 5", "target: many")
        .replace("pmo: pmo@acme.example", "pmo: ''"))
    located = InvalidSpec(problems_of(text)).located()
    assert [(p.line, p.field) for p in located] == [
        (4, "sustainment.response_within"), (7, "pmo"), (14, "metric.target")]
    assert located[0].message == ("2025-01-01 is not a duration; write a duration: a number "
                                  "then s, m, h, d or w, like 1h, 14d or 2w")


@pytest.mark.parametrize(("old", "new", "field", "accepted"), [
    ("tolerance: 0.8", "tolerance: 80%", "sustainment.tolerance", "tolerance: 0.8 means 80%"),
    ("tolerance: 0.8", "tolerance: 80", "sustainment.tolerance", "tolerance: 0.8 means 80%"),
    ("response_within: 10d", "response_within: 10 days", "sustainment.response_within",
     "like 1h, 14d or 2w"),
    ("expert_on_call: 45d", "expert_on_call: 45", "expert_on_call", "like 1h, 14d or 2w"),
    ("checks: [30d, 60d, 90d, 180d, 365d]", "checks: 30d", "sustainment.checks",
     "like [30d, 60d, 90d]"),
    ("triage_within: 7d", "triage_within: yes", "ideas.triage_within", "like 1h, 14d or 2w"),
    ("baseline: 12", "baseline:", "metric.baseline", "a number, like 12"),
    ("direction: decrease", "direction: down", "metric.direction", "'increase' or 'decrease'"),
    ("metric:\n  name", "metric: 12\nunused:\n  name", "metric",
     "name, unit, baseline, target, direction"),
    ("expert_on_call: 45d", "expert_on_call: 45d\ncolour: blue", "colour",
     "the fields here are name, sponsor"),
])
def test_each_problem_says_what_the_field_accepts(old: str, new: str, field: str,
                                                  accepted: str) -> None:
    problems = problems_of(EXAMPLE.replace(old, new, 1))
    mine = [p for p in InvalidSpec(problems).located() if p.field == field]
    assert mine and accepted in mine[0].message, problems
    assert not any(INTERNALS.search(p) for p in problems), problems


@pytest.mark.parametrize(("text", "plain"), [
    ("name: [unclosed\nsponsor: x\n", "the list opened with [ on line 1 is not closed"),
    ("name: {a: 1\n", "are not closed with }"),
    ("name: a: b\n", "put a value holding `: ` in quotes"),
    ("metric:\n\tname: x\n", "a tab: indent with spaces"),
    ("name: 'open\n", "never closed"),
    ("metric:\n  name: x\n unit: y\n", "indented differently"),
    ("name: !!python/object x\n", "tags (`!!...`) are not allowed"),
    ("- a\n- list\n", "must be its fields, one `name: value` a line"),
])
def test_unreadable_yaml_is_explained_without_the_parsers_words(text: str, plain: str) -> None:
    problems = problems_of(text)
    assert plain in problems[0], problems
    assert not any(INTERNALS.search(p) for p in problems), problems
