"""The rule of who may see what (`domain.visibility`), as the use cases apply it: an initiative
the viewer may not see is refused exactly as an unknown one is, so its id cannot be probed."""

from __future__ import annotations

from app.errors import Rejected, RejectionKind, not_found
from domain.state import InitiativeState
from domain.visibility import Initiative, Viewer, may_see

__all__ = ["require_seen", "unknown_initiative"]


def unknown_initiative(initiative_id: str) -> Rejected:
    """The one refusal for an initiative that does not exist, or that the viewer may not see."""
    return not_found(f"unknown initiative {initiative_id}")


def require_seen(viewer: Viewer, state: InitiativeState) -> None:
    if state.spec is None or not may_see(viewer, Initiative(state)):
        raise unknown_initiative(state.initiative_id)


def hides(viewer: Viewer, state: InitiativeState, refused: Rejected) -> bool:
    """Whether a refusal would tell the viewer of an initiative they may not see."""
    return refused.kind is not RejectionKind.UNAVAILABLE and not may_see(viewer, Initiative(state))
