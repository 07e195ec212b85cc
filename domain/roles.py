"""Who may act at all: the initiative is open, and the sender holds the role the action needs.
Every decision starts here, whichever stream it records on."""

from __future__ import annotations

from collections.abc import Iterable

from domain.errors import Rejected, RejectionKind
from domain.spec import Role
from domain.state import ACCOUNTABLE_ROLES, CLOSED_PHASES, InitiativeState, Phase

_ROLE_NAMES = {Role.SPONSOR: "the sponsor", Role.PMO: "the PMO", Role.EXPERT: "the expert",
               Role.OWNER: "the owner", Role.FRONT_LINE: "the front line"}


def require_role(state: InitiativeState, actor: str, role: Role, action: str) -> None:
    held = state.roles_of(actor)
    if role in held:
        return
    if role is Role.FRONT_LINE and held:
        names = " and ".join(_ROLE_NAMES[r] for r in ACCOUNTABLE_ROLES if r in held)
        raise Rejected(f"{actor} cannot {action}: as {names} of this initiative they are not "
                       "on its front line, whose ideas they answer for", RejectionKind.FORBIDDEN)
    holder = "" if role is Role.FRONT_LINE else f" ({state.holder_of(role)})"
    raise Rejected(f"{actor} cannot {action}: only {_ROLE_NAMES[role]}{holder} can",
                   RejectionKind.FORBIDDEN)


def require_phase(state: InitiativeState, phases: Iterable[Phase], action: str) -> None:
    allowed = set(phases)
    if state.phase not in allowed:
        expected = " or ".join(sorted(p.value for p in allowed))
        raise Rejected(f"cannot {action} while the initiative is {state.phase.value} "
                       f"(it must be {expected})")




def require_open(state: InitiativeState, allow_closed: bool = False) -> None:
    """Launched, and not closed (unless `allow_closed`)."""
    if state.phase is Phase.NEW:
        raise Rejected(f"unknown initiative {state.initiative_id}: it has not been launched",
                       RejectionKind.NOT_FOUND)
    if state.phase in CLOSED_PHASES and not allow_closed:
        raise Rejected(f"initiative {state.initiative_id} is {state.phase.value}; "
                       "nothing more can be recorded", RejectionKind.CLOSED)
