"""Specs and text as a hostile or careless person writes them."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import ValidationError

from domain import SpecError, parse_spec_yaml
from domain import commands as c
from domain.text import (
    _ANY_CONTROL,
    _CONTROL_BUT_LINE_BREAK,
    _INVISIBLE,
    _SPACE,
    for_one_line,
    for_terminal,
)

from .builders import OWNER, make_spec
from .test_spec import EXAMPLE, problems_of


def alias_bomb(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n" + EXAMPLE


def test_an_alias_bomb_is_refused_at_once_without_expanding_it() -> None:
    problems = problems_of(alias_bomb())
    assert problems[0] == "line 1: spec: anchors (&a) are not allowed in a spec"
    assert problems[-1].startswith("... and ")
    assert len(problems) == 6


@pytest.mark.parametrize("text", [
    EXAMPLE.replace("pmo: pmo@acme.example", "pmo: &p pmo@acme.example"),
    EXAMPLE.replace("owner: ap-lead@acme.example", "owner: *x"),
    EXAMPLE.replace("expert_on_call: 45d", "expert_on_call: 45d\n<<: {sponsor: x@y.example}"),
])
def test_anchors_aliases_and_merge_keys_are_refused(text: str) -> None:
    assert any("not allowed in a spec" in p for p in problems_of(text))


def test_a_duplicate_key_is_refused_naming_both_lines() -> None:
    doubled = EXAMPLE.replace("pmo: pmo@acme.example",
                              "pmo: pmo@acme.example\nsponsor: mallory@evil.example")
    assert problems_of(doubled) == ["line 4: sponsor: appears twice (lines 2 and 4); keep one"]
    nested = EXAMPLE.replace("  unit: days", "  unit: days\n  baseline: 1")
    assert problems_of(nested) == [
        "line 10: metric.baseline: appears twice (lines 9 and 10); keep one"]


@pytest.mark.parametrize(("old", "new"), [
    ("name: Cut invoice cycle time", 'name: "Cut\\ninvoice"'),
    ("name: Cut invoice cycle time", 'name: "Cut \\e[31mred"'),
    ("name: Cut invoice cycle time", 'name: "Cut \\u202eemit"'),
    ("title: Standard work documented", 'title: "Standard\\rwork"'),
    ("owner: ap-lead@acme.example", 'owner: "ap-lead@acme.example\\u0007"'),
    ("unit: days", 'unit: "da\\u2028ys"'),
])
def test_single_line_text_refuses_line_breaks_and_control_characters(old: str,
                                                                     new: str) -> None:
    problems = problems_of(EXAMPLE.replace(old, new))
    assert len(problems) == 1 and "must be one line of text, without" in problems[0], problems


def test_multi_line_text_keeps_line_breaks_only() -> None:
    kept = c.CompleteStep(actor=OWNER, step_id="sop", evidence="SOP v3\r\nsigned\rfiled")
    assert kept.evidence == "SOP v3\nsigned\nfiled"
    with pytest.raises(ValidationError, match="may hold line breaks but not an escape"):
        c.SubmitIdea(actor=OWNER, text="nice idea\x1b[2J")
    with pytest.raises(ValidationError, match="one line of text"):
        c.TriageIdea(actor=OWNER, idea_id="idea\n-1", adopt=True)


def test_the_same_person_typed_two_ways_is_one_person() -> None:
    spec = make_spec(owner="AP-Lead@ACME.example", front_line=["Cle\u0301rk@acme.example"])
    assert spec.owner == "ap-lead@acme.example"
    assert spec.front_line == ["cl\u00e9rk@acme.example"]
    assert c.AcceptOwnership(actor=" Ap-Lead@Acme.Example ").actor == "ap-lead@acme.example"
    assert c.AcceptOwnership(actor="Belt").actor == "Belt"  # a user name keeps its case


def test_every_problem_is_one_line_of_plain_words() -> None:
    broken = (EXAMPLE.replace("assignee: expert}", "assignee: janitor}")
              .replace("id: training", "id: Training!").replace("tolerance: 0.8", "tolerance: x")
              .replace("baseline: 12", "baseline: twelve").replace("pmo: pmo@acme.example",
                                                                  "pmo: ''"))
    with pytest.raises(SpecError) as caught:
        parse_spec_yaml(broken)
    problems = caught.value.problems
    assert str(caught.value) == "\n".join(problems)
    assert problems == [
        "line 3: pmo: must not be empty; write a person: an e-mail address or a user name",
        "line 9: metric.baseline: 'twelve' is not a number; write a number, like 12 or 4.5",
        "line 16: handoff[0].assignee: 'janitor' is not a role a step can be assigned to "
        "(use sponsor, pmo, expert or owner)",
        "line 18: handoff[2].id: 'Training!' is not an id: use lower-case letters, digits, "
        "'.', '_' and '-', starting with a letter or digit",
        "line 25: sustainment.tolerance: 'x' is not a number; write the share of the gain that "
        "must be kept, more than 0 and at most 1: tolerance: 0.8 means 80%",
    ]


def test_terminal_output_spells_out_what_could_still_reach_it() -> None:
    assert for_terminal("ok\x1b[31m\u202e\nnext") == "ok\\u001b[31m\\u202e\nnext"
    assert for_one_line("a\nb\tc") == "a\\nb\\u0009c"


def _control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in _INVISIBLE


def test_the_control_character_classes_agree_with_the_unicode_categories() -> None:
    """The checks run as regular expressions; over every code point they must say what the
    Unicode categories (and the list of invisible characters) say."""
    disagreements = [
        f"U+{code:04X}" for code in range(0x110000)
        if (bool(_ANY_CONTROL.match(char := chr(code))) != _control(char)
            or bool(_CONTROL_BUT_LINE_BREAK.match(char)) != (_control(char) and char != "\n")
            or bool(_SPACE.match(char)) != char.isspace())
    ]
    assert disagreements == []
