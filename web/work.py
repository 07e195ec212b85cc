"""`GET /api/v1/me/work` (the caller's open items) and `GET /api/v1/portfolio` (the PMO's
figures, as `baton portfolio --json` prints them)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.portfolio import figures
from app.work import my_work
from web.auth import Authenticated
from web.initiatives import context_of
from web.responses import PresentedJSON
from web.schemas import PROBLEM_RESPONSES, MyWork, Portfolio

router = APIRouter(tags=["work"], responses=PROBLEM_RESPONSES)


@router.get("/me/work", response_model=MyWork)
async def my_open_work(request: Request, identity: Authenticated) -> PresentedJSON:
    base = request.app.state.config.public_url or str(request.base_url).rstrip("/")
    items = await my_work(context_of(request), identity.person)
    return PresentedJSON({"items": [
        {**item.model_dump(mode="json"),
         "url": f"{base.rstrip('/')}/api/v1/initiatives/{item.initiative_id}"}
        for item in items]})


@router.get("/portfolio", response_model=Portfolio)
async def portfolio(request: Request, identity: Authenticated) -> PresentedJSON:
    return PresentedJSON(
        (await figures(context_of(request), identity.viewer)).model_dump(mode="json"))
