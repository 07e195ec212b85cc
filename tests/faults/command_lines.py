"""Hypothesis strategies for what people type: launch specs with one thing wrong (or nothing, or
everything), and `baton` command lines assembled from plausible and implausible words."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import yaml
from hypothesis import strategies as st

from cli.actions import ACTIONS
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR, spec_data

from .strategies import json_values

# What a command line can carry: any text but NUL, and a lone surrogate, which is what a byte
# that is not UTF-8 becomes in Python's argv.
typed_text = st.one_of(st.text(max_size=40).map(lambda text: text.replace("\x00", "")),
                       st.just("caf\udce9"))
actors = st.one_of(st.sampled_from([PMO, SPONSOR, EXPERT, OWNER, CLERK]), typed_text)
WORDS = ["sop", "control-plan", "idea-1", "5.2", "nan", "-1", "1e400", "because", "10d", "3x",
         "0.00001s", "--value", "--reason", "--evidence", "--plan", "--within", "--adopt",
         "--decline", "--approve", "--send-back", "--reopen", "--owner", "--json", ""]


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))
    yield path


VALID_SPEC = spec_data(sustainment={"checks": ["1h"], "tolerance": 0.8, "response_within": "1h"})
SPEC_VALUES = st.one_of(json_values, st.sampled_from(
    ["0.00001s", "0.0000001s", "3x", "-1d", "3651d", "a\x00b", "", "  ", "x" * 5000]))


@st.composite
def spec_documents(draw: st.DrawFn) -> str:
    """A valid spec's YAML with one place replaced, dropped or added to; now and then, any
    text at all."""
    data = copy.deepcopy(VALID_SPEC)
    *parents, last = draw(st.sampled_from([path for path in _leaves(data) if path]))
    container = data
    for key in parents:
        container = container[key]
    change = draw(st.sampled_from(["replace", "drop", "add", "keep"]))
    if change == "replace":
        container[last] = draw(SPEC_VALUES)
    elif change == "drop":
        del container[last]
    elif change == "add" and isinstance(container, dict):
        container[draw(st.text(min_size=1, max_size=12))] = draw(SPEC_VALUES)
    document = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return draw(st.one_of(st.just(document), st.text(max_size=200)))


def action_lines(initiative_id: str) -> st.SearchStrategy[list[str]]:
    """`ACTION ID WORDS...`, sometimes naming another initiative or none that could exist."""
    ids = st.one_of(st.just(initiative_id), st.sampled_from(["no-such-initiative", "Not An Id"]))
    words = st.lists(st.one_of(st.sampled_from(WORDS), typed_text), max_size=4)
    return st.tuples(st.sampled_from([action.name for action in ACTIONS]), ids, words).map(
        lambda line: [line[0], line[1], *line[2]])
