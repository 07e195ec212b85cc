"""Errors as `application/problem+json` (RFC 9457): one shape for every refusal the API gives.

A refusal by the rules keeps its kind from the app layer and gets the status that kind means;
bad input names where it is wrong (`errors: [{loc, line?, msg}]`). Nothing is recorded on any of
these: they are all raised before, or instead of, the append.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from app.errors import InvalidArgument, InvalidSpec, Rejected, RejectionKind, answer_to

PROBLEM_JSON = "application/problem+json"
# How long a client should wait before retrying when a backend did not answer.
RETRY_AFTER_SECONDS = 2

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}

_log = structlog.get_logger("baton.web")


class Problem(Exception):
    """Raise in a handler to answer with this problem."""

    def __init__(self, status: int, detail: str, *, errors: Sequence[dict[str, Any]] = (),
                 headers: dict[str, str] | None = None, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}
        self.title = title or _TITLES.get(status, "Error")


def unauthenticated(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="baton"'})


def unavailable(detail: str) -> Problem:
    return Problem(503, detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def invalid(detail: str, errors: Sequence[dict[str, Any]] = ()) -> Problem:
    return Problem(422, detail, errors=errors)


def _input_errors(rejected: Rejected) -> list[dict[str, Any]]:
    if isinstance(rejected, InvalidSpec):  # each problem names its field; the line stands apart
        return [{"loc": problem.field, "msg": problem.message}
                | ({"line": problem.line} if problem.line is not None else {})
                for problem in rejected.located()]
    if isinstance(rejected, InvalidArgument):
        return [{"loc": f"body.{rejected.field}", "msg": rejected.problem}]
    return [{"loc": "request", "msg": rejected.reason}]


def problem_of_rejection(rejected: Rejected) -> Problem:
    status = answer_to(rejected).http_status
    if status == 503:
        return unavailable(rejected.reason)
    if status == 422:
        return invalid(rejected.reason, _input_errors(rejected))
    title = "Closed" if rejected.kind is RejectionKind.CLOSED else None
    return Problem(status, rejected.reason, title=title)


def response(problem: Problem, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": problem.title,
                            "status": problem.status, "detail": problem.detail}
    if instance:
        body["instance"] = instance
    if problem.errors:
        body["errors"] = problem.errors
    return JSONResponse(body, status_code=problem.status, headers=problem.headers,
                        media_type=PROBLEM_JSON)


def install(app: FastAPI) -> None:
    async def on_problem(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, Problem)
        return response(error, request.url.path)

    async def on_rejected(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, Rejected)
        return response(problem_of_rejection(error), request.url.path)

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        detail = error.detail if isinstance(error.detail, str) else _TITLES.get(
            error.status_code, "Error")
        return response(Problem(error.status_code, detail, headers=dict(error.headers or {})),
                        request.url.path)

    async def on_validation(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        errors = [{"loc": ".".join(str(p) for p in e.get("loc", ())) or "request",
                   "msg": e.get("msg", "invalid")} for e in error.errors()]
        return response(invalid("the request is not valid: " + "; ".join(
            f"{e['loc']}: {e['msg']}" for e in errors), errors), request.url.path)

    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        _log.error("unhandled error", path=request.url.path, error=type(error).__name__,
                   exc_info=error)
        return response(Problem(500, "an internal error; the request may not have been "
                                     "recorded, and a retry with the same Idempotency-Key "
                                     "is safe"), request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(Rejected, on_rejected)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_unexpected)
