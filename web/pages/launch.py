"""Launch: paste or upload a spec, then Validate (a dry run) or Launch it."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from app.errors import InvalidSpec, Rejected
from app.identity import Grant
from app.launch import LaunchRequest, launch, parse_spec

from .base import PageDeps, status_of
from .render import redirect
from .session import flash, take_draft

MAX_SPEC_BYTES = 256 * 1024
LAUNCH = "/launch"
Problem = tuple[str, str, str]  # (the line, when known; the field, when one; what is wrong)


def launch_pages(deps: PageDeps) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    pages = deps.pages

    @router.get(LAUNCH)
    async def launch_form(request: Request) -> Response:
        deps.person(request)
        draft = await take_draft(request, LAUNCH)
        return pages.html(request, "launch.html", section="launch",
                          spec=(draft.get("spec") or [""])[-1], problems=[], valid=None)

    @router.post(LAUNCH)
    async def launch_spec(request: Request) -> Response:
        person = await deps.poster(request, LAUNCH)
        form = await deps.posted(request)
        upload = form.get("file")
        text = str(form.get("spec") or "")
        uploaded = isinstance(upload, UploadFile) and bool(upload.filename)
        validate_only = form.get("mode") != "launch"

        def again(status: int, problems: list[Problem], valid: str | None = None) -> Response:
            return pages.html(request, "launch.html", status=status, section="launch",
                              spec=text, problems=problems, valid=valid)

        if uploaded and text.strip():
            # Which one was meant? Neither wins silently: the pasted text stays to keep or clear.
            return again(422, [("", "spec", "a spec was both pasted and uploaded: clear the text "
                                            "to use the file, or leave the file out")])
        if isinstance(upload, UploadFile) and uploaded:
            text = (await upload.read(MAX_SPEC_BYTES + 1)).decode("utf-8", "replace")

        if not person.has(Grant.PMO):
            return again(403, [("", "", f"{person.person} cannot launch: launching needs the "
                                        "pmo grant")])
        try:
            spec = parse_spec(text)
            launched = await launch(deps.context(request), LaunchRequest(
                actor=person.person, spec=spec, validate_only=validate_only,
                provenance=person.provenance))
        except InvalidSpec as invalid:
            return again(422, [(str(problem.line or ""), problem.field, problem.message)
                               for problem in invalid.located()])
        except Rejected as rejected:
            return again(status_of(rejected), [("", "", rejected.reason)])
        if validate_only:
            return again(200, [], valid=f"Valid: “{spec.name}” can be launched, with "
                                        f"{spec.sponsor} to approve it.")
        flash(request, f"Launched: {spec.name}.")
        return redirect(f"/initiatives/{launched.initiative_id}")

    return router
