"""The launch spec a PMO writes, validated so that every problem names its field and its reason."""

from __future__ import annotations

import itertools
import math
import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from domain.durations import Duration
from domain.spec_problems import plain_words as plain_words  # re-exported: app.actions
from domain.text import ActorText, multi_line, single_line

MAX_NAME = 200
MAX_TEXT = 4000

# NUL stays out of the ids that no other rule covers (see `domain.text` for the rest).
WITHOUT_NUL = r"^[^\x00]*$"
ActorId = ActorText
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME),
                 AfterValidator(single_line)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT),
                 AfterValidator(multi_line)]
_STEP_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*")


def _step_id(value: str) -> str:
    if not _STEP_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not an id: use lower-case letters, digits, '.', '_' and "
                         "'-', starting with a letter or digit")
    return value


def _url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s\x00]+", value):
        raise ValueError("must be an http:// or https:// URL, without spaces")
    return value


StepId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
                   AfterValidator(_step_id)]


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
    url: Annotated[str, StringConstraints(max_length=2000), AfterValidator(_url)]
    field: Annotated[str, StringConstraints(min_length=1, max_length=200),
                     AfterValidator(single_line)] = "value"


class Metric(_Model):
    name: Name
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40),
                    AfterValidator(single_line)] = ""
    baseline: float
    target: float
    direction: Direction
    # The process's standard deviation, if known; the control-chart rules estimate it otherwise.
    sigma: float | None = Field(default=None, gt=0)
    source: MetricSource | None = None
    # The values the metric can take at all, [min, max]; readings outside are refused.
    range: tuple[float, float] | None = Field(default=None, exclude_if=lambda v: v is None)

    @field_validator("baseline", "target", "sigma")
    @classmethod
    def _finite_numbers(cls, value: float | None) -> float | None:
        return value if value is None else _finite(value)

    @field_validator("range")
    @classmethod
    def _ordered(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        if bounds is not None:
            low, high = (_finite(bound) for bound in bounds)
            if low >= high:
                raise ValueError(f"[{low:g}, {high:g}] is not a range: min must be below max")
        return bounds

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
        if not math.isfinite(self.baseline - self.target):
            raise ValueError("baseline and target are too far apart to compute a gain")
        if self.range is not None and not all(
                self.range[0] <= value <= self.range[1] for value in (self.baseline, self.target)):
            raise ValueError(f"baseline {self.baseline:g} and target {self.target:g} must lie "
                             f"within the range [{self.range[0]:g}, {self.range[1]:g}]")
        return self


_ASSIGNABLE = (Role.SPONSOR, Role.PMO, Role.EXPERT, Role.OWNER)


class HandoffStep(_Model):
    id: StepId
    title: Name
    assignee: Literal[Role.SPONSOR, Role.PMO, Role.EXPERT, Role.OWNER]
    due_in: Duration | None = None

    @field_validator("assignee", mode="before")
    @classmethod
    def _assignable(cls, value: object) -> object:
        if value not in _ASSIGNABLE:
            raise ValueError(f"{value!r} is not a role a step can be assigned to (use "
                             f"{', '.join(r.value for r in _ASSIGNABLE[:-1])} or owner)")
        return value


class Benefit(_Model):
    """What one unit of improvement of the metric is worth, per year."""

    per_unit: float = Field(gt=0)
    currency: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                               pattern=r"^[A-Za-z]{3}$")]

    @field_validator("per_unit")
    @classmethod
    def _finite_value(cls, value: float) -> float:
        return _finite(value)


def _unset(value: object) -> bool:
    return value is None


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


class Reminders(_Model):
    # How long before a due date its person is reminded; unset: a fifth of the commitment's
    # window, at least an hour.
    before: Duration | None = None


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
    # Left out of the recorded spec when absent, so specs launched before them encode as before.
    benefit: Benefit | None = Field(default=None, exclude_if=_unset)
    handoff_statement: Annotated[Text, Field(min_length=1)] | None = Field(
        default=None, exclude_if=_unset)
    reminders: Reminders | None = Field(default=None, exclude_if=_unset)

    @field_validator("handoff")
    @classmethod
    def _unique_steps(cls, steps: list[HandoffStep]) -> list[HandoffStep]:
        seen: set[str] = set()
        for step in steps:
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} appears more than once")
            seen.add(step.id)
        return steps

    @model_validator(mode="after")
    def _owner_is_not_the_expert(self) -> InitiativeSpec:
        # The handoff transfers accountability from the expert to someone inside: one person
        # in both roles would hand it to themselves.
        if self.owner == self.expert:
            raise ValueError(f"{self.owner} cannot be both the expert and the owner: the "
                             "handoff is from the one to the other")
        return self

    def step(self, step_id: str) -> HandoffStep | None:
        return next((s for s in self.handoff if s.id == step_id), None)
