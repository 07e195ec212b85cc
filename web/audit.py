"""The auditor's questions over HTTP: replay, verify, report. They need the `auditor` grant, or
being the initiative's PMO."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from app import audit, audit_documents, audit_json
from app.identity import Grant, Identity
from web.auth import Authenticated
from web.initiatives import context_of
from web.problems import Problem
from web.responses import PresentedJSON

router = APIRouter(tags=["audit"])
# On every report: whether the record is intact, so a client need not parse the document.
INTACT_HEADER = "Baton-Record-Intact"


async def _may_audit(request: Request, identity: Identity, initiative_id: str) -> None:
    if identity.has(Grant.AUDITOR):
        return
    replayed = await audit.replay(context_of(request), initiative_id)
    spec = replayed.state.spec
    if spec is None or spec.pmo != identity.person:
        raise Problem(403, f"{identity.person} cannot audit {initiative_id}: it needs the "
                           "auditor grant, or being the initiative's PMO")


@router.get("/initiatives/{initiative_id}/audit/replay")
async def replay(request: Request, identity: Authenticated, initiative_id: str,
                 as_of: datetime | None = None,
                 version: Annotated[int | None, Query(ge=1)] = None) -> PresentedJSON:
    await _may_audit(request, identity, initiative_id)
    if as_of is not None and as_of.tzinfo is None:
        raise Problem(422, "as_of needs a time zone (e.g. 2026-03-01T09:00Z)",
                      errors=[{"loc": "query.as_of", "msg": "no time zone"}])
    replayed = await audit.replay(context_of(request), initiative_id, as_of=as_of,
                                  version=version)
    return PresentedJSON(audit_json.replay_json(replayed, as_of))


@router.get("/initiatives/{initiative_id}/audit/verify")
async def verify(request: Request, identity: Authenticated,
                 initiative_id: str) -> PresentedJSON:
    await _may_audit(request, identity, initiative_id)
    (verified,) = await audit.verify(context_of(request), [initiative_id])
    return PresentedJSON(audit_json.verified_json(verified))


@router.get("/initiatives/{initiative_id}/audit/report")
async def report(request: Request, identity: Authenticated, initiative_id: str,
                 format: Literal["md", "html", "json"] = "md") -> Response:
    await _may_audit(request, identity, initiative_id)
    filed = await audit.report(context_of(request), initiative_id)
    verdict = {INTACT_HEADER: "true" if filed.intact else "false"}
    if format == "json":
        return PresentedJSON(filed.document, headers=verdict)
    if format == "html":
        return HTMLResponse(audit_documents.html_document(filed.document), headers=verdict)
    return PlainTextResponse(audit_documents.markdown(filed.document), headers=verdict,
                             media_type="text/markdown; charset=utf-8")
