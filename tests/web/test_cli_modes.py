"""`baton` in both modes: as an operator (`--as`, recorded as such) and as an authenticated
client of the API (BATON_URL and BATON_TOKEN, where `--as` is refused); and `baton token`."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.embedded_temporal import EmbeddedTemporal
from tests.cli.runner import Baton, write_spec
from tests.domain.builders import OWNER, PMO, SPONSOR

from .conftest import WebStack

AUDITOR = "auditor@acme.example"


@pytest.fixture
def operator(web: WebStack, temporal_server: EmbeddedTemporal, database_url: str,
             tmp_path: Path) -> Baton:
    return Baton(TEMPORAL_ADDRESS=temporal_server.address, DATABASE_URL=database_url,
                 BATON_DB_SCHEMA=web.store.schema, BATON_TASK_QUEUE=web.task_queue,
                 BATON_HOME=str(tmp_path))


async def test_tokens_are_issued_listed_and_revoked_by_the_operator(
    operator: Baton, web: WebStack,
) -> None:
    issued = (await operator.ok("token", "issue", SPONSOR, "--pmo", "--expires", "30d",
                                "--json")).json
    assert issued["person"] == SPONSOR and issued["grants"] == ["pmo"]
    assert issued["expires_at"] and issued["token"].startswith("baton_")
    plain = await operator.ok("token", "issue", OWNER)
    token = plain.stdout.strip().splitlines()[-1]
    async with web.client(token) as http:
        assert (await http.get("/api/v1/me")).json()["person"] == OWNER
    listed = (await operator.ok("token", "list", "--json")).json["tokens"]
    assert {t["id"] for t in listed} >= {issued["id"]}
    assert all("token" not in t for t in listed), "a listed token never shows the secret"
    await operator.ok("token", "revoke", issued["id"])
    async with web.client(issued["token"]) as http:
        assert (await http.get("/api/v1/me")).status_code == 401
    unknown = await operator("token", "revoke", "tok_nothing")
    assert unknown.code == 2 and "unknown token" in unknown.error_line


async def test_as_is_recorded_as_an_operators_command(
    operator: Baton, web: WebStack, tmp_path: Path,
) -> None:
    iid = (await operator.ok("launch", str(write_spec(tmp_path)), actor=PMO)).stdout.strip()
    (launched,) = await web.store.read_stream(iid)
    assert launched.event.actor == PMO
    assert launched.event.provenance is not None
    assert launched.event.provenance.method == "operator"


async def test_the_cli_as_an_api_client_acts_as_the_tokens_person(
    operator: Baton, web: WebStack, tmp_path: Path,
) -> None:
    from app.identity import Grant

    pmo = await web.token(PMO, Grant.PMO)
    as_pmo = Baton(BATON_URL=web.url, BATON_TOKEN=pmo, BATON_HOME=str(tmp_path))
    iid = (await as_pmo.ok("launch", str(write_spec(tmp_path)))).stdout.strip()
    sponsor = Baton(BATON_URL=web.url, BATON_TOKEN=await web.token(SPONSOR),
                    BATON_HOME=str(tmp_path))
    refused = await sponsor("approve-launch", iid, actor=PMO)
    assert refused.code == 2 and "--as is refused" in refused.error_line
    approved = (await sponsor.ok("approve-launch", iid, "--json")).json
    assert approved["phase"] == "improving"
    assert approved["events"][0]["actor"] == SPONSOR
    assert approved["events"][0]["provenance"]["method"] == "token"
    shown = (await sponsor.ok("show", iid, "--json")).json
    assert shown["phase"] == "improving"
    # Written from the API's JSON, the text reads as the operator's, who asked the workflow.
    assert (await sponsor.ok("show", iid)).stdout == (await operator.ok("show", iid)).stdout
    listed = (await sponsor.ok("list", "--phase", "improving", "--json")).json
    assert iid in [row["id"] for row in listed]
    forbidden = await sponsor("cancel", iid, "--reason", "not mine")
    assert forbidden.code == 1 and "only the PMO" in forbidden.error_line
    # What names nothing that exists exits as it does on the operator's side.
    for command in (("show", "no-such-initiative"), ("idea", "no-such-initiative", "x")):
        remote, local = await sponsor(*command), await operator(*command, actor=SPONSOR)
        assert remote.code == local.code == 2, (command, remote.error_line, local.error_line)
    assert (await sponsor.ok("portfolio", "--json")).json["initiatives"] >= 1
    unreachable = await Baton(BATON_URL="http://127.0.0.1:9", BATON_TOKEN=pmo,
                              BATON_HOME=str(tmp_path))("show", iid)
    assert unreachable.code == 3


async def test_an_auditor_asks_the_api_through_the_cli(
    operator: Baton, web: WebStack, tmp_path: Path,
) -> None:
    from app.identity import Grant

    home = str(tmp_path)
    pmo = Baton(BATON_URL=web.url, BATON_TOKEN=await web.token(PMO, Grant.PMO), BATON_HOME=home)
    iid = (await pmo.ok("launch", str(write_spec(tmp_path)))).stdout.strip()
    auditor = Baton(BATON_URL=web.url, BATON_TOKEN=await web.token(AUDITOR, Grant.AUDITOR),
                    BATON_HOME=home)

    # The same answers as an auditor reading the store itself.
    asked_both: list[tuple[str, ...]] = [("replay", iid), ("replay", iid, "--version", "1"),
                                         ("verify", iid)]
    for command in asked_both:
        asked = (await auditor.ok("audit", *command, "--json")).json
        assert asked == (await operator.ok("audit", *command, "--json")).json, command
    replayed = (await auditor.ok("audit", "replay", iid)).stdout
    assert "version 1 of 1, replayed from the event store" in replayed
    # Below the moment it was asked at, the very text the operator reads from the store.
    here = (await operator.ok("audit", "replay", iid)).stdout
    assert replayed.splitlines()[1:] == here.splitlines()[1:]
    assert "Chain intact up to version 1" in replayed
    assert "intact" in (await auditor.ok("audit", "verify", iid)).stdout
    for fmt in ("md", "html", "json"):
        written = tmp_path / f"report.{fmt}"
        await auditor.ok("audit", "report", iid, "--format", fmt, "-o", str(written))
        assert iid in written.read_text(encoding="utf-8"), fmt

    # What reads the whole store, or Temporal, is not the API's to answer; nor is a stranger's.
    store_only: list[tuple[str, ...]] = [("verify", "--all"), ("digest",), ("workflow", iid),
                                         ("report", iid, "--store-only")]
    for command in store_only:
        refused = await auditor("audit", *command)
        assert refused.code == 2 and "reads the event store itself" in refused.error_line
    stranger = Baton(BATON_URL=web.url, BATON_TOKEN=await web.token(SPONSOR), BATON_HOME=home)
    forbidden = await stranger("audit", "replay", iid)
    assert forbidden.code == 1 and "cannot audit" in forbidden.error_line
