"""Reading a launch spec from YAML text, keeping line numbers so errors point into the file.

Only plain YAML is accepted: no anchors or aliases (a few hundred bytes of nested aliases expand
to gigabytes, the "billion laughs"), checked on the parser's event stream before anything is
built, and no key twice in one mapping (YAML lets the last one silently win, so a second
`sponsor:` would replace the first).
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from domain.errors import SpecError
from domain.spec import InitiativeSpec
from domain.spec_problems import WHOLE_SPEC, Lines, describe_location, explain_errors

MAX_SPEC_BYTES = 256 * 1024
_MERGE_TAG = "tag:yaml.org,2002:merge"
_SHOWN = 5


def _refuse_aliases(text: str) -> None:
    """Parse events only (linear in the text, nothing expanded) and refuse every anchor, alias
    and merge key."""
    problems = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        anchor = getattr(event, "anchor", None)
        if anchor is None:
            continue
        line = event.start_mark.line + 1 if event.start_mark else "?"
        if isinstance(event, yaml.AliasEvent):
            problems.append(f"line {line}: {WHOLE_SPEC}: aliases (*{anchor}) are not allowed in "
                            "a spec; write the value out")
        else:
            problems.append(f"line {line}: {WHOLE_SPEC}: anchors (&{anchor}) are not allowed "
                            "in a spec")
    if len(problems) > _SHOWN:
        problems[_SHOWN:] = [f"... and {len(problems) - _SHOWN} more anchors and aliases"]
    if problems:
        raise SpecError(problems)


def _line_map(node: yaml.Node, path: tuple[int | str, ...], lines: Lines,
              problems: list[str]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, int] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            line = key.start_mark.line + 1
            if key.tag == _MERGE_TAG:
                problems.append(f"line {line}: {WHOLE_SPEC}: merge keys (<<) are not allowed in "
                                "a spec; write the fields out")
                continue
            if key.value in first_seen:
                where = describe_location((*path, key.value))
                problems.append(f"line {line}: {where}: appears twice (lines "
                                f"{first_seen[key.value]} and {line}); keep one")
                continue
            first_seen[key.value] = line
            lines[(*path, key.value)] = line
            _line_map(value, (*path, key.value), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines, problems)


def parse_spec_yaml(text: str) -> InitiativeSpec:
    """Parse and validate; raises SpecError whose problems each name a line and a field."""
    if len(text.encode("utf-8", "replace")) > MAX_SPEC_BYTES:
        raise SpecError([f"{WHOLE_SPEC}: is larger than {MAX_SPEC_BYTES // 1024} KiB"])
    try:
        _refuse_aliases(text)
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            lines: Lines = {}
            problems: list[str] = []
            if node is not None:
                _line_map(node, (), lines, problems)
            if problems:
                raise SpecError(problems)
            data: Any = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError([f"{where}invalid YAML: {_unreadable(exc)}"]) from None
    if not isinstance(data, dict):
        raise SpecError([f"{WHOLE_SPEC}: must be its fields, one `name: value` a line, "
                         f"starting with {', '.join(list(InitiativeSpec.model_fields)[:6])}"])
    try:
        return InitiativeSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(explain_errors(exc.errors(), lines, model=InitiativeSpec)) from None


# The parser's findings in the words of someone editing the file, most specific first; the
# parser's own say "mapping", "scalar" and "<block end>".
_UNREADABLE = (
    ("expected ',' or ']'", "the list opened with [{opened} is not closed with ], or its "
                            "items need a comma between them"),
    ("expected ',' or '}'", "the fields opened with {{{opened} are not closed with }}, or "
                            "need a comma between them"),
    ("mapping values are not allowed", "a second `: ` on one line: put a value holding `: ` "
                                       "in quotes, or start the field on a line of its own"),
    ("'\\t' that cannot start", "a tab: indent with spaces"),
    ("cannot start any token", "a value cannot start with this character: put it in quotes"),
    ("unexpected end of stream", "the text ends inside a quote or bracket{opened} that is "
                                 "never closed"),
    ("expected <block end>", "this line is indented differently from the lines it belongs "
                             "with: line them up, with spaces"),
    ("could not find expected ':'", "a field needs a colon after its name: `name: value`"),
    ("escape character", "an unknown backslash escape in double quotes: use single quotes, "
                         "or write \\\\ for a backslash"),
    ("tag", "tags (`!!...`) are not allowed in a spec: write the value alone"),
)


def _unreadable(error: yaml.YAMLError) -> str:
    problem = str(getattr(error, "problem", None) or error)
    opened = getattr(error, "context_mark", None)
    on_line = f" on line {opened.line + 1}" if opened is not None else ""
    return next((plain.format(opened=on_line) for found, plain in _UNREADABLE
                 if found in problem),
                "this cannot be read: check the indentation, the quotes and the brackets")
