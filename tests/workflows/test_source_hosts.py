"""One host rule at every door: for each spelling of a metric source's host, a launch, its dry run
and the worker's fetch refuse it or allow it alike, for the same reason.

No server runs: the launch's Temporal client only records that a workflow would start, the dry run
opens nothing, and the worker's resolver and connection are replaced so that an allowed fetch
stops at the address it would connect to.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any, cast

import httpcore
import pytest
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.metrics import MetricReader
from app.context import Context, Where
from app.launch import LaunchRequest, launch
from domain import InitiativeSpec, Rejected, RejectionKind
from domain.spec import MetricSource
from tests.domain.builders import PMO, make_spec
from workflows.activity_contracts import MetricReadRequest
from workflows.client import InitiativeClient
from workflows.source_hosts import SPEC_FIELD, SourceHosts

# Names the tests resolve themselves, so that no lookup leaves the machine.
RESOLVED_NAMES = {"metrics.acme.example": "10.9.9.9", "public.example": "8.8.4.4"}


@dataclass(frozen=True)
class Verdict:
    """What one door made of a source: refused with `reason`, or allowed."""

    refused: bool
    reason: str = ""


class RecordingTemporal:
    """Stands in for Temporal's client: a launch that gets this far would start its workflow."""

    def __init__(self) -> None:
        self.started = 0

    async def start_workflow(self, *args: Any, **kwargs: Any) -> None:
        self.started += 1


async def no_server() -> Any:
    raise AssertionError("a dry run opens no server")


def spec_reading(url: str) -> InitiativeSpec:
    return make_spec(metric={"name": "invoice cycle time", "baseline": 12, "target": 5,
                             "direction": "decrease", "source": {"url": url}})


def field_reason(refusal: Rejected) -> Verdict:
    message = str(refusal)
    assert refusal.kind is RejectionKind.INVALID
    assert message.startswith(f"{SPEC_FIELD}: ") and "\n" not in message, message
    return Verdict(refused=True, reason=message.removeprefix(f"{SPEC_FIELD}: "))


async def launch_verdict(url: str, hosts: SourceHosts) -> Verdict:
    temporal = RecordingTemporal()
    try:
        await InitiativeClient(cast(Client, temporal), "source-hosts",
                               source_hosts=hosts).launch(spec_reading(url), PMO)
    except Rejected as refusal:
        assert temporal.started == 0
        return field_reason(refusal)
    assert temporal.started == 1
    return Verdict(refused=False)


async def dry_run_verdict(url: str, hosts: SourceHosts) -> Verdict:
    # The use case behind both the API's `?dry_run=true` and the launch page's Validate.
    context = Context(where=Where("nowhere:7233", "default", "source-hosts", "baton"),
                      open_temporal=no_server, open_store=no_server,
                      open_read_store=no_server, open_audit_store=no_server,
                      source_hosts=hosts)
    try:
        launched = await launch(context, LaunchRequest(actor=PMO, spec=spec_reading(url),
                                                       validate_only=True))
    except Rejected as refusal:
        return field_reason(refusal)
    assert not launched.recorded
    return Verdict(refused=False)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The addresses the worker would connect to; it resolves only numbers and RESOLVED_NAMES."""
    attempted: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        number = RESOLVED_NAMES.get(name.lower().rstrip("."), name)
        return real_getaddrinfo(number, port, type=socket.SOCK_STREAM,
                                flags=socket.AI_NUMERICHOST)

    async def connect(backend: Any, host: str, port: int, *args: Any,
                      **kwargs: Any) -> httpcore.AsyncNetworkStream:
        attempted.append(host)
        raise httpcore.ConnectError("the test stops here")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", connect)
    return attempted


async def fetch_verdict(url: str, hosts: SourceHosts, connections: list[str]) -> Verdict:
    request = MetricReadRequest(initiative_id="i-1", check=1, source=MetricSource(url=url))
    try:
        await ActivityEnvironment().run(MetricReader(hosts).read_metric, request)
    except ApplicationError as failure:
        if failure.type == "SourceRefused":
            assert failure.non_retryable and "\n" not in failure.message
            assert connections == []
            reason = failure.message.removeprefix(f"metric source {url}: ")
            return Verdict(refused=True, reason=reason)
    assert connections, "the worker neither refused the source nor tried to fetch it"
    return Verdict(refused=False)


ANY_PUBLIC = None  # no BATON_METRIC_SOURCE_HOSTS
SPELLINGS = [
    # (host as written in the URL, BATON_METRIC_SOURCE_HOSTS, refused)
    ("127.0.0.1", ANY_PUBLIC, True),
    ("127.1", ANY_PUBLIC, True),
    ("0x7f000001", ANY_PUBLIC, True),
    ("0X7F000001", ANY_PUBLIC, True),
    ("2130706433", ANY_PUBLIC, True),
    ("0177.0.0.1", ANY_PUBLIC, True),
    ("0x7f.0.0.1", ANY_PUBLIC, True),
    ("127.0.0.1.", ANY_PUBLIC, True),
    ("127\u30020\u30020\u30021", ANY_PUBLIC, True),  # ideographic full stops, as IDNA reads them
    ("[::1]", ANY_PUBLIC, True),
    ("[::ffff:127.0.0.1]", ANY_PUBLIC, True),
    ("[::FFFF:7F00:1]", ANY_PUBLIC, True),
    ("[::127.0.0.1]", ANY_PUBLIC, True),
    ("[64:ff9b::7f00:1]", ANY_PUBLIC, True),  # NAT64 to loopback
    ("[2002:7f00:1::1]", ANY_PUBLIC, True),  # 6to4 to loopback
    ("169.254.169.254", ANY_PUBLIC, True),
    ("0xa9fea9fe", ANY_PUBLIC, True),
    ("2852039166", ANY_PUBLIC, True),
    ("[::ffff:169.254.169.254]", ANY_PUBLIC, True),
    ("10.1", ANY_PUBLIC, True),
    ("0", ANY_PUBLIC, True),
    ("LocalHost.", ANY_PUBLIC, True),
    ("8.8.8.8", ANY_PUBLIC, False),
    ("0x08080808", ANY_PUBLIC, False),
    ("134744072", ANY_PUBLIC, False),
    ("[::ffff:8.8.8.8]", ANY_PUBLIC, False),
    ("Public.Example", ANY_PUBLIC, False),
    ("127.1", "127.0.0.1", False),
    ("0x7f000001", "127.0.0.1", False),
    ("[::ffff:127.0.0.1]", "127.0.0.1", False),
    ("127.0.0.1", "0x7f000001", False),
    ("127.0.0.2", "127.0.0.1", True),
    ("localhost", "127.0.0.1", True),
    ("10.1", "10.0.0.0/8", False),
    ("0xa000001", "10.0.0.0/8", False),
    ("169.254.169.254", "10.0.0.0/8", True),
    ("0xa9fea9fe", "10.0.0.0/8", True),
    ("[::1]", "::1", False),
    ("127.1", "::1", True),
    ("METRICS.acme.example", "*.acme.example", False),
    ("metrics.acme.example.", "*.acme.example", False),
    ("0x7f000001", "*.acme.example, *", True),  # a name pattern never admits an address
    ("127.1", "*.acme.example", True),
]


@pytest.mark.parametrize(("host", "allow_list", "refused"), SPELLINGS,
                         ids=[f"{host} with {allowed or 'any public'}"
                              for host, allowed, _ in SPELLINGS])
async def test_launch_dry_run_and_fetch_agree_on_every_spelling_of_a_host(
        host: str, allow_list: str | None, refused: bool, connections: list[str]) -> None:
    url = f"http://{host}:8080/metric"
    hosts = SourceHosts.parse(allow_list)
    launched = await launch_verdict(url, hosts)
    validated = await dry_run_verdict(url, hosts)
    fetched = await fetch_verdict(url, hosts, connections)
    assert launched == validated == fetched == Verdict(refused, launched.reason)


@pytest.mark.parametrize("resolved", ["127.0.0.1", "::ffff:127.0.0.1", "::1", "169.254.169.254",
                                      "10.9.9.9", "fe80::1"])
async def test_a_name_is_judged_again_where_it_resolves_when_fetched(
        resolved: str, connections: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # A launch cannot know where a name will resolve; the fetch checks the answer it connects to.
    monkeypatch.setitem(RESOLVED_NAMES, "rebound.example", resolved)
    url = "http://rebound.example/metric"
    assert await launch_verdict(url, SourceHosts()) == Verdict(refused=False)
    fetched = await fetch_verdict(url, SourceHosts(), connections)
    assert fetched.refused and f"resolves to {resolved}, which is not a public" in fetched.reason
