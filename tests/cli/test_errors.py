"""Failures: one clear line, the documented exit code, nothing recorded, never a traceback."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from tests.domain.builders import EXPERT, OWNER, PMO, SPONSOR

from .conftest import Stack
from .runner import Baton, Outcome, write_spec

REJECTED, BAD_INPUT, UNREACHABLE = 1, 2, 3


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


def failed(outcome: Outcome, code: int, *fragments: str) -> str:
    assert outcome.code == code, (outcome.code, outcome.stderr)
    line = outcome.error_line
    for fragment in fragments:
        assert fragment in line, line
    return line


async def test_rules_reject_with_exit_1_and_record_nothing(
        shared_stack: Stack, spec: Path) -> None:
    baton = shared_stack.baton
    iid = await baton.launched(spec)
    failed(await baton("approve-launch", iid, actor=PMO), REJECTED,
           "rejected: pmo@acme.example cannot approve the launch: only the sponsor")
    failed(await baton("deliver", iid, "--value", "5", actor=EXPERT), REJECTED,
           "cannot deliver the improvement while the initiative is proposed")
    failed(await baton("launch", str(spec), actor=OWNER), REJECTED, "only the PMO")
    assert await shared_stack.version(iid) == 1
    await baton.ok("cancel", iid, "--reason", "superseded", actor=PMO)
    failed(await baton("approve-launch", iid, actor=SPONSOR), REJECTED, "cancelled")
    assert await shared_stack.version(iid) == 2


async def test_rejection_as_json(baton: Baton, spec: Path) -> None:
    iid = await baton.launched(spec)
    outcome = await baton("accept", iid, "--json", actor=SPONSOR)
    assert outcome.code == REJECTED
    assert outcome.json["error"]["kind"] == "rejected"
    assert "only the owner" in outcome.json["error"]["message"]


async def test_bad_input_exits_2_with_one_line_and_records_nothing(
        shared_stack: Stack, spec: Path, tmp_path: Path) -> None:
    baton = shared_stack.baton
    iid = await baton.launched(spec, delivered=True)
    broken_yaml = tmp_path / "broken.yaml"
    broken_yaml.write_text("name: x\nsponsor: [unclosed\nowner: y\n")
    bad_duration = write_spec(tmp_path, "bad.yaml", expert_on_call="3x")
    streams_before = await shared_stack.streams()
    cases = [
        (("show", "no-such-initiative"), "unknown initiative no-such-initiative"),
        (("complete", "no-such-initiative", "sop", "--as", EXPERT), "unknown initiative"),
        (("launch", str(tmp_path / "missing.yaml"), "--as", PMO), "SPEC: no such file"),
        (("launch", str(broken_yaml), "--as", PMO), "line 3, column 6: invalid YAML"),
        (("launch", str(bad_duration), "--as", PMO), "expert_on_call: '3x' is not a duration"),
        (("launch", str(tmp_path), "--as", PMO), "is a directory"),
        (("complete", iid, "no-such-step", "--as", EXPERT), "unknown step 'no-such-step'"),
        (("reading", iid, "NaN", "--as", OWNER), "VALUE: 'NaN' is not a finite number"),
        (("reading", iid, "twelve", "--as", OWNER), "VALUE: 'twelve' is not a number"),
        (("deliver", iid, "--value", "inf", "--as", EXPERT), "'inf' is not a finite number"),
        (("idea", iid, "x" * 4001, "--as", OWNER), "TEXT: is 4001 characters long; at most 4000"),
        (("cancel", iid, "--reason", "   ", "--as", PMO), "--reason: must not be empty"),
        (("respond", iid, "--plan", "p", "--within", "soon", "--as", OWNER),
         "'soon' is not a duration"),
        (("review", iid, "--approve", "--reopen", "sop", "--as", PMO),
         "--reopen: only with a send-back"),
        (("review", iid, "--as", PMO), "one of the arguments --approve --send-back"),
        (("complete", iid, "sop"), "pass --as ACTOR or set BATON_ACTOR"),
        (("complete", iid, "sop", "--as", "two words"), "is not an actor id"),
        (("launch", str(spec), "--as", "x\x7f"), "--as: 'x\\x7f' is not an actor id"),
        (("complete", iid, "sop", "--as", "\u202e"),
         "--as: must be one line of text, without the control character U+202E"),
        (("show", "Not An Id"), "is not an initiative id"),
        (("list", "--phase", "done"), "--phase: 'done' is not a phase"),
        (("verify",), "name the initiatives to verify"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
    ]
    outcomes = await asyncio.gather(*(baton(*args) for args, _ in cases))
    for (args, fragment), outcome in zip(cases, outcomes, strict=True):
        assert outcome.code == BAD_INPUT, (args, outcome.code, outcome.stderr)
        assert fragment in outcome.error_line, (args, outcome.error_line)
    assert await shared_stack.version(iid) == 3
    assert await shared_stack.streams() == streams_before


async def test_a_schema_name_the_store_refuses_is_refused_by_the_settings(baton: Baton) -> None:
    failed(await baton.with_env(BATON_DB_SCHEMA="Baton")("list"), BAD_INPUT,
           "BATON_DB_SCHEMA must be a lowercase SQL identifier", "'Baton'")


async def test_unreachable_temporal_exits_3_naming_the_address(baton: Baton,
                                                                spec: Path) -> None:
    port = closed_port()
    cut_off = baton.with_env(TEMPORAL_ADDRESS=f"127.0.0.1:{port}")
    for args in (("show", "some-initiative"), ("launch", str(spec), "--as", PMO),
                 ("approve-launch", "some-initiative", "--as", SPONSOR)):
        failed(await cut_off(*args), UNREACHABLE, f"cannot reach Temporal at 127.0.0.1:{port}",
               "TEMPORAL_ADDRESS")
    without_env = cut_off.with_env(TEMPORAL_ADDRESS="", BATON_TEMPORAL_PORT=str(port))
    failed(await without_env("show", "some-initiative"), UNREACHABLE, "run `baton up`")


async def test_unreachable_postgres_exits_3_naming_the_database(baton: Baton) -> None:
    port = closed_port()
    cut_off = baton.with_env(DATABASE_URL=f"postgresql://baton:secret@127.0.0.1:{port}/baton")
    for args in (("list",), ("portfolio",), ("verify", "--all")):
        line = failed(await cut_off(*args), UNREACHABLE,
                      f"cannot reach PostgreSQL at postgresql://baton:***@127.0.0.1:{port}")
        assert "secret" not in line
    nothing = baton.with_env(DATABASE_URL="")
    failed(await nothing("list"), UNREACHABLE, "PostgreSQL is not running", "baton up")


@pytest.mark.parametrize("command", [("approve-launch", "x", SPONSOR), ("launch", "SPEC", PMO),
                                     ("show", "x", None)])
async def test_no_worker_exits_3_before_recording(
        shared_stack: Stack, spec: Path, command: tuple[str, str, str | None]) -> None:
    unpolled = shared_stack.baton.with_env(BATON_TASK_QUEUE="nobody-polls-this")
    streams_before = await shared_stack.streams()
    name, argument, actor = command
    argument = str(spec) if argument == "SPEC" else argument
    failed(await unpolled(name, argument, actor=actor), UNREACHABLE,
           "no worker polls task queue 'nobody-polls-this'", "baton worker")
    assert await shared_stack.streams() == streams_before
