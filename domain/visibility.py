"""Who may see what: the one rule that every door and read model applies, as `decide` is the one
rule of who may act. The README's "Who sees what" is this function as a table.

An initiative is seen by the people it names, by the owners it had before the one it has now
(read only: the rules let only the owner it has now act as owner), and by the two offices no
spec confers (the `pmo` and `auditor` grants); its figures in the portfolio by those offices
and its sponsor; a person's commitment reliability by that person, the PMO office and the
sponsors they answer to.
Whoever holds the servers' credentials (the operator) sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.commands import SYSTEM_ACTOR
from domain.spec import Role
from domain.state import InitiativeState


class Grant(StrEnum):
    """Powers that no spec confers: they come from the token or the identity provider."""

    PMO = "pmo"  # the PMO office: may launch (initiatives naming them), sees every initiative
    AUDITOR = "auditor"  # sees every initiative, may audit any of them and read the event feed


@dataclass(frozen=True)
class Person:
    """Someone looking through a door that authenticated them."""

    id: str
    grants: frozenset[Grant] = frozenset()

    @property
    def in_an_office(self) -> bool:
        return bool(self.grants & {Grant.PMO, Grant.AUDITOR})


@dataclass(frozen=True)
class Operator:
    """Whoever holds Temporal's and the database's credentials (the CLI without BATON_URL):
    nothing could stop them reading the store, so nothing is hidden from them."""


THE_OPERATOR = Operator()

Viewer = Person | Operator


@dataclass(frozen=True)
class Initiative:
    """An initiative: its state, ideas, evidence, front line and events, as a page, a list row,
    the API's JSON or the feed shows them. An initiative not seen answers as an unknown one."""

    state: InitiativeState


@dataclass(frozen=True)
class AuditTrail:
    """An initiative's record replayed, verified and reported."""

    state: InitiativeState


@dataclass(frozen=True)
class PortfolioShare:
    """What one initiative adds to the portfolio's figures."""

    state: InitiativeState


@dataclass(frozen=True)
class PortfolioFigures:
    """The portfolio at all; `sponsors`: everyone who sponsors an initiative."""

    sponsors: frozenset[str]


@dataclass(frozen=True)
class ReliabilityFigure:
    """One person's commitments kept on time; `sponsors`: the sponsors of the initiatives in
    which the person holds commitments."""

    person: str
    sponsors: frozenset[str]


@dataclass(frozen=True)
class EventFeed:
    """Every initiative's events, in the store's global order."""


Subject = (Initiative | AuditTrail | PortfolioShare | PortfolioFigures | ReliabilityFigure
           | EventFeed)


def may_see(viewer: Viewer, subject: Subject) -> bool:
    if isinstance(viewer, Operator):
        return True
    match subject:
        case Initiative(state):
            return (sees_every_initiative(viewer) or named_in(state, viewer.id)
                    or viewer.id in past_owners(state))
        case AuditTrail(state):
            return Grant.AUDITOR in viewer.grants or (
                state.spec is not None and state.spec.pmo == viewer.id)
        case PortfolioShare(state):
            sponsor = sponsor_of_shares_seen(viewer)
            return sponsor is None or (state.spec is not None and state.spec.sponsor == sponsor)
        case PortfolioFigures(sponsors):
            return viewer.in_an_office or viewer.id in sponsors
        case ReliabilityFigure(person, sponsors):
            return viewer.id == person or Grant.PMO in viewer.grants or viewer.id in sponsors
        case EventFeed():
            # The feed carries every initiative: only those who see them all may read it.
            return sees_every_initiative(viewer)
    raise AssertionError(f"no rule for {subject!r}")


def sponsor_of_shares_seen(viewer: Viewer) -> str | None:
    """The one sponsor whose initiatives' shares of the portfolio `viewer` sees (their own);
    None when they see every initiative's."""
    return None if isinstance(viewer, Operator) or viewer.in_an_office else viewer.id


def sees_every_initiative(viewer: Viewer) -> bool:
    """The operator and the two offices see every initiative, whatever it names: what may be
    shown to them needs no look at the initiative."""
    return isinstance(viewer, Operator) or viewer.in_an_office


def named_in(state: InitiativeState, person: str) -> bool:
    """Whether the initiative names `person`: sponsor, PMO, expert, owner (as the state knows
    them now), or its front line (anyone, when its front line is open)."""
    return bool(state.roles_of(person))


def past_owners(state: InitiativeState) -> frozenset[str]:
    """Who held the owner's role before the owner the initiative has now: every owner a
    reassignment replaced, the owner it was launched with, and whoever did the owner's part on
    its record (an owner's handoff step, a reading, a response plan: what a state folded before
    it kept its earlier owners still tells). They were accountable for it, and what they
    committed to and did stays theirs to look at; only the owner it has now acts as owner."""
    spec = state.spec
    if spec is None:
        return frozenset()
    readers_by_hand = {r.actor for r in state.readings} - {SYSTEM_ACTOR, spec.expert}
    did_the_owners_part = {
        *(s.completed_by for s in state.steps if s.assignee is Role.OWNER and s.completed_by),
        *readers_by_hand,  # the owner records readings; the expert's is the delivery
        *(r.plan_submitted_by for r in state.regressions if r.plan_submitted_by),
    }
    return frozenset({spec.owner, *state.owners_before, *did_the_owners_part} - {state.owner})
