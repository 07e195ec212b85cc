"""What is wrong with a launch spec, said so a PMO can fix it: one line per problem, in the order
of the file's lines, each naming the field as the spec spells it (`sustainment.response_within`),
what was written there as it was written, and what the field accepts (`tolerance: 0.8 means
80%`, durations like `1h` or `14d`). Never a Python type, a parser's term or a pattern.

Every problem reads `line N: FIELD: what is wrong`, `FIELD: what is wrong` where no line is known,
with FIELD `spec` for the spec as a whole, so the doors can show the field apart.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, get_args

from pydantic import BaseModel

Lines = dict[tuple[int | str, ...], int]
WHOLE_SPEC = "spec"

DURATION = "a duration: a number then s, m, h, d or w, like 1h, 14d or 2w"
PERSON = "a person: an e-mail address or a user name"
# What each field accepts, by its own name (every name means one thing throughout a spec).
ACCEPTED = {
    **dict.fromkeys(("expert_on_call", "handoff_grace", "triage_within", "response_within",
                     "due_in", "before"), DURATION),
    **dict.fromkeys(("sponsor", "pmo", "expert", "owner"), PERSON),
    "checks": "a list of durations after the handoff is approved, each later than the one "
              "before, like [30d, 60d, 90d]",
    "tolerance": "the share of the gain that must be kept, more than 0 and at most 1: "
                 "tolerance: 0.8 means 80%",
    "baseline": "a number, like 12 or 4.5", "target": "a number, like 5 or 4.5",
    "sigma": "a number above 0, like 0.5",
    "per_unit": "a number above 0: what one unit of improvement is worth a year",
    "currency": "a three-letter currency code, like EUR or USD",
    "direction": "increase or decrease", "range": "[min, max], like [0, 100]",
    "assignee": "sponsor, pmo, expert or owner",
    "id": "lower-case letters, digits, '.', '_' and '-', like control-plan",
    "front_line": "a list of people, like [clerk-1@acme.example, clerk-2@acme.example]",
    "handoff": "a list of steps, each like {id: sop, title: Standard work documented, "
               "assignee: expert}",
    "url": "an http:// or https:// address",
}
# Errors about the form of what was written: the accepted form follows them. A field's own
# validator already says what it wants, and so does a list of choices.
_ABOUT_FORM = {"missing", "float_parsing", "float_type", "int_parsing", "string_type",
               "list_type", "tuple_type", "dict_type", "model_type", "greater_than",
               "greater_than_equal", "less_than", "less_than_equal", "string_pattern_mismatch",
               "too_short", "too_long", "string_too_short", "bool_parsing"}
# The durations' own hint, replaced here by the field's accepted form.
_DURATION_HINT = re.compile(r" \(use a number and s, m, h, d or w: '30d'\)$")

_PLAIN: dict[str, str] = {
    "extra_forbidden": "is not a known field", "missing": "is required",
    "string_too_short": "must not be empty", "string_type": "{input} is not text",
    "float_parsing": "{input} is not a number", "float_type": "{input} is not a number",
    "int_parsing": "{input} is not a whole number", "bool_parsing": "must be true or false",
    "list_type": "must be a list", "tuple_type": "must be a list",
    "dict_type": "must hold fields, indented under it, one `name: value` a line",
    "model_type": "must hold fields, indented under it, one `name: value` a line",
    "string_too_long": "is {length} characters long; at most {max_length} are allowed",
    "too_short": "needs at least {min_length}", "too_long": "may hold at most {max_length}",
    "greater_than": "{input} must be more than {gt}",
    "greater_than_equal": "{input} must be at least {ge}",
    "less_than": "{input} must be less than {lt}",
    "less_than_equal": "{input} must be at most {le}",
    "enum": "must be one of {expected}", "literal_error": "must be one of {expected}",
    "string_pattern_mismatch": "{input} is not in the form it takes",
}


def shown(value: object) -> str:
    """A value as it stands in the spec, not as Python holds it: a date as the date typed, a
    text in quotes so its spaces show."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "an empty value"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return repr(value) if isinstance(value, str) else str(value)


def describe_location(loc: tuple[int | str, ...]) -> str:
    """('handoff', 2, 'due_in') -> 'handoff[2].due_in'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            continue  # pydantic's own markers, e.g. 'function-after[...]'
        else:
            text += f".{part}" if text else part
    return text or WHOLE_SPEC


def plain_words(error: Any) -> str:
    """What is wrong, as a person says it: no type names, enum reprs or regular expressions."""
    kind = error["type"]
    template = _PLAIN.get(kind)
    value = error.get("input")
    if value is None and kind.endswith(("_type", "_parsing")):
        return "is empty"  # `target:` with nothing after it
    if template is None:
        message = str(error["msg"]).removeprefix("Value error, ")
        # A validator quotes the value as Python spells it: put it as the spec spelled it.
        return message.replace(repr(value), shown(value)) if value is not None else message
    context = {key: f"{v:g}" if isinstance(v, float) else str(v)
               for key, v in (error.get("ctx") or {}).items()}
    length = len(value) if isinstance(value, str) else 0
    return template.format(input=shown(value), length=length, **context)


def _field_names(model: type[BaseModel] | None) -> str:
    return ", ".join(model.model_fields) if model is not None else ""


def _nested(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_nested, get_args(annotation))), None)


def _group_at(model: type[BaseModel], path: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The group of fields `path` leads to in the spec (`metric`, a step of `handoff`)."""
    found: type[BaseModel] | None = model
    for part in path:
        if isinstance(part, int):
            continue
        field = found.model_fields.get(part) if found is not None else None
        found = _nested(field.annotation) if field is not None else None
    return found


def _explained(error: Any, loc: tuple[int | str, ...], model: type[BaseModel]) -> str:
    message = plain_words(error)
    leaf = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if error["type"] == "extra_forbidden":
        known = _field_names(_group_at(model, loc[:-1]))
        return f"{message}; the fields here are {known}" if known else message
    if error["type"] in ("dict_type", "model_type"):
        known = _field_names(_group_at(model, loc))
        return f"{message}: {known}" if known else message
    form = ACCEPTED.get(leaf)
    if form is DURATION and error["type"] == "value_error":
        return f"{_DURATION_HINT.sub('', message)}; write {form}"
    if form and error["type"] in _ABOUT_FORM:
        return f"{message}; write {form}"
    return message


def explain_errors(errors: list[Any], lines: Lines | None = None, *,
                   model: type[BaseModel] | None = None) -> list[str]:
    """One line per pydantic error, in the order of the spec's lines:
    `line 14: handoff[2].due_in: '3x' is not a duration; write a duration: ...`. `model` (the
    spec's) lets a problem name the fields a group takes."""
    found = []
    for error in errors:
        loc = tuple(error["loc"])
        where = describe_location(loc)
        line = _nearest_line(loc, lines or {})
        message = _explained(error, loc, model) if model is not None else plain_words(error)
        found.append((line, f"line {line}: {where}: {message}" if line else f"{where}: {message}"))
    return [text for _, text in sorted(found, key=lambda item: item[0] or 0)]


def _nearest_line(loc: tuple[int | str, ...], lines: Lines) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None
