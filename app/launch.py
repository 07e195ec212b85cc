"""The PMO launches an initiative from a spec; `validate_only` judges it without recording."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, ValidationError
from temporalio.service import RPCError

from app.context import Context, use_case
from app.errors import InvalidArgument, InvalidSpec, Rejected
from app.ids import check_initiative_id
from domain import InitiativeSpec, InitiativeState, SpecError, decide, parse_spec_yaml
from domain.commands import Launch
from domain.envelope import Provenance
from workflows.source_hosts import SourceHosts


class LaunchRequest(BaseModel):
    model_config = ConfigDict(frozen=True)
    actor: str
    spec: InitiativeSpec
    initiative_id: str | None = None  # None: from the name, plus a random suffix
    validate_only: bool = False
    provenance: Provenance | None = None  # how the door knew the actor


class Launched(BaseModel):
    model_config = ConfigDict(frozen=True)
    initiative_id: str | None  # None when only validated without a chosen id
    name: str
    sponsor: str
    recorded: bool  # False when only validated
    phase: str
    version: int
    head_hash: str | None


def parse_spec(text: str) -> InitiativeSpec:
    """A spec from its YAML; `InvalidSpec` with every problem, each naming its field."""
    try:
        return parse_spec_yaml(text)
    except SpecError as error:
        raise InvalidSpec(error.problems) from None
    except RecursionError:
        # Lists or mappings nested thousands deep exhaust the parser's stack: no spec nests so.
        raise InvalidSpec(["the spec nests too deep"]) from None


@use_case
async def launch(context: Context, request: LaunchRequest) -> Launched:
    spec = request.spec
    if request.initiative_id is not None:
        check_initiative_id(request.initiative_id)
    try:
        command = Launch(actor=request.actor, spec=spec)
    except ValidationError:
        raise InvalidArgument("actor", f"{request.actor!r} is not an actor id") from None
    if request.validate_only:
        # The rules are pure: what the workflow would refuse is refused here too.
        decide(InitiativeState(initiative_id=request.initiative_id or "validation"), command,
               datetime.now(UTC))
        # And where its metric source points, by the rule the launch and the worker apply.
        (context.source_hosts or SourceHosts()).check_spec(spec)
        return Launched(initiative_id=request.initiative_id, name=spec.name,
                        sponsor=spec.sponsor, recorded=False, phase="new", version=0,
                        head_hash=None)
    initiatives = await context.initiatives()
    await context.require_worker()
    iid = await initiatives.launch(spec, request.actor, request.initiative_id,
                                   request.provenance)
    # The workflow records the launch on its first task: wait until a worker has run it.
    async with context.worker_answers(
            f"the launch of {iid} is recorded once a worker polls the task queue "
            "(`baton up` or `baton worker`)") as budget:
        while True:
            try:
                view = await initiatives.view(iid, budget=budget)
                if view.state.version >= 1:
                    break
            except (RPCError, Rejected):
                pass  # the workflow has not run its first task yet
            await asyncio.sleep(0.05)
    return Launched(initiative_id=iid, name=spec.name, sponsor=spec.sponsor, recorded=True,
                    phase=view.state.phase.value, version=view.state.version,
                    head_hash=view.head_hash)
