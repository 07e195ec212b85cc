"""The pages everyone uses: sign in and out, My work, an initiative and its actions, the idea form.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from app.act import ActRequest, act
from app.errors import Rejected
from app.identity import Identity
from app.initiative_page import initiative_page
from app.my_ideas import submitted_ideas
from app.presenter import describe_event
from app.tokens import Tokens, is_personal_token
from app.work import my_work

from .base import PageDeps, local_path, status_of
from .forms import page_forms, posted_arguments
from .render import markup, redirect
from .session import flash, sign_in, sign_out

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
        tokens: Tokens = request.app.state.services.tokens
        identity = await tokens.authenticate(token) if is_personal_token(token) else None
        if identity is None:
            return signin_form(request, target, status=401,
                               refusal="That token is not valid: unknown, expired or revoked.")
        sign_in(request, identity)
        return redirect(target)

    @router.post("/signout")
    async def signout(request: Request) -> Response:
        await deps.posted(request)
        sign_out(request)
        flash(request, "Signed out.")
        return redirect("/signin")

    @router.get("/")
    async def work(request: Request) -> Response:
        person = deps.person(request)
        context = deps.context(request)
        try:
            items = await my_work(context, person.person, datetime.now(UTC))
            ideas = await submitted_ideas(context, person.person)
        except Rejected as rejected:
            return deps.refused(request, rejected)
        shown = [{"url": f"/initiatives/{item.initiative_id}#act", "title": item.title,
                  "initiative_name": item.initiative_name,
                  "kind_text": item.kind.value.replace("_", " "), "due_at": item.due_at,
                  "overdue": item.overdue} for item in items]
        return pages.html(request, "my_work.html", section="work", items=shown, ideas=ideas)

    async def initiative(request: Request, person: Identity, iid: str, *, status: int = 200,
                         refusal: str | None = None) -> Response:
        try:
            page = await initiative_page(deps.context(request), iid, person.person)
        except Rejected as rejected:
            return deps.refused(request, rejected)
        return pages.html(
            request, "initiative.html", status=status, refusal=refusal,
            i=page.initiative, chart=markup(page.chart), timeline=page.timeline,
            forms=page_forms(page.offers, page.state), render_id=uuid.uuid4().hex)

    @router.get("/initiatives/{iid}")
    async def initiative_view(request: Request, iid: str) -> Response:
        return await initiative(request, deps.person(request), iid)

    @router.post("/initiatives/{iid}/actions/{action}")
    async def send_action(request: Request, iid: str, action: str) -> Response:
        person = deps.person(request)
        form = await deps.posted(request)
        fields = {name: [str(v) for v in form.getlist(name)] for name in form}
        posted = posted_arguments(action, fields)
        try:
            acted = await act(deps.context(request), ActRequest(
                initiative_id=iid, action=action, actor=person.person,
                arguments=posted.arguments, request_id=posted.request_id,
                provenance=person.provenance))
        except Rejected as rejected:
            if posted.return_to == "idea":
                return await idea_form(request, person, iid, status=status_of(rejected),
                                       refusal=rejected.reason)
            return await initiative(request, person, iid, status=status_of(rejected),
                                    refusal=rejected.reason)
        said = "; ".join(describe_event(e) for e in acted.events) or "nothing new"
        if posted.return_to == "idea":
            flash(request, f"Thank you: {said}. Its fate shows here, under your ideas.")
            return redirect("/")
        flash(request, f"Recorded: {said}.")
        return redirect(f"/initiatives/{iid}")

    async def idea_form(request: Request, person: Identity, iid: str, *, status: int = 200,
                        refusal: str | None = None) -> Response:
        try:
            page = await initiative_page(deps.context(request), iid, person.person)
        except Rejected as rejected:
            return deps.refused(request, rejected)
        return pages.html(
            request, "idea_new.html", status=status, refusal=refusal, initiative_id=iid,
            name=page.initiative["name"],
            can_submit=any(o.kind == "submit_idea" for o in page.offers),
            render_id=uuid.uuid4().hex,
            why_not="Ideas for this initiative come from its front line, and it takes them "
                    "only while it is open.")

    @router.get("/initiatives/{iid}/ideas/new")
    async def idea_new(request: Request, iid: str) -> Response:
        return await idea_form(request, deps.person(request), iid)

    return router

