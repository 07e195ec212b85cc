"""Reading an initiative's metric from its configured source: HTTP GET of a JSON number.

The worker fetches a URL that whoever wrote the spec chose, so the fetch is fenced
(`workflows.source_hosts`): every connection, the first and each redirect's, is checked on the
address the host resolves to at that moment and then made to that very address, so a name that
resolves elsewhere a second later (DNS rebinding) gains nothing. The answer is read in chunks up to
`MAX_BODY`, and errors name the URL and the problem, never what the source answered: they reach
logs and Temporal's failure records.
"""

from __future__ import annotations

import asyncio
import json
import math
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.tls import tls_context
from workflows.activity_contracts import READ_METRIC, MetricReadRequest
from workflows.source_hosts import SourceHosts, SourceRefused

SOURCE_TIMEOUT = httpx.Timeout(10.0)
MAX_BODY = 1024 * 1024
MAX_REDIRECTS = 5


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "a boolean",
             type(None): "null"}
    return names.get(type(value), "a value")


def extract_number(document: Any, field: str) -> float:
    """`field` may be dotted (`data.value`) to reach into nested objects."""
    value = document
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            raise ValueError(f"field {field!r} not found in the source's answer")
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"field {field!r} holds {_kind(value)}, not a number")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"field {field!r} holds text that is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"field {field!r} holds {value!r}, not a finite number")
    return number


class _FencedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks, then connects to the checked address itself; TLS still verifies the
    certificate against the URL's host name (httpcore passes it as the server name)."""

    def __init__(self, hosts: SourceHosts, url: str) -> None:
        self._hosts = hosts
        self._url = url
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error.strerror}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        self._hosts.check_resolved(self._url, host, addresses)
        return await self._inner.connect_tcp(addresses[0], port, timeout=timeout,
                                             local_address=local_address,
                                             socket_options=socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise SourceRefused(f"metric source {self._url}", "not a TCP address")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def fenced_client(hosts: SourceHosts, url: str) -> httpx.AsyncClient:
    # No proxies from the environment: a proxy would connect on the worker's behalf, unchecked.
    tls = tls_context(trust_env=False)
    transport = httpx.AsyncHTTPTransport(verify=tls, trust_env=False)
    # httpx takes no network backend, so its pool is replaced by one that has ours.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=tls, network_backend=_FencedBackend(hosts, url))
    return httpx.AsyncClient(transport=transport, timeout=SOURCE_TIMEOUT, trust_env=False,
                             follow_redirects=True, max_redirects=MAX_REDIRECTS)


async def read_capped(response: httpx.Response) -> bytes:
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_BODY:
            raise ValueError(f"the answer is larger than {MAX_BODY // 1024} KiB")
    return bytes(body)


class MetricReader:
    def __init__(self, hosts: SourceHosts | None = None) -> None:
        self._hosts = hosts or SourceHosts()

    @activity.defn(name=READ_METRIC)
    async def read_metric(self, request: MetricReadRequest) -> float:
        url = request.source.url
        where = f"metric source {url} for check {request.check}"
        try:
            self._hosts.check_url(url)
            async with fenced_client(self._hosts, url) as client, \
                    client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise ValueError(f"answered HTTP {response.status_code}")
                body = await read_capped(response)
            try:
                document = json.loads(body)
            except ValueError:
                raise ValueError("the answer is not JSON") from None
            # A source that answers with the wrong shape may be mid-deploy: keep retrying.
            return extract_number(document, request.source.field)
        except SourceRefused as refused:
            # Whether a host may be fetched does not change by retrying it.
            raise ApplicationError(str(refused), type="SourceRefused",
                                   non_retryable=True) from None
        except httpx.TooManyRedirects:
            raise ApplicationError(f"{where}: more than {MAX_REDIRECTS} redirects") from None
        except (httpx.ConnectError, httpx.TimeoutException) as error:
            raise ApplicationError(f"{where}: {type(error).__name__}: {error}") from None
        except httpx.HTTPError as error:
            # Other errors may quote what the server sent: their name says enough.
            raise ApplicationError(f"{where}: {type(error).__name__}") from None
        except ValueError as error:
            raise ApplicationError(f"{where}: {error}") from None
