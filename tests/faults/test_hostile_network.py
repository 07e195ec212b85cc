"""A spec's metric source is a URL the worker fetches: specs that point it at the worker's own
network, sources that redirect there, answer without end or answer secrets, all against real
loopback servers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import pytest
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.metrics import MetricReader
from bench.metric_server import loopback_server
from domain import Rejected
from domain.spec import MetricSource
from tests.workflows.scenario import quick_spec
from workers.settings import Settings, SettingsError
from workflows.activity_contracts import MetricReadRequest
from workflows.client import InitiativeClient
from workflows.source_hosts import SourceHosts

SECRET = "postgres-password-hunter2"


class Source:
    def __init__(self) -> None:
        self.requests = 0
        self.url = ""


@contextmanager
def source(status: int = 200, body: bytes = b'{"value": 4.5}', location: str = "",
           endless: bool = False) -> Iterator[Source]:
    seen = Source()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.requests += 1
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            if endless:
                self.end_headers()
                chunk = b"9" * 65536
                try:
                    for _ in range(10_000):  # 640 MB, were the reader to read it all
                        self.wfile.write(chunk)
                except OSError:
                    pass  # the reader hung up, as it should
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback_server(Handler) as base_url:
        seen.url = f"{base_url}/metric"
        yield seen


async def read(url: str, hosts: SourceHosts) -> float:
    request = MetricReadRequest(initiative_id="i-1", check=1, source=MetricSource(url=url))
    result: float = await ActivityEnvironment().run(MetricReader(hosts).read_metric, request)
    return result


LOOPBACK = SourceHosts.parse("127.0.0.1")


async def test_loopback_is_refused_without_an_allow_list_and_never_contacted() -> None:
    with source() as metric, pytest.raises(ApplicationError) as failure:
        await read(metric.url, SourceHosts())
    assert failure.value.non_retryable and "not a public address" in failure.value.message
    assert metric.requests == 0


async def test_a_name_resolving_to_this_machine_is_refused_on_its_resolved_address() -> None:
    name = socket.gethostname()
    try:
        resolved = {str(info[4][0]) for info in socket.getaddrinfo(name, 80)}
    except OSError:
        pytest.skip(f"this machine's name {name} does not resolve")
    with source() as metric, pytest.raises(ApplicationError) as failure:
        await read(metric.url.replace("127.0.0.1", name), SourceHosts())
    assert "resolves to" in failure.value.message and failure.value.non_retryable
    assert any(address in failure.value.message for address in resolved)
    assert metric.requests == 0


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.7:5432/", "http://192.168.1.1/",
    "http://[::1]:7233/", "http://[::ffff:127.0.0.1]/", "http://[fd00::1]/", "http://224.0.0.1/",
    "http://0.0.0.0:7233/", "http://localhost:7233/", "http://api.localhost/",
])
def test_addresses_of_the_private_network_are_refused_by_default(url: str) -> None:
    with pytest.raises(ValueError, match=r"public address|this machine"):
        SourceHosts().check_url(url)


def test_an_allow_list_admits_only_its_hosts() -> None:
    hosts = SourceHosts.parse("metrics.acme.example, *.corp.example, 10.1.0.0/16")
    for url in ("https://metrics.acme.example/x", "http://a.b.corp.example/", "http://10.1.2.3/"):
        hosts.check_url(url)
    for url in ("https://evil.example/", "http://10.2.0.1/", "http://corp.example.evil/"):
        with pytest.raises(ValueError, match="not on BATON_METRIC_SOURCE_HOSTS"):
            hosts.check_url(url)


async def test_a_redirect_off_the_allow_list_is_refused_before_it_is_followed() -> None:
    with source() as target, source(status=302, location=target.url.replace(
            "127.0.0.1", "localhost")) as first, pytest.raises(ApplicationError) as failure:
        await read(first.url, LOOPBACK)
    assert "host localhost is not on BATON_METRIC_SOURCE_HOSTS" in failure.value.message
    assert first.requests == 1 and target.requests == 0


async def test_an_allowed_redirect_is_followed() -> None:
    with source() as target, source(status=307, location=target.url) as first:
        assert await read(first.url, LOOPBACK) == 4.5
    assert target.requests == 1


async def test_an_endless_answer_is_cut_off_at_the_cap() -> None:
    with source(endless=True) as metric, pytest.raises(ApplicationError) as failure:
        await read(metric.url, LOOPBACK)
    assert "larger than 1024 KiB" in failure.value.message


@pytest.mark.parametrize(("status", "body"), [
    (200, f'{{"value": "{SECRET}"}}'.encode()), (200, f'{{"value": {{"{SECRET}": 1}}}}'.encode()),
    (500, SECRET.encode()), (200, f"<html>{SECRET}</html>".encode()),
])
async def test_errors_name_the_url_and_the_problem_never_the_content(status: int,
                                                                    body: bytes) -> None:
    with source(status=status, body=body) as metric, pytest.raises(ApplicationError) as failure:
        await read(metric.url, LOOPBACK)
    assert metric.url in failure.value.message
    assert SECRET not in failure.value.message and SECRET not in repr(failure.value.__cause__)


async def test_a_launch_naming_a_refused_host_is_refused(temporal_client: Client,
                                                         task_queue: str) -> None:
    metric = {"name": "cycle time", "baseline": 12, "target": 5, "direction": "decrease",
              "source": {"url": "http://127.0.0.1:5432/", "field": "value"}}
    with pytest.raises(Rejected, match=r"metric.source.url: .*127.0.0.1.*not a public address"):
        await InitiativeClient(temporal_client, task_queue).launch(
            quick_spec(metric=metric), "pmo@acme.example")
    allowed_elsewhere = InitiativeClient(temporal_client, task_queue,
                                         source_hosts=SourceHosts.parse("metrics.acme.example"))
    with pytest.raises(Rejected, match="not on BATON_METRIC_SOURCE_HOSTS"):
        await allowed_elsewhere.launch(quick_spec(metric=metric), "pmo@acme.example")


def test_a_malformed_allow_list_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="BATON_METRIC_SOURCE_HOSTS"):
        Settings.from_env({"BATON_METRIC_SOURCE_HOSTS": "10.0.0.0/99"})
    with pytest.raises(SettingsError, match="not a host pattern"):
        Settings.from_env({"BATON_METRIC_SOURCE_HOSTS": "http://metrics.example/"})
