"""Reading a launch spec from YAML text, keeping line numbers so errors point into the file."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from domain.errors import SpecError
from domain.spec import InitiativeSpec, Lines, explain_errors

MAX_SPEC_BYTES = 256 * 1024


def _line_map(node: yaml.Node, path: tuple[int | str, ...], lines: Lines) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines[(*path, key.value)] = key.start_mark.line + 1
                _line_map(value, (*path, key.value), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), lines)


def parse_spec_yaml(text: str) -> InitiativeSpec:
    """Parse and validate; raises SpecError whose problems each name a line and a field."""
    if len(text.encode("utf-8", "replace")) > MAX_SPEC_BYTES:
        raise SpecError([f"spec is larger than {MAX_SPEC_BYTES // 1024} KiB"])
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise SpecError([f"{where}invalid YAML: {problem}"]) from None
    if not isinstance(data, dict):
        raise SpecError(["spec: expected a mapping of fields (name, sponsor, metric, ...)"])
    lines: Lines = {}
    if node is not None:
        _line_map(node, (), lines)
    try:
        return InitiativeSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(explain_errors(exc.errors(), lines)) from None
