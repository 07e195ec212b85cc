"""The launch spec a PMO writes, validated so that every problem names its field and its reason."""

from __future__ import annotations

import itertools
import math
import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from domain.durations import Duration

MAX_NAME = 200
MAX_TEXT = 4000

# NUL is no character anyone means, and PostgreSQL stores it in neither text nor jsonb: a command
# holding one would be accepted, then fail every attempt to record it. (Lone surrogates, which
# undecodable bytes on a command line become, pydantic refuses on its own.)
WITHOUT_NUL = r"^[^\x00]*$"
ActorId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254,
                           pattern=r"^[^\s\x00]+$")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME,
                                        pattern=WITHOUT_NUL)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT,
                                        pattern=WITHOUT_NUL)]
StepId = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$"
    ),
]


class Role(StrEnum):
    SPONSOR = "sponsor"
    PMO = "pmo"
    EXPERT = "expert"
    OWNER = "owner"
    FRONT_LINE = "front_line"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MetricSource(_Model):
    url: Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://[^\s\x00]+$")]
    field: Annotated[str, StringConstraints(min_length=1, max_length=200,
                                            pattern=WITHOUT_NUL)] = "value"


class Metric(_Model):
    name: Name
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40,
                                           pattern=WITHOUT_NUL)] = ""
    baseline: float
    target: float
    direction: Direction
    # The process's standard deviation, if known; the control-chart rules estimate it otherwise.
    sigma: float | None = Field(default=None, gt=0)
    source: MetricSource | None = None

    @field_validator("baseline", "target", "sigma")
    @classmethod
    def _finite_numbers(cls, value: float | None) -> float | None:
        return value if value is None else _finite(value)

    @model_validator(mode="after")
    def _target_improves(self) -> Metric:
        better = self.target < self.baseline if self.direction is Direction.DECREASE else (
            self.target > self.baseline
        )
        if not better:
            raise ValueError(
                f"target {self.target:g} does not improve on baseline {self.baseline:g} "
                f"for direction {self.direction.value!r}"
            )
        return self


class HandoffStep(_Model):
    id: StepId
    title: Name
    assignee: Literal[Role.SPONSOR, Role.PMO, Role.EXPERT, Role.OWNER]
    due_in: Duration | None = None


class Ideas(_Model):
    triage_within: Duration = timedelta(days=7)


class Sustainment(_Model):
    checks: Annotated[list[Duration], Field(min_length=1, max_length=50)]
    tolerance: float = Field(gt=0, le=1)
    response_within: Duration

    @field_validator("checks")
    @classmethod
    def _increasing(cls, checks: list[timedelta]) -> list[timedelta]:
        if any(later <= earlier for earlier, later in itertools.pairwise(checks)):
            raise ValueError("check offsets must be strictly increasing")
        return checks


class InitiativeSpec(_Model):
    name: Name
    sponsor: ActorId
    pmo: ActorId
    expert: ActorId
    owner: ActorId
    metric: Metric
    handoff: Annotated[list[HandoffStep], Field(min_length=1, max_length=100)]
    expert_on_call: Duration
    front_line: Annotated[list[ActorId], Field(max_length=1000)] | None = None
    ideas: Ideas = Ideas()
    sustainment: Sustainment
    # How long after a step's due date the reminder turns into an escalation (default: the
    # step's own due_in again).
    handoff_grace: Duration | None = None

    @field_validator("handoff")
    @classmethod
    def _unique_steps(cls, steps: list[HandoffStep]) -> list[HandoffStep]:
        seen: set[str] = set()
        for step in steps:
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} appears more than once")
            seen.add(step.id)
        return steps

    def step(self, step_id: str) -> HandoffStep | None:
        return next((s for s in self.handoff if s.id == step_id), None)


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
    return text or "spec"


Lines = dict[tuple[int | str, ...], int]


def explain_errors(errors: list[Any], lines: Lines | None = None) -> list[str]:
    """One line per pydantic error: `line 14: handoff[2].due_in: '3x' is not a duration`."""
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "is not a known field"
        elif error["type"] == "missing":
            message = "is required"
        where = describe_location(loc)
        line = _nearest_line(loc, lines or {})
        problems.append(f"line {line}: {where}: {message}" if line else f"{where}: {message}")
    return problems


def _nearest_line(loc: tuple[int | str, ...], lines: Lines) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None
