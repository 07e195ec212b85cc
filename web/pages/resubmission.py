"""A form sent a second time from the same browser: after the back button the browser fetches
the page anew (pages are never cached), so the form's hidden request id is a new one, and the
same idea, reading or triage would be recorded twice.

The browser's session remembers, for a few minutes, the request id each form content was first
sent with: the same content sent again within them travels with that id, and the workflow
answers it with what the first sending recorded. The session keeps fingerprints and ids only,
never what the person wrote."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

RESUBMIT_WINDOW_SECONDS = 10 * 60
SENT_FORMS_KEPT = 8  # the cookie stays small
_SENT_FORMS = "sent_forms"


def form_request_id(request: Request, initiative_id: str, action: str,
                    arguments: Mapping[str, Any], fresh_id: str | None) -> str | None:
    """The id to send this form's command with: the first sending's, when the same content
    was sent from this browser within the window; else the form's own."""
    content = json.dumps([initiative_id, action, dict(arguments)], sort_keys=True, default=str)
    fingerprint = hashlib.sha256(content.encode()).hexdigest()[:32]
    now = time.time()
    kept = request.session.get(_SENT_FORMS)
    sent = {key: value for key, value in (kept.items() if isinstance(kept, dict) else ())
            if isinstance(value, list) and len(value) == 2
            and now - float(value[1]) < RESUBMIT_WINDOW_SECONDS}
    if fingerprint in sent:
        return str(sent[fingerprint][0])
    if fresh_id is None:
        return None
    sent[fingerprint] = [fresh_id, now]
    newest = sorted(sent.items(), key=lambda item: float(item[1][1]))[-SENT_FORMS_KEPT:]
    request.session[_SENT_FORMS] = dict(newest)
    return fresh_id
