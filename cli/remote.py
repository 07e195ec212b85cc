"""The CLI as a client of the HTTP API (BATON_URL and BATON_TOKEN): people's commands go through
the API and act as the token's person, so no Temporal or database credentials are needed."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from app.errors import DOOR_ANSWERS
from cli.errors import CliError, ExitCode

TIMEOUT = 60.0

# A refusal exits as it does on the operator's side: the API answers its kind with a status, and
# the same kind's exit code goes with that status. Beside them, what HTTP itself refuses.
_CODES = {answer.http_status: ExitCode(answer.exit_code) for answer in DOOR_ANSWERS.values()} | {
    400: ExitCode.BAD_INPUT, 413: ExitCode.BAD_INPUT, 415: ExitCode.BAD_INPUT,
    401: ExitCode.REJECTED}


class Remote:
    def __init__(self, url: str, token: str | None) -> None:
        if not token:
            raise CliError("BATON_URL is set but BATON_TOKEN is not: the API needs a token "
                           "(`baton token issue PERSON` on the operator's side)",
                           ExitCode.BAD_INPUT)
        self.url = url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def call(self, method: str, path: str, *, json_body: Any = None,
                   content: str | None = None, headers: dict[str, str] | None = None,
                   params: dict[str, Any] | None = None) -> Any:
        answer = await self.request(method, path, json_body=json_body, content=content,
                                    headers=headers, params=params)
        return answer.json() if answer.content else None

    async def request(self, method: str, path: str, *, json_body: Any = None,
                      content: str | None = None, headers: dict[str, str] | None = None,
                      params: dict[str, Any] | None = None) -> httpx.Response:
        """The API's successful answer as it came (any media type); a CliError otherwise."""
        try:
            async with httpx.AsyncClient(base_url=self.url, timeout=TIMEOUT,
                                         headers=self._headers) as http:
                answer = await http.request(method, f"/api/v1{path}", json=json_body,
                                            content=content, headers=headers, params=params)
        except httpx.HTTPError as error:
            raise CliError(f"cannot reach the Baton API at {self.url}: {error}",
                           ExitCode.UNREACHABLE) from None
        if answer.is_success:
            return answer
        raise _failure(answer, headers)

    async def act(self, initiative_id: str, action: str, arguments: dict[str, Any],
                  request_id: str | None) -> Any:
        # Always a key, so that an answer lost to a timeout can be asked for again safely.
        key = request_id or uuid.uuid4().hex
        return await self.call("POST", f"/initiatives/{initiative_id}/actions/{action}",
                               json_body=arguments, headers={"Idempotency-Key": key})


def _failure(answer: httpx.Response, headers: dict[str, str] | None) -> CliError:
    try:
        problem = json.loads(answer.text)
        detail = str(problem.get("detail") or problem.get("title"))
    except ValueError:
        detail = answer.text.strip()[:200] or answer.reason_phrase
    code = _CODES.get(answer.status_code, ExitCode.INTERNAL)
    key = (headers or {}).get("Idempotency-Key")
    if answer.status_code == 503 and key:
        return CliError(f"{detail}; send it again with --request-id {key} to learn whether it "
                        "was recorded (it is recorded at most once)", code,
                        details={"request_id": key})
    return CliError(f"{detail} (HTTP {answer.status_code})", code)
