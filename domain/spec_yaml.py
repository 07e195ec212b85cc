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
from domain.spec import InitiativeSpec, Lines, describe_location, explain_errors

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
            problems.append(f"line {line}: aliases (*{anchor}) are not allowed in a spec; "
                            "write the value out")
        else:
            problems.append(f"line {line}: anchors (&{anchor}) are not allowed in a spec")
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
                problems.append(f"line {line}: merge keys (<<) are not allowed in a spec; write "
                                "the fields out")
                continue
            if key.value in first_seen:
                where = describe_location((*path, key.value))
                problems.append(f"line {line}: {where} appears twice (lines "
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
        raise SpecError([f"spec is larger than {MAX_SPEC_BYTES // 1024} KiB"])
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
        problem = getattr(exc, "problem", None) or str(exc)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError([f"{where}invalid YAML: {problem}"]) from None
    if not isinstance(data, dict):
        raise SpecError(["spec: expected a mapping of fields (name, sponsor, metric, ...)"])
    try:
        return InitiativeSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(explain_errors(exc.errors(), lines)) from None
