"""`baton status` as a person reads it: where the pages and the API are, and Temporal's UI named
as Temporal's, with words (never a bare dash) for what is not there."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from workers.stack_commands import _status_text

RUNNING = {"temporal_address": "127.0.0.1:7233", "temporal_reachable": True,
           "ui_url": "http://127.0.0.1:8233", "database_url": "postgresql://baton@127.0.0.1/b",
           "database_reachable": True, "task_queue": "baton", "workers": ["w1"],
           "web_url": "http://127.0.0.1:8000", "stack": {"home": ".baton", "running": True,
                                                        "pid": 42}}


def test_status_says_where_the_pages_and_the_api_are() -> None:
    text = _status_text(RUNNING)
    assert "http://127.0.0.1:8000/signin" in text and "http://127.0.0.1:8000/api/v1" in text
    assert "Temporal UI" in text and "Web UI" not in text


def test_what_is_not_there_is_said_in_words() -> None:
    text = _status_text(RUNNING | {"ui_url": None, "web_url": None, "workers": [],
                                   "stack": {"home": ".baton", "running": False}})
    where = [re.split(r"\s{2,}", line)[1] for line in text.splitlines()[1:]]
    assert "-" not in where and "not served" in where and "TEMPORAL_ADDRESS" in text


def test_notices_waiting_are_counted_with_the_age_of_the_oldest() -> None:
    ten_minutes_ago = (datetime.now(UTC) - timedelta(minutes=10, seconds=5)).isoformat()
    waiting = _status_text(RUNNING | {"notices_owed": {"count": 1204,
                                                      "oldest_at": ten_minutes_ago}})
    assert re.search(r"Notices\s+waiting to be delivered\s+1,204, the oldest 10m ago", waiting)
    assert re.search(r"Notices .* none$", _status_text(
        RUNNING | {"notices_owed": {"count": 0, "oldest_at": None}}), re.M)
    assert re.search(r"Notices .* unknown$", _status_text(RUNNING | {"notices_owed": None}),
                     re.M)
