"""Anyone acting on an initiative: one use case for every action of the registry
(`app.actions`). It answers with the events recorded, the version they reached and where the
initiative stands, as its workflow answers them: nothing in the answer grows with what the
initiative holds (its ideas, readings, people). A door that shows the whole initiative after an
action reads it as it reads it any other time."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.actions import Arguments, command_for
from app.context import Context, use_case
from app.errors import InvalidArgument, Rejected, RejectionKind, Unconfirmed
from app.ids import check_initiative_id
from app.visibility import hides, unknown_initiative
from domain.envelope import Event, Provenance
from domain.visibility import Viewer, sees_every_initiative

REQUEST_ID_LIMIT = 128


class ActRequest(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    initiative_id: str
    action: str  # a name in app.actions.ACTIONS, e.g. "approve-launch"
    actor: str
    # Who sends it, as the rule of who may see what takes them: a refusal on an initiative they
    # may not see answers as an unknown initiative would (the actor on the CLI's `--as` is the
    # operator's word, and the operator sees everything).
    viewer: Viewer
    arguments: Mapping[str, Any] | Arguments = Field(default_factory=dict)
    # The same id again records at most once and answers with what it recorded.
    request_id: str | None = None
    # How the door knew the actor; recorded with every event (None: not said).
    provenance: Provenance | None = None


class Acted(BaseModel):
    model_config = ConfigDict(frozen=True)
    initiative_id: str
    request_id: str
    events: list[Event]  # what this request recorded (again, on a retry)
    version: int  # the initiative's version now
    phase: str  # and its phase


def _sendable(request_id: str) -> bool:
    try:
        request_id.encode()  # a byte that is not UTF-8 reaches argv as a lone surrogate
    except UnicodeEncodeError:
        return False
    return 0 < len(request_id) <= REQUEST_ID_LIMIT and "\x00" not in request_id


@use_case
async def act(context: Context, request: ActRequest) -> Acted:
    iid = check_initiative_id(request.initiative_id)
    command = command_for(request.action, request.arguments, request.actor)
    request_id = uuid.uuid4().hex if request.request_id is None else request.request_id
    if not _sendable(request_id):
        raise InvalidArgument("request_id", f"{request_id!r} is not a request id (1 to "
                                            f"{REQUEST_ID_LIMIT} characters of text, no NUL)")
    initiatives = await context.initiatives()
    await context.require_worker()
    # From here on the command may be recorded even if no answer comes: every way of not hearing
    # back says so, with the request id that makes sending it again safe.
    try:
        async with context.worker_answers() as budget:
            answered = await initiatives.send_answered(iid, command, request_id,
                                                       request.provenance, budget=budget)
    except Exception as error:
        refused = context.refusal_of(error)
        if refused is None:
            raise
        if refused.kind is RejectionKind.UNAVAILABLE:
            raise Unconfirmed(f"{refused.reason}; it may still be recorded", request_id) from None
        if await _hides(context, request.viewer, iid, refused):
            raise unknown_initiative(iid) from None
        raise refused from None
    return Acted(initiative_id=iid, request_id=request_id, events=answered.events,
                 version=answered.version, phase=answered.phase)


async def _hides(context: Context, viewer: Viewer, iid: str, refused: Rejected) -> bool:
    """Whether the refusal would tell `viewer` of an initiative they may not see. Those who see
    every initiative are told at once; anyone else's refusal is judged on the portfolio's row,
    never on a query of the workflow, which would carry the whole initiative through Temporal
    and its worker for one line of refusal."""
    from store.portfolio import PortfolioReader

    if sees_every_initiative(viewer):
        return False
    store = await context.read_store()
    entries = await PortfolioReader(store.pool, store.schema).entries_of([iid])
    return not entries or hides(viewer, entries[0].state, refused)
