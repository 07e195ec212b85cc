"""Reaching Temporal Cloud or a TLS cluster, and PostgreSQL over TLS, by environment alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.service import TLSConfig

from store import EventStore
from workers import composition
from workers.settings import Settings, SettingsError
from workers.temporal_client import connect_client, tls_config

CLOUD = {"TEMPORAL_ADDRESS": "ops.acme.tmprl.cloud:7233", "TEMPORAL_NAMESPACE": "ops.acme"}


@pytest.fixture
def pem_files(tmp_path: Path) -> dict[str, str]:
    files = {"TEMPORAL_TLS_CLIENT_CERT_PATH": "client.pem",
             "TEMPORAL_TLS_CLIENT_KEY_PATH": "client.key",
             "TEMPORAL_TLS_SERVER_CA_CERT_PATH": "ca.pem"}
    for name in files.values():
        (tmp_path / name).write_bytes(f"-----{name}-----\n".encode())
    return {variable: str(tmp_path / name) for variable, name in files.items()}


def tls_for(**environment: str) -> TLSConfig | bool:
    return tls_config(Settings.from_env({**CLOUD, **environment}))


def test_plain_without_tls_settings() -> None:
    assert tls_for() is False


def test_the_embedded_server_never_gets_tls(pem_files: dict[str, str]) -> None:
    settings = Settings.from_env({**pem_files, "TEMPORAL_API_KEY": "key"})

    assert tls_config(settings) is False


def test_tls_on_request_uses_the_system_roots() -> None:
    assert tls_for(TEMPORAL_TLS="true") == TLSConfig()


def test_an_api_key_implies_tls() -> None:
    assert tls_for(TEMPORAL_API_KEY="secret-key") == TLSConfig()


def test_mtls_reads_the_certificate_files(pem_files: dict[str, str]) -> None:
    config = tls_for(**pem_files, TEMPORAL_TLS_SERVER_NAME="frontend.temporal.internal")

    assert config == TLSConfig(
        client_cert=b"-----client.pem-----\n",
        client_private_key=b"-----client.key-----\n",
        server_root_ca_cert=b"-----ca.pem-----\n",
        domain="frontend.temporal.internal",
    )


def test_a_missing_certificate_names_its_variable(
    pem_files: dict[str, str], tmp_path: Path
) -> None:
    pem_files["TEMPORAL_TLS_CLIENT_CERT_PATH"] = str(tmp_path / "not-mounted" / "tls.crt")

    with pytest.raises(SettingsError, match=r"TEMPORAL_TLS_CLIENT_CERT_PATH: .*not-mounted"):
        tls_for(**pem_files)


def test_a_certificate_needs_its_key(pem_files: dict[str, str]) -> None:
    del pem_files["TEMPORAL_TLS_CLIENT_KEY_PATH"]

    with pytest.raises(SettingsError, match="TEMPORAL_TLS_CLIENT_KEY_PATH"):
        tls_for(**pem_files)


def test_tls_refused_while_credentials_need_it() -> None:
    with pytest.raises(SettingsError, match="TEMPORAL_TLS is false"):
        tls_for(TEMPORAL_TLS="false", TEMPORAL_API_KEY="secret-key")


def test_the_api_key_stays_out_of_the_settings_repr() -> None:
    assert "secret-key" not in repr(Settings.from_env({**CLOUD, "TEMPORAL_API_KEY": "secret-key"}))


async def test_connect_passes_namespace_key_and_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    async def fake_connect(target: str, **options: Any) -> Client:
        seen.update(options, target=target)
        return None  # type: ignore[return-value]

    monkeypatch.setattr(Client, "connect", fake_connect)
    await connect_client(Settings.from_env({**CLOUD, "TEMPORAL_API_KEY": "secret-key"}))

    assert seen["target"] == CLOUD["TEMPORAL_ADDRESS"]
    assert seen["namespace"] == CLOUD["TEMPORAL_NAMESPACE"]
    assert (seen["api_key"], seen["tls"]) == ("secret-key", TLSConfig())


async def test_sslmode_in_database_url_reaches_postgres(database_url: str) -> None:
    separator = "&" if "?" in database_url else "?"
    dsn = f"{database_url}{separator}sslmode=verify-full&sslrootcert=/no/such/ca.crt"
    settings = Settings.from_env({"DATABASE_URL": dsn})

    assert composition.database_url(settings) == dsn
    # asyncpg opens the CA file only because the DSN asks it to verify the server.
    with pytest.raises(FileNotFoundError):
        await EventStore.connect(composition.database_url(settings), schema="probe")
