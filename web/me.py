"""`GET /api/v1/me`: who the API takes the caller to be."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from web.auth import Authenticated
from web.schemas import PROBLEM_RESPONSES

router = APIRouter(tags=["identity"], responses=PROBLEM_RESPONSES)


class Me(BaseModel):
    person: str
    grants: list[str]
    authenticated_by: str


@router.get("/me")
async def me(identity: Authenticated) -> Me:
    return Me(person=identity.person, grants=sorted(identity.grants),
              authenticated_by=identity.provenance.method.value)
