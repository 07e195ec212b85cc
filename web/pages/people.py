"""The pages everyone uses: sign in and out, My work, an initiative and its actions, the idea form.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from app.act import ActRequest, act
from app.errors import InvalidArgument, Rejected
from app.idea_pages import IdeasWanted, wanted_from
from app.identity import Identity
from app.initiative_page import initiative_page
from app.menu import menu
from app.my_ideas import submitted_ideas
from app.presenter import describe_event
from app.work import my_work
from domain.formatting import decimal_comma
from domain.spec import MAX_TEXT
from web.auth import Authenticator
from web.problems import Problem

from .base import PageDeps, local_path, status_of
from .forms import posted_arguments, posted_form_key
from .initiative_view import SentForm, initiative_context, work_context
from .render import redirect
from .resubmission import form_request_id
from .session import flash, sign_in, sign_out, take_draft

# Where the identity provider's sign-in starts (web.oidc).
OIDC_LOGIN = {"name": "your organisation's sign-in", "login_url": "/auth/login"}

def people_pages(deps: PageDeps) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    pages = deps.pages

    def signin_form(request: Request, target: str, *, status: int = 200,
                    refusal: str | None = None) -> Response:
        config = request.app.state.config
        oidc = None if config.oidc is None else OIDC_LOGIN
        return pages.html(request, "signin.html", status=status, next=target, oidc=oidc,
                          refusal=refusal)

    @router.get("/signin")
    async def signin_page(request: Request, next: str = "/") -> Response:
        return signin_form(request, local_path(next))

    @router.post("/signin")
    async def signin(request: Request) -> Response:
        form = await deps.posted(request)
        target = local_path(str(form.get("next") or "/"))
        token = str(form.get("token") or "").strip()
        authenticator: Authenticator = request.app.state.authenticator
        try:
            identity = await authenticator.personal_token(request, token)
        except Problem as held_back:
            page = signin_form(request, target, status=held_back.status,
                               refusal=f"Too many failed sign-ins: {held_back.detail}.")
            page.headers.update(held_back.headers)
            return page
        if identity is None:
            return signin_form(request, target, status=401,
                               refusal="That token is not valid: unknown, expired or revoked.")
        await sign_in(request, identity)
        return redirect(target)

    @router.post("/signout")
    async def signout(request: Request) -> Response:
        await deps.posted(request)
        await sign_out(request)
        flash(request, "Signed out.")
        return redirect("/signin")

    @router.get("/")
    async def work(request: Request) -> Response:
        person = deps.person(request)
        context = deps.context(request)
        try:
            items = await my_work(context, person.person, datetime.now(UTC))
            ideas = await submitted_ideas(context, person.viewer)
            links = await menu(context, person)
        except Rejected as rejected:
            return deps.refused(request, rejected)
        return pages.html(request, "my_work.html", section="work", items=work_context(items),
                          ideas=ideas, menu=links)

    async def initiative(request: Request, person: Identity, iid: str, *, status: int = 200,
                         refusal: str | None = None, sent: SentForm | None = None,
                         ideas: IdeasWanted | None = None) -> Response:
        try:
            page = await initiative_page(deps.context(request), iid, person.viewer,
                                         ideas=ideas)
            links = await menu(deps.context(request), person)
        except Rejected as rejected:
            return deps.refused(request, rejected)
        return pages.html(request, "initiative.html", status=status, refusal=refusal,
                          menu=links, **initiative_context(page, sent=sent))

    def initiative_path(iid: str) -> str:
        return f"/initiatives/{iid}"

    def idea_path(iid: str) -> str:
        return f"/initiatives/{iid}/ideas/new"

    @router.get("/initiatives/{iid}")
    async def initiative_view(request: Request, iid: str) -> Response:
        person = deps.person(request)
        try:
            ideas = wanted_from(request.query_params.get("ideas"),
                                request.query_params.get("after"))
        except Rejected as rejected:  # the page as it opens, with what was wrong on top
            return await initiative(request, person, iid, status=status_of(rejected),
                                    refusal=rejected.reason)
        draft = await take_draft(request, initiative_path(iid))
        sent = SentForm(posted_form_key(draft), typed={
            name: values[-1] for name, values in draft.items() if values}) if draft else None
        return await initiative(request, person, iid, sent=sent, ideas=ideas)

    @router.post("/initiatives/{iid}/actions/{action}")
    async def send_action(request: Request, iid: str, action: str) -> Response:
        form = await deps.posted(request)
        fields = {name: [str(v) for v in form.getlist(name)] for name in form}
        return_to = (fields.get("return_to") or [""])[-1]
        person = await deps.poster(request, idea_path(iid) if return_to == "idea"
                                   else initiative_path(iid))
        try:
            posted = posted_arguments(
                action, fields, comma=decimal_comma(request.headers.get("accept-language")))
            request_id = form_request_id(request, iid, action, posted.arguments,
                                         posted.request_id)
            acted = await act(deps.context(request), ActRequest(
                initiative_id=iid, action=action, actor=person.person, viewer=person.viewer,
                arguments=posted.arguments, request_id=request_id,
                provenance=person.provenance))
        except Rejected as rejected:
            if return_to == "idea":  # refused, the idea stays in the box to correct
                return await idea_form(request, person, iid, status=status_of(rejected),
                                       refusal=rejected.reason,
                                       typed=(fields.get("text") or [""])[-1])
            problems = ({rejected.field: rejected.problem}
                        if isinstance(rejected, InvalidArgument) else {})
            sent = SentForm(posted_form_key(fields), typed={
                name: values[-1] for name, values in fields.items() if values}, problems=problems)
            return await initiative(request, person, iid, status=status_of(rejected),
                                    refusal=rejected.reason, sent=sent)
        said = "; ".join(describe_event(e) for e in acted.events) or "nothing new"
        if return_to == "idea":
            flash(request, f"Thank you: {said}. Its fate shows here, under your ideas.")
            return redirect("/")
        flash(request, f"Recorded: {said}.")
        return redirect(initiative_path(iid))

    async def idea_form(request: Request, person: Identity, iid: str, *, status: int = 200,
                        refusal: str | None = None, typed: str = "") -> Response:
        try:
            page = await initiative_page(deps.context(request), iid, person.viewer)
        except Rejected as rejected:
            return deps.refused(request, rejected)
        return pages.html(
            request, "idea_new.html", status=status, refusal=refusal, initiative_id=iid,
            name=page.initiative["name"],
            can_submit=any(o.kind == "submit_idea" for o in page.offers),
            render_id=uuid.uuid4().hex, typed=typed, max_text=MAX_TEXT,
            why_not="Ideas for this initiative come from its front line, and it takes them "
                    "only while it is open.")

    @router.get("/initiatives/{iid}/ideas/new")
    async def idea_new(request: Request, iid: str) -> Response:
        person = deps.person(request)
        draft = await take_draft(request, idea_path(iid))
        return await idea_form(request, person, iid, typed=(draft.get("text") or [""])[-1])

    return router

