"""Baton's runtime settings, read once from the environment, each variable as
`workers.environment` lists it."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workers.environment import ENVIRONMENT_VARIABLES
from workflows.source_hosts import SourceHosts, SourceRefused

LogFormat = Literal["json", "console"]
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "console")
_DEFAULTS = {variable.name: variable.default for variable in ENVIRONMENT_VARIABLES}


class SettingsError(ValueError):
    """An environment variable holds a value Baton cannot use."""


@dataclass(frozen=True)
class Settings:
    home: Path
    temporal_address: str | None
    temporal_namespace: str
    task_queue: str
    database_url: str | None
    db_schema: str
    log_format: LogFormat
    log_level: str
    temporal_port: int
    ui_port: int
    webhook_url: str | None
    webhook_secret: str | None = field(repr=False)
    metric_source_hosts: SourceHosts
    smtp_url: str | None = field(repr=False)  # may carry a password
    smtp_password: str | None = field(repr=False)
    smtp_ca_file: str | None
    mail_from: str
    timezone: ZoneInfo
    digest: Literal["daily", "weekly"] | None
    digest_only: bool
    actor: str | None
    answer_timeout: float
    audit_database_url: str | None
    temporal_api_key: str | None = field(repr=False)  # a secret: kept out of logs
    temporal_tls: bool | None  # None: decided by the other TLS settings
    temporal_tls_client_cert: Path | None
    temporal_tls_client_key: Path | None
    temporal_tls_server_ca_cert: Path | None
    temporal_tls_server_name: str | None
    metrics_address: str | None
    health_address: str | None
    otlp_endpoint: str | None
    otel_service_name: str
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    public_url: str | None = None
    session_secret: str | None = field(default=None, repr=False)
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = field(default=None, repr=False)
    oidc_audience: str | None = None
    oidc_person_claim: str = "email"
    oidc_groups_claim: str = "groups"
    oidc_pmo_group: str | None = None
    oidc_auditor_group: str | None = None
    api_url: str | None = None
    api_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        def read(name: str) -> str | None:
            # Compose files and CI often export a variable as empty to mean "not set".
            value = environ.get(name, "").strip()
            return value or _DEFAULTS[name]

        def required(name: str) -> str:
            value = read(name)
            assert value is not None, f"{name} needs a default in ENVIRONMENT_VARIABLES"
            return value

        def path(name: str) -> Path | None:
            value = read(name)
            return None if value is None else Path(value).expanduser()

        def listen_address(name: str) -> str | None:
            value = read(name)
            return None if value is None else _listen_address(name, value)

        return cls(
            home=Path(required("BATON_HOME")).expanduser().resolve(),
            temporal_address=read("TEMPORAL_ADDRESS"),
            temporal_namespace=required("TEMPORAL_NAMESPACE"),
            task_queue=required("BATON_TASK_QUEUE"),
            database_url=read("DATABASE_URL"),
            db_schema=_schema(required("BATON_DB_SCHEMA")),
            log_format=_log_format(required("BATON_LOG_FORMAT")),
            log_level=_log_level(required("BATON_LOG_LEVEL")),
            temporal_port=_port("BATON_TEMPORAL_PORT", required("BATON_TEMPORAL_PORT")),
            ui_port=_port("BATON_UI_PORT", required("BATON_UI_PORT")),
            webhook_url=read("BATON_WEBHOOK_URL"),
            webhook_secret=read("BATON_WEBHOOK_SECRET"),
            metric_source_hosts=_source_hosts(read("BATON_METRIC_SOURCE_HOSTS")),
            smtp_url=_smtp_url(read("BATON_SMTP_URL")),
            smtp_password=read("BATON_SMTP_PASSWORD"),
            smtp_ca_file=read("BATON_SMTP_CA_FILE"),
            mail_from=required("BATON_MAIL_FROM"),
            timezone=_timezone(required("BATON_TIMEZONE")),
            digest=_digest(read("BATON_DIGEST")),
            digest_only=bool(_flag("BATON_DIGEST_ONLY", required("BATON_DIGEST_ONLY"))),
            actor=read("BATON_ACTOR"),
            answer_timeout=_seconds("BATON_ANSWER_TIMEOUT", required("BATON_ANSWER_TIMEOUT")),
            audit_database_url=read("BATON_AUDIT_DATABASE_URL"),
            temporal_api_key=read("TEMPORAL_API_KEY"),
            temporal_tls=_flag("TEMPORAL_TLS", read("TEMPORAL_TLS")),
            temporal_tls_client_cert=path("TEMPORAL_TLS_CLIENT_CERT_PATH"),
            temporal_tls_client_key=path("TEMPORAL_TLS_CLIENT_KEY_PATH"),
            temporal_tls_server_ca_cert=path("TEMPORAL_TLS_SERVER_CA_CERT_PATH"),
            temporal_tls_server_name=read("TEMPORAL_TLS_SERVER_NAME"),
            metrics_address=listen_address("BATON_METRICS_ADDRESS"),
            health_address=listen_address("BATON_HEALTH_ADDRESS"),
            otlp_endpoint=read("OTEL_EXPORTER_OTLP_ENDPOINT"),
            otel_service_name=required("OTEL_SERVICE_NAME"),
            web_host=required("BATON_WEB_HOST"),
            web_port=_port("BATON_WEB_PORT", required("BATON_WEB_PORT")),
            public_url=_public_url(read("BATON_PUBLIC_URL")),
            session_secret=_session_secret(read("BATON_SESSION_SECRET")),
            oidc_issuer=read("BATON_OIDC_ISSUER"),
            oidc_client_id=read("BATON_OIDC_CLIENT_ID"),
            oidc_client_secret=read("BATON_OIDC_CLIENT_SECRET"),
            oidc_audience=read("BATON_OIDC_AUDIENCE"),
            oidc_person_claim=required("BATON_OIDC_PERSON_CLAIM"),
            oidc_groups_claim=required("BATON_OIDC_GROUPS_CLAIM"),
            oidc_pmo_group=read("BATON_OIDC_PMO_GROUP"),
            oidc_auditor_group=read("BATON_OIDC_AUDITOR_GROUP"),
            api_url=read("BATON_URL"),
            api_token=read("BATON_TOKEN"),
        )

    @property
    def postgres_dir(self) -> Path:
        return self.home / "postgres"

    @property
    def temporal_dir(self) -> Path:
        return self.home / "temporal"

    @property
    def mail_link_base(self) -> str:
        """Where e-mail links point: the public URL, else the web process's own address."""
        host = "127.0.0.1" if self.web_host in ("0.0.0.0", "::") else self.web_host
        return self.public_url or f"http://{host}:{self.web_port}"


# The schema name is spliced into SQL as an identifier, so only plain identifiers pass.
def _schema(value: str) -> str:
    from store.migrations import SCHEMA_NAME, SCHEMA_NAME_RULE  # the store's rule, the only one

    if not SCHEMA_NAME.match(value):
        raise SettingsError(f"BATON_DB_SCHEMA must be {SCHEMA_NAME_RULE}, got {value!r}")
    return value


# Signs the sign-in cookies: short enough to guess is as good as none.
SESSION_SECRET_MIN_LENGTH = 32


def _session_secret(value: str | None) -> str | None:
    if value is not None and len(value) < SESSION_SECRET_MIN_LENGTH:
        # A secret: its length is said, never its value.
        raise SettingsError(
            f"BATON_SESSION_SECRET must be at least {SESSION_SECRET_MIN_LENGTH} characters, "
            f"got {len(value)}; make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`")
    return value


def _smtp_url(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"smtps?://[^/\s]+/?", value):
        # The value may hold a password: never echo it.
        raise SettingsError("BATON_SMTP_URL must look like smtp://host:587 or "
                            "smtps://user:password@host:465")
    return value


def _public_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"https?://[^\s]+", value):
        raise SettingsError(f"BATON_PUBLIC_URL must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _timezone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"BATON_TIMEZONE is not a known time zone: {value!r}") from None


def _digest(value: str | None) -> Literal["daily", "weekly"] | None:
    if value is None:
        return None
    lowered = value.lower()
    if lowered == "daily":
        return "daily"
    if lowered == "weekly":
        return "weekly"
    raise SettingsError(f"BATON_DIGEST must be daily or weekly, got {value!r}")


def _source_hosts(value: str | None) -> SourceHosts:
    try:
        return SourceHosts.parse(value)
    except SourceRefused as error:
        raise SettingsError(str(error)) from None


def _log_format(value: str) -> LogFormat:
    lowered = value.lower()
    for log_format in LOG_FORMATS:
        if lowered == log_format:
            return log_format
    raise SettingsError(f"BATON_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {value!r}")


def _log_level(value: str) -> str:
    level = value.upper()
    if not isinstance(logging.getLevelName(level), int):
        raise SettingsError(f"BATON_LOG_LEVEL is not a logging level name: {value!r}")
    return level


def _seconds(name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86400:  # NaN fails this too
        raise SettingsError(f"{name} must be a number of seconds above 0, got {value!r}")
    return seconds


def _port(name: str, value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise SettingsError(f"{name} must be a TCP port number (1-65535), got {value!r}")
    return port


_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def _flag(name: str, value: str | None) -> bool | None:
    if value is None:
        return None
    lowered = value.lower()
    if lowered in _TRUE or lowered in _FALSE:
        return lowered in _TRUE
    raise SettingsError(f"{name} must be true or false, got {value!r}")


def split_listen_address(address: str) -> tuple[str, int]:
    """("0.0.0.0", 9464) from "0.0.0.0:9464"; "[::]:9464" gives ("::", 9464)."""
    host, _, port = address.rpartition(":")
    return host.removeprefix("[").removesuffix("]"), int(port)


def _listen_address(name: str, value: str) -> str:
    # An IP, not a host name: the Prometheus server in Temporal's Rust core binds only to
    # a socket address, and failing here names the variable instead of failing later.
    try:
        host, port = split_listen_address(value)
        ipaddress.ip_address(host)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise SettingsError(f"{name} must be ip:port (e.g. 0.0.0.0:9464), got {value!r}")
    return value
