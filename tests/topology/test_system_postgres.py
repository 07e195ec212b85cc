"""The TLS-only PostgreSQL stands in for a managed database: verified TLS or nothing.

These also pin what asyncpg raises when TLS or the network refuses, which is what Baton has to
turn into one clear line.
"""

from __future__ import annotations

import socket
import ssl
import uuid
from collections.abc import Iterator

import asyncpg
import pytest

from tests.topology.system_postgres import (
    HOST_ADDRESS,
    SystemPostgres,
    server_binaries_or_skip,
    system_postgres,
)

pytestmark = pytest.mark.servers  # starts servers of its own


@pytest.fixture(scope="module")
def server() -> Iterator[SystemPostgres]:
    with system_postgres(server_binaries_or_skip()) as running:
        yield running


async def test_verify_full_connection_is_encrypted(server: SystemPostgres) -> None:
    connection = await asyncpg.connect(server.dsn)
    try:
        assert await connection.fetchval(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") is True
        server_version: str = await connection.fetchval("SHOW server_version")
        assert server_version.startswith(f"{server.version}.")
    finally:
        await connection.close()


async def test_another_login_connects_with_its_password(server: SystemPostgres) -> None:
    user = f"login_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server.dsn)
    try:
        await admin.execute(f"CREATE ROLE {user} LOGIN PASSWORD 'its-own'")
        connection = await asyncpg.connect(server.dsn_for(user, "its-own"))
        try:
            assert await connection.fetchval("SELECT current_user") == user
        finally:
            await connection.close()
    finally:
        await admin.execute(f"DROP ROLE {user}")
        await admin.close()


async def test_certificate_from_an_untrusted_ca_is_refused(server: SystemPostgres) -> None:
    dsn = server.dsn_for(server.superuser, server.password, ca_path=server.untrusted_ca_path)
    # The error names neither the host nor the CA file: the caller must add both.
    with pytest.raises(ssl.SSLCertVerificationError,
                       match="certificate verify failed: unable to get local issuer certificate"):
        await asyncpg.connect(dsn)


async def test_plain_tcp_is_refused(server: SystemPostgres) -> None:
    dsn = server.dsn_for(server.superuser, server.password, sslmode="disable")
    with pytest.raises(asyncpg.PostgresError, match="no encryption") as refused:
        await asyncpg.connect(dsn)
    assert refused.value.sqlstate == "28000"  # invalid_authorization_specification


async def test_nothing_listening_is_refused_with_address_and_port(
    server: SystemPostgres,
) -> None:
    with socket.socket() as probe:
        probe.bind((HOST_ADDRESS, 0))
        closed_port = probe.getsockname()[1]
    dsn = server.dsn_for(server.superuser, server.password,
                         host=HOST_ADDRESS).replace(f":{server.port}/", f":{closed_port}/")
    with pytest.raises(ConnectionRefusedError, match=f"'{HOST_ADDRESS}', {closed_port}"):
        await asyncpg.connect(dsn)


async def test_exit_stops_the_server_and_removes_its_files_even_after_a_failure() -> None:
    with pytest.raises(LookupError), system_postgres(server_binaries_or_skip()) as doomed:
        data_dir = doomed.data_dir
        raise LookupError("a failing test")
    assert not data_dir.exists()
    assert not doomed.ca_path.exists()
    with pytest.raises(OSError):
        await asyncpg.connect(doomed.dsn)

