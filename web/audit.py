"""The auditor's questions over HTTP: replay, verify, report. They need the `auditor` grant, or
being the initiative's PMO (`domain.visibility`); an initiative the caller may not see answers
as an unknown one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from app import audit, audit_documents, audit_json
from web.auth import Authenticated
from web.initiatives import context_of
from web.input_limits import INT64_MAX
from web.problems import Problem
from web.responses import PresentedJSON
from web.schemas import PROBLEM_RESPONSES, AuditReport, Replayed, Verified
from web.security_headers import attachment

router = APIRouter(tags=["audit"], responses=PROBLEM_RESPONSES)
# On every report: whether the record is intact, so a client need not parse the document.
INTACT_HEADER = "Baton-Record-Intact"


@router.get("/initiatives/{initiative_id}/audit/replay", response_model=Replayed)
async def replay(request: Request, identity: Authenticated, initiative_id: str,
                 as_of: datetime | None = None,
                 version: Annotated[int | None, Query(ge=1, le=INT64_MAX)] = None,
                 ) -> PresentedJSON:
    if as_of is not None and as_of.tzinfo is None:
        raise Problem(422, "as_of needs a time zone (e.g. 2026-03-01T09:00Z)",
                      errors=[{"loc": "query.as_of", "msg": "no time zone"}])
    replayed = await audit.replay(context_of(request), initiative_id, viewer=identity.viewer,
                                  as_of=as_of, version=version)
    return PresentedJSON(audit_json.replay_json(replayed, as_of))


@router.get("/initiatives/{initiative_id}/audit/verify", response_model=Verified)
async def verify(request: Request, identity: Authenticated,
                 initiative_id: str) -> PresentedJSON:
    (verified,) = await audit.verify(context_of(request), [initiative_id],
                                     viewer=identity.viewer)
    return PresentedJSON(audit_json.verified_json(verified))


@router.get("/initiatives/{initiative_id}/audit/report", response_model=AuditReport,
            responses={200: {"description": "The report, as `format` asks", "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}}}}})
async def report(request: Request, identity: Authenticated, initiative_id: str,
                 format: Literal["md", "html", "json"] = "md") -> Response:
    filed = await audit.report(context_of(request), initiative_id, viewer=identity.viewer)
    verdict = {INTACT_HEADER: "true" if filed.intact else "false"}
    if format == "json":
        return PresentedJSON(filed.document, headers=verdict)
    download = verdict | attachment(f"{initiative_id}-audit.{format}")
    if format == "html":
        return HTMLResponse(audit_documents.html_document(filed.document), headers=download)
    return PlainTextResponse(audit_documents.markdown(filed.document), headers=download,
                             media_type="text/markdown; charset=utf-8")
