"""The state of one initiative: nothing but the fold of its events (see `domain.evolve`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.spec import InitiativeSpec, Role


class Phase(StrEnum):
    NEW = "new"  # before the launch event: the empty stream
    PROPOSED = "proposed"
    IMPROVING = "improving"
    HANDING_OFF = "handing_off"
    IN_REVIEW = "in_review"
    SUSTAINING = "sustaining"
    REGRESSED = "regressed"
    SUSTAINED = "sustained"
    CLOSED_REGRESSED = "closed_regressed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


CLOSED_PHASES = frozenset(
    {Phase.SUSTAINED, Phase.CLOSED_REGRESSED, Phase.CANCELLED, Phase.REJECTED}
)
OPEN_PHASES = frozenset(set(Phase) - CLOSED_PHASES - {Phase.NEW})


class StepStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"


class CheckStatus(StrEnum):
    SCHEDULED = "scheduled"  # not yet due
    DUE = "due"  # due, waiting for a reading
    PASSED = "passed"
    REGRESSED = "regressed"


class IdeaStatus(StrEnum):
    PENDING = "pending"
    ADOPTED = "adopted"
    DECLINED = "declined"
    DELIVERED = "delivered"
    DUPLICATE = "duplicate"


class _State(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StepState(_State):
    id: str
    title: str
    assignee: Role
    status: StepStatus = StepStatus.PENDING
    due_at: datetime | None = None
    completed_at: datetime | None = None
    completed_by: str | None = None
    evidence: str = ""
    reminded: bool = False
    escalated: bool = False


class Reading(_State):
    value: float
    at: datetime
    actor: str
    interim: bool = False  # recorded while no check was due
    corrected_from: float | None = None  # the value first recorded, if it was corrected


class CheckState(_State):
    number: int  # 1-based, as people count checks
    due_at: datetime
    status: CheckStatus = CheckStatus.SCHEDULED
    reading: float | None = None
    retention: float | None = None
    rules: tuple[str, ...] = ()
    judged_at: datetime | None = None
    escalated: bool = False


class IdeaState(_State):
    id: str
    text: str
    submitted_by: str
    submitted_at: datetime
    triage_due_at: datetime
    status: IdeaStatus = IdeaStatus.PENDING
    reason: str = ""
    triaged_at: datetime | None = None
    delivered_at: datetime | None = None
    escalated: bool = False
    supporters: tuple[str, ...] = ()
    duplicate_of: str | None = None
    reminded: bool = False  # the owner was reminded its triage falls due (pull stream only)


class ResponsePlan(_State):
    action: str
    submitted_by: str
    submitted_at: datetime
    due_at: datetime
    escalated: bool = False


class RegressionRecord(_State):
    """One regression and the owner's answer to it, kept after recovery for the commitments."""

    regressed_at: datetime
    plan_due_at: datetime  # the plan itself is owed within the spec's response_within
    plan_submitted_at: datetime | None = None
    plan_submitted_by: str | None = None
    recovery_due_at: datetime | None = None
    recovered_at: datetime | None = None
    settled: str = ""  # why what is still open here can no longer be met (a reopen)


class Stuck(_State):
    """What the engine decided and could not record; see `events.InitiativeStuck`."""

    reason: str
    command: str
    at: datetime


class SustainmentRound(_State):
    """A delivery and the checks that followed it, kept when a reopened initiative delivers anew:
    the benefit those checks verified (or lost) stays on the record."""

    delivered_value: float
    delivered_at: datetime
    checks: tuple[CheckState, ...]


class Escalation(_State):
    subject: str
    reason: str
    to: str
    at: datetime


class Undelivered(_State):
    notification_id: str
    to: str
    reason: str
    at: datetime


ACCOUNTABLE_ROLES = (Role.SPONSOR, Role.PMO, Role.EXPERT, Role.OWNER)


def reminder_key(subject: str, due_at: datetime) -> str:
    """A commitment's due date can move (a reopened step): each date is reminded once."""
    return f"{subject}@{due_at.isoformat()}"


class InitiativeState(_State):
    initiative_id: str
    version: int = 0
    phase: Phase = Phase.NEW
    spec: InitiativeSpec | None = None
    owner: str = ""
    launched_at: datetime | None = None
    updated_at: datetime | None = None
    delivered_at: datetime | None = None
    delivered_value: float | None = None
    accepted_at: datetime | None = None
    approved_at: datetime | None = None  # the PMO's ownership review
    send_backs: int = 0
    steps: tuple[StepState, ...] = ()
    checks: tuple[CheckState, ...] = ()
    readings: tuple[Reading, ...] = ()
    ideas: tuple[IdeaState, ...] = ()
    regressed_at: datetime | None = None
    response_escalated: bool = False
    response_plan: ResponsePlan | None = None
    regressions: tuple[RegressionRecord, ...] = ()
    expert_on_call_until: datetime | None = None
    expert_on_call_ended: bool = False
    escalations: tuple[Escalation, ...] = ()
    closed_at: datetime | None = None
    close_reason: str = ""
    stuck: tuple[Stuck, ...] = ()  # what could not be recorded, oldest first
    # An owner who took over during the review and has not yet accepted accountability.
    owner_unaccepted: bool = False
    accepted_statement: str = ""
    earlier_rounds: tuple[SustainmentRound, ...] = ()
    # None: the spec's front line as launched; the owner's first change makes it explicit.
    front_line_now: tuple[str, ...] | None = None
    reminders_sent: tuple[str, ...] = ()  # reminder_key of each DueSoon recorded
    owners_before: tuple[str, ...] = ()  # whoever the owner was before each reassignment
    undelivered: tuple[Undelivered, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.phase in OPEN_PHASES

    def step(self, step_id: str) -> StepState | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def idea(self, idea_id: str) -> IdeaState | None:
        return next((i for i in self.ideas if i.id == idea_id), None)

    @property
    def front_line(self) -> tuple[str, ...] | None:
        """Who may submit and support ideas; None: anyone."""
        if self.front_line_now is not None:
            return self.front_line_now
        spec_list = self.spec.front_line if self.spec else None
        return None if spec_list is None else tuple(spec_list)

    def require_spec(self) -> InitiativeSpec:
        if self.spec is None:
            raise ValueError(f"initiative {self.initiative_id} has not been launched")
        return self.spec

    def holder_of(self, role: Role) -> str:
        """Who holds a role now; the owner can change, the other roles come from the spec."""
        spec = self.require_spec()
        if role is Role.OWNER:
            return self.owner
        return {Role.SPONSOR: spec.sponsor, Role.PMO: spec.pmo, Role.EXPERT: spec.expert}.get(
            role, ""
        )

    def roles_of(self, actor: str) -> set[Role]:
        """The roles `actor` holds. Separation of duties: whoever is accountable for the
        initiative (sponsor, PMO, expert, owner) is never on its front line, even where the
        front line is open to anyone, so nobody submits, backs or triages ideas in two roles."""
        if self.spec is None:
            return set()
        roles = {role for role in ACCOUNTABLE_ROLES if self.holder_of(role) == actor}
        front_line = self.front_line
        if not roles and (front_line is None or actor in front_line):
            roles.add(Role.FRONT_LINE)
        return roles
