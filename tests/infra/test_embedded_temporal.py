from __future__ import annotations

import socket
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.client import Client

from devstack.embedded_temporal import (
    FREE_PORT,
    LOOPBACK,
    EmbeddedTemporal,
    EmbeddedTemporalError,
    start_embedded_temporal,
)
from workers.settings import Settings
from workers.temporal_client import connect_client
from workflows.search_attributes import BATON_SEARCH_ATTRIBUTES


async def test_session_server_registers_baton_search_attributes(temporal_client: Client) -> None:
    response = await temporal_client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=temporal_client.namespace)
    )

    registered = dict(response.custom_attributes)
    for key in BATON_SEARCH_ATTRIBUTES:
        assert registered[key.name] == IndexedValueType.ValueType(key.indexed_value_type)


@pytest.mark.servers  # starts a server of its own
async def test_server_starts_persists_and_stops(tmp_path: Path) -> None:
    async with await start_embedded_temporal(
        tmp_path, port=FREE_PORT, ui_port=FREE_PORT, namespace="ops"
    ) as server:
        client = await connect_client(
            Settings.from_env({"TEMPORAL_NAMESPACE": "ops"}), address=server.address
        )
        assert await client.service_client.check_health()
        assert server.ui_url is not None
        assert server.ui_url.startswith(f"http://{LOOPBACK}:")
        assert server.started_in > 0

    assert not server.running
    assert (tmp_path / "temporal.sqlite").exists()
    assert "start-dev" in server.log_path.read_text()


async def test_a_busy_port_is_reported_instead_of_reused(
    tmp_path: Path, temporal_server: EmbeddedTemporal
) -> None:
    busy_port = int(temporal_server.address.rsplit(":", 1)[1])

    with pytest.raises(EmbeddedTemporalError, match=f"port {busy_port}"):
        await start_embedded_temporal(tmp_path, port=busy_port, ui_port=None)


@pytest.mark.servers  # starts a server of its own, which fails
async def test_a_failed_start_names_the_log_file(tmp_path: Path) -> None:
    with pytest.raises(EmbeddedTemporalError, match=str(tmp_path / "server.log")):
        await start_embedded_temporal(
            tmp_path, port=FREE_PORT, ui_port=None, extra_args=["--no-such-flag"]
        )


async def test_connect_client_explains_an_unreachable_server() -> None:
    with socket.socket() as unused:
        unused.bind((LOOPBACK, 0))
        address = f"{LOOPBACK}:{unused.getsockname()[1]}"

    with pytest.raises(ConnectionError, match="baton up"):
        await connect_client(Settings.from_env({}), address=address)
