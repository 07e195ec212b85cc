"""Benefit figures through `baton show`, `portfolio`, `audit report` and `audit replay --as-of`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.domain.builders import OWNER

from .conftest import Stack
from .runner import write_spec

# A unit of improvement worth one euro a second, so second-long periods give readable sums.
PER_SECOND = {"per_unit": 365 * 86400, "currency": "EUR"}


async def until_due(baton_show: dict[str, object], number: int) -> None:
    checks = baton_show["checks"]
    assert isinstance(checks, list)
    due = datetime.fromisoformat(checks[number - 1]["due_at"])
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.1)


async def test_claimed_verified_and_lost_everywhere(fresh_stack: Stack, tmp_path: Path) -> None:
    baton = fresh_stack.baton
    spec = write_spec(tmp_path, benefit=PER_SECOND, sustainment={
        "checks": ["1s", "3s"], "tolerance": 0.8, "response_within": "1h"})
    iid = await baton.handed_over(spec)  # delivered at 5.2: 6.8 days better than 12
    shown = (await baton.ok("show", iid, "--json")).json
    assert shown["benefit"]["claimed"] == pytest.approx(6.8 * 3)  # 3 s of the plan
    await until_due(shown, 1)
    await baton.ok("reading", iid, "5.0", actor=OWNER)  # keeps the whole gain: 6.8 verified
    between = datetime.now(UTC)
    await until_due(shown, 2)
    await baton.ok("reading", iid, "10", actor=OWNER)  # regressed: the 2 s period is lost

    benefit = (await baton.ok("show", iid, "--json")).json["benefit"]
    assert (benefit["currency"], benefit["claimed"], benefit["verified"], benefit["lost"]) == (
        "EUR", pytest.approx(20.4), pytest.approx(6.8), pytest.approx(13.6))
    shown_text = (await baton.ok("show", iid)).stdout
    assert "claimed   20.40 EUR" in shown_text and "verified  6.80 EUR" in shown_text

    portfolio = (await baton.ok("portfolio", "--json")).json
    assert portfolio["benefit"] == [{"currency": "EUR", "initiatives": 1,
                                     "claimed": pytest.approx(20.4),
                                     "verified": pytest.approx(6.8),
                                     "lost": pytest.approx(13.6)}]
    assert "Benefit" in (await baton.ok("portfolio")).stdout

    report = (await baton.ok("audit", "report", iid, "--format", "json")).json
    judges = {e["version"]: e["type"] for e in report["timeline"]}
    traced = [(p["check"], p["status"], judges[p["judged_by_version"]])
              for p in report["benefit"]["periods"]]
    assert traced == [(1, "verified", "CheckPassed"), (2, "lost", "RegressionDetected")]
    assert report["acceptances"][0]["statement"].startswith(f"I, {OWNER}, accept")
    markdown = (await baton.ok("audit", "report", iid)).stdout
    assert "## Benefit" in markdown and "JUDGED BY EVENT" in markdown

    then = (await baton.ok("audit", "replay", iid, "--as-of", between.isoformat(),
                           "--json")).json
    assert (then["state"]["benefit"]["verified"], then["state"]["benefit"]["lost"]) == (
        pytest.approx(6.8), 0)
