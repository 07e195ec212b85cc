"""Answers written as every door writes JSON (`app.presenter.json_default`), so the API's
initiative is byte for byte what `baton show ID --json` prints."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse

from app.presenter import json_default


class PresentedJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"),
                          default=json_default).encode("utf-8")
