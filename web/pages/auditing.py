"""The auditor's page: the record replayed as of a moment or a version, verified, and the report
to download. Open to the `auditor` grant and to the initiative's own PMO (`domain.visibility`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from app import audit, audit_documents
from app.audit_json import replay_json, verified_json
from app.charts import control_chart_html
from app.errors import Rejected, invalid
from app.presenter import json_default

from .base import PageDeps
from .render import SECURITY_HEADERS, markup


def _moment(text: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"as of: {text!r} is not a date and time like 2026-03-01T09:00Z") from None
    if moment.tzinfo is None:
        raise invalid(f"as of: {text!r} needs a time zone, like 2026-03-01T09:00Z")
    return moment


def _version(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise invalid(f"version: {text!r} is not a version (1, 2, 3...)")
    return int(text)


REPORT_FORMATS = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8",
                  "json": "application/json"}


def render_report(document: audit_documents.Report, fmt: str) -> str:
    """As `baton audit report --format FMT` writes it."""
    if fmt == "md":
        return audit_documents.markdown(document)
    if fmt == "html":
        return audit_documents.html_document(document)
    return json.dumps(document, indent=2, default=json_default) + "\n"


def audit_pages(deps: PageDeps) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    pages = deps.pages

    @router.get("/initiatives/{iid}/audit")
    async def audit_page(request: Request, iid: str, as_of: str = "", version: str = "",
                         verify: str = "") -> Response:
        person = deps.person(request)
        # A mistyped moment or version is shown beside its field, the rest of the page as it
        # stands now, and what was typed kept for correcting.
        problems: dict[str, str] = {}
        moment: datetime | None = None
        number: int | None = None
        try:
            moment = _moment(as_of.strip())
        except Rejected as bad:
            problems["as_of"] = bad.reason
        try:
            number = _version(version.strip())
        except Rejected as bad:
            problems["version"] = bad.reason
        try:
            replayed = await audit.replay(deps.context(request), iid, viewer=person.viewer,
                                          as_of=None if problems else moment,
                                          version=None if problems else number)
            spec = replayed.state.spec
            verified: dict[str, Any] | None = None
            if verify:
                found = await audit.verify(deps.context(request), [iid], viewer=person.viewer)
                verified = verified_json(found[0]) if found else None
        except Rejected as rejected:
            return deps.refused(request, rejected)
        return pages.html(
            request, "audit.html", status=422 if problems else 200, problems=problems,
            iid=iid, name=spec.name if spec else iid,
            as_of=as_of, version=version,
            replay=replay_json(replayed, None if problems else moment),
            verified=verified,
            chart=markup(control_chart_html(replayed.state, "audit-chart")) if spec else "")

    @router.get("/initiatives/{iid}/audit/report.{extension}")
    async def report(request: Request, iid: str, extension: str) -> Response:
        person = deps.person(request)
        if extension not in REPORT_FORMATS:
            return deps.error(request, 404, "Not found",
                              f"no report format {extension!r}: md, html or json")
        try:
            filed = await audit.report(deps.context(request), iid, viewer=person.viewer)
        except Rejected as rejected:
            return deps.refused(request, rejected)
        media_type, body = REPORT_FORMATS[extension], render_report(filed.document, extension)
        return Response(body, media_type=media_type, headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="{iid}-audit.{extension}"'})

    return router
