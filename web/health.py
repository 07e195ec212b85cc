"""Probes: `/livez` says the process serves; `/readyz` that what it needs answers."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

PROBE_TIMEOUT = 3.0

router = APIRouter(include_in_schema=False)


@router.get("/livez")
async def livez() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    try:
        checks = await asyncio.wait_for(request.app.state.services.ready(), PROBE_TIMEOUT)
    except TimeoutError:
        checks = {"backends": f"no answer within {PROBE_TIMEOUT:.0f} s"}
    failing = {name: problem for name, problem in checks.items() if problem is not None}
    body = {"status": "unavailable" if failing else "ok",
            "checks": {name: problem or "ok" for name, problem in checks.items()}}
    return JSONResponse(body, status_code=503 if failing else 200,
                        headers={"Retry-After": "2"} if failing else None)
