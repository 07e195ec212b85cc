"""Every command on its happy path, driven as the people in the lifecycle would type it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from domain import fold
from tests.domain.builders import CLERK, EXPERT, OWNER, PMO, SPONSOR

from .conftest import Stack
from .runner import BATON, Baton, write_spec

NEW_OWNER = "ap-deputy@acme.example"


async def until(baton: Baton, iid: str, predicate: str, timeout: float = 15.0) -> dict[str, Any]:
    """Poll `show --json` until `predicate` (a Python expression over `s`) holds."""
    deadline = time.monotonic() + timeout
    while True:
        state: dict[str, Any] = (await baton.ok("show", iid, "--json")).json
        if eval(predicate, {}, {"s": state}):
            return state
        assert time.monotonic() < deadline, f"{predicate} never held: {state}"
        await asyncio.sleep(0.2)


# What `baton --help` must not load: the clients of the servers, which take most of a start.
# (Its speed itself is a benchmark's business; what keeps it fast is tested here.)
_HEAVY = ("temporalio", "fastapi", "uvicorn", "httpx", "jinja2", "authlib")
_LOADED_BY_HELP = f"""
import contextlib, sys
from workers.baton import main
with contextlib.redirect_stdout(None), contextlib.suppress(SystemExit):
    main(["--help"])
print(" ".join(name for name in {_HEAVY!r} if name in sys.modules))
"""


async def test_help_lists_every_command_without_loading_the_server_clients() -> None:
    outcome = await Baton()("--help")
    assert outcome.code == 0
    loaded = subprocess.run([sys.executable, "-c", _LOADED_BY_HELP], capture_output=True,
                            text=True, check=True, timeout=60)
    assert loaded.stdout.split() == [], loaded.stdout
    for command in ("up", "down", "status", "worker", "launch", "show", "list", "portfolio",
                    "work", "approve-launch", "reject-launch", "deliver", "complete", "accept",
                    "review", "reading", "correct-reading", "respond", "idea", "triage",
                    "idea-delivered", "reassign", "cancel", "reopen", "verify"):
        assert f"\n  {command} " in outcome.stdout or f"\n  {command}\n" in outcome.stdout
    assert BATON.exists()


async def test_handoff_send_back_ideas_regression_and_recovery(
        shared_stack: Stack, spec: Path) -> None:
    baton = shared_stack.baton
    iid = await baton.launched(spec)
    shown = (await baton.ok("show", iid, "--json")).json
    assert {"id", "name", "phase", "version", "head_hash", "owner", "steps", "checks",
            "ideas"} <= shown.keys()
    assert (shown["id"], shown["phase"], shown["version"]) == (iid, "proposed", 1)
    assert shown["steps"][1] == {**shown["steps"][1], "id": "control-plan",
                                 "status": "pending", "assignee": "owner"}

    await baton.ok("approve-launch", iid, actor=SPONSOR)
    await baton.ok("deliver", iid, "--value", "5.2", actor=EXPERT)
    await baton.ok("complete", iid, "sop", "--evidence", "wiki/sop-v3", actor=EXPERT)
    await baton.ok("complete", iid, "control-plan", actor=OWNER)
    idea = (await baton.ok("idea", iid, "Scan invoices at the mail room", actor=CLERK)).stdout
    assert idea.strip() == "idea-1"
    await baton.ok("triage", iid, "idea-1", "--adopt", "--reason", "cheap", actor=OWNER)
    await baton.ok("idea", iid, "Fax everything", actor=CLERK)
    await baton.ok("triage", iid, "idea-2", "--decline", "no fax machine", actor=OWNER)
    await baton.ok("accept", iid, actor=OWNER)
    sent_back = await baton.ok("review", iid, "--send-back", "control plan unsigned",
                               "--reopen", "control-plan", "--json", actor=PMO)
    assert sent_back.json["phase"] == "handing_off"
    assert [e["type"] for e in sent_back.json["events"]] == ["ReviewSentBack", "StepReopened"]
    await baton.ok("complete", iid, "control-plan", actor=OWNER)
    await baton.ok("accept", iid, actor=OWNER)
    await baton.ok("review", iid, "--approve", actor=PMO)

    await asyncio.sleep(1.1)  # the first check falls due 1 s after the approval
    regressed = await baton.ok("reading", iid, "11", actor=OWNER)
    assert "regression detected" in regressed.stdout and "now regressed" in regressed.stdout
    await baton.ok("respond", iid, "--plan", "retrain the team", "--within", "1h", actor=OWNER)
    recovered = await baton.ok("reading", iid, "5.1", "--json", actor=OWNER)
    assert recovered.json["phase"] == "sustaining"
    await baton.ok("idea-delivered", iid, "idea-1", actor=OWNER)
    await baton.ok("reassign", iid, "--owner", NEW_OWNER, actor=PMO)

    state = (await baton.ok("show", iid, "--json")).json
    assert state["owner"] == NEW_OWNER
    assert [c["status"] for c in state["checks"]] == ["regressed", "pending"]
    assert state["checks"][0]["reading"] == 11.0
    assert [(i["id"], i["status"]) for i in state["ideas"]] == [
        ("idea-1", "delivered"), ("idea-2", "declined")]
    assert all(step["status"] == "done" for step in state["steps"])
    recorded = await shared_stack.store.read_stream(iid)
    assert fold(iid, [r.event for r in recorded]).version == state["version"]
    assert recorded[-1].hash == state["head_hash"]
    shown_text = (await baton.ok("show", iid)).stdout
    assert "Sustainment checks" in shown_text and "regressed" in shown_text


async def test_reject_launch_and_cancel(baton: Baton, spec: Path) -> None:
    rejected, cancelled = await asyncio.gather(baton.launched(spec), baton.launched(spec))
    outcome = await baton.ok("reject-launch", rejected, "--reason", "no budget this year",
                             "--json", actor=SPONSOR)
    assert outcome.json["phase"] == "rejected"
    await baton.ok("cancel", cancelled, "--reason", "process retired", actor=PMO)
    assert (await baton.ok("show", cancelled, "--json")).json["phase"] == "cancelled"


async def test_sponsor_reopens_an_escalated_regression(baton: Baton, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, sustainment={
        "checks": ["1s", "1h"], "tolerance": 0.8, "response_within": "1s"})
    iid = await baton.handed_over(spec)
    await asyncio.sleep(1.2)
    await baton.ok("reading", iid, "11", actor=OWNER)
    # No response plan within 1 s: the engine escalates to the sponsor, who may reopen.
    await until(baton, iid, "any(e['subject'] == 'response' for e in s['escalations'])")
    reopened = await baton.ok("reopen", iid, "--reason", "the process needs a redesign",
                              actor=SPONSOR)
    assert "now improving" in reopened.stdout


async def test_verify_reports_intact_histories(baton: Baton, spec: Path) -> None:
    iid = await baton.launched(spec, approved=True)
    outcome = await baton.ok("verify", iid, "--json")
    assert outcome.json == [{**outcome.json[0], "id": iid, "ok": True, "events": 2}]
    assert "intact" in (await baton.ok("verify", iid)).stdout
