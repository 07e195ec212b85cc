"""Hostile specs through the installed `baton`: refused at once, one plain line per problem, and
nothing started (no stack is running here: a refused spec never reaches one)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.runner import Baton, write_spec
from tests.domain.test_spec import EXAMPLE
from tests.domain.test_spec_text import alias_bomb

BAD_INPUT = 2


async def launch(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    outcome = await Baton(BATON_HOME=str(tmp_path / "home"))("launch", str(path),
                                                            actor="pmo@acme.example")
    assert outcome.code == BAD_INPUT, outcome.stderr
    return [line.removeprefix(f"baton: error: {path}: ") for line in outcome.problem_lines]


async def test_an_alias_bomb_is_refused_in_moments(tmp_path: Path) -> None:
    # Expanded, it would take gigabytes and minutes: the suite's per-test limit catches that.
    problems = await launch(tmp_path, alias_bomb())
    assert problems[0] == "line 1: spec: anchors (&a) are not allowed in a spec"


async def test_a_second_sponsor_is_refused_naming_both_lines(tmp_path: Path) -> None:
    problems = await launch(tmp_path, EXAMPLE.replace(
        "pmo: pmo@acme.example", "pmo: pmo@acme.example\nsponsor: mallory@evil.example"))
    assert problems == ["line 4: sponsor: appears twice (lines 2 and 4); keep one"]


async def test_many_problems_come_one_per_line_in_plain_words(tmp_path: Path) -> None:
    text = write_spec(tmp_path, "base.yaml").read_text()
    text = (text.replace("assignee: expert", "assignee: boss", 1)
            .replace("tolerance: 0.8", "tolerance: 2")
            .replace("name: Cut invoice cycle time", 'name: "Cut\\e[2J"'))
    problems = await launch(tmp_path, text)
    assert len(problems) == 3, problems
    assert not any("Role." in p or "^[" in p or "Input should" in p for p in problems)
    assert any("must be one line of text, without an escape character" in p for p in problems)


async def test_the_owner_may_not_be_the_expert(tmp_path: Path) -> None:
    text = EXAMPLE.replace("owner: ap-lead@acme.example", "owner: BELT@consult.example")
    problems = await launch(tmp_path, text)
    assert problems == ["line 1: spec: belt@consult.example cannot be both the expert and the "
                        "owner: the handoff is from the one to the other"]
