"""Baton's runtime settings, read once from the environment, each variable as
`workers.environment` lists it: the registry gives every field its variable, default and
description, and each value is checked on the way in so that a bad one is refused in one line
naming its variable."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, ValidationError, ValidationInfo
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from workers.environment import ENVIRONMENT_VARIABLES
from workflows.source_hosts import SourceHosts, SourceRefused

LogFormat = Literal["json", "console"]
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "console")
Digest = Literal["daily", "weekly"]
_LISTED = {variable.name: variable for variable in ENVIRONMENT_VARIABLES}
# The mapping `Settings.from_env` was given, for the one construction it makes; else None and
# the process's environment is read.
_READ_FROM: ContextVar[Mapping[str, str] | None] = ContextVar("settings_read_from", default=None)


class SettingsError(ValueError):
    """An environment variable holds a value Baton cannot use."""


def variable(name: str, *, secret: bool = False) -> FieldInfo:
    """The field read from `name`, with the registry's default and meaning; a secret is kept out
    of the settings' repr, and so out of logs."""
    listed = _LISTED[name]
    return FieldInfo.from_field(listed.default, validation_alias=name,
                                description=listed.meaning, repr=not secret)


class EnvironmentSource(PydanticBaseSettingsSource):
    """Each field's variable looked up by its exact name in `environ`. Compose files and CI often
    export a variable as empty to mean "not set", so an empty or blank value is left out and the
    field keeps its default."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.environ = environ

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[str | None, str, bool]:
        name = _variable_of(field)
        value = self.environ.get(name, "").strip()
        return value or None, name, False

    def __call__(self) -> dict[str, str]:
        values = {}
        for field_name, field in self.settings_cls.model_fields.items():
            value, name, _ = self.get_field_value(field, field_name)
            if value is not None:
                values[name] = value
        return values


def _variable_of(field: FieldInfo) -> str:
    name = field.validation_alias
    assert isinstance(name, str), f"{field} is read from one variable, given by variable()"
    return name


def _variable_name(field_name: str | None) -> str:
    """The variable a validator's field is read from, for its message."""
    assert field_name is not None, "a settings validator runs for a field"
    return _variable_of(Settings.model_fields[field_name])


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


def _home(value: str) -> Path:
    return Path(value).expanduser().resolve()


def _path(value: str | None) -> Path | None:
    return None if value is None else Path(value).expanduser()


def _timezone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"BATON_TIMEZONE is not a known time zone: {value!r}") from None


def _digest(value: str | None) -> Digest | None:
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


def _seconds(value: str, info: ValidationInfo) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86400:  # NaN fails this too
        raise SettingsError(f"{_variable_name(info.field_name)} must be a number of seconds "
                            f"above 0, got {value!r}")
    return seconds


def _port(value: str, info: ValidationInfo) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise SettingsError(f"{_variable_name(info.field_name)} must be a TCP port number "
                            f"(1-65535), got {value!r}")
    return port


_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def _flag(value: str | None, info: ValidationInfo) -> bool | None:
    if value is None:
        return None
    lowered = value.lower()
    if lowered in _TRUE or lowered in _FALSE:
        return lowered in _TRUE
    raise SettingsError(f"{_variable_name(info.field_name)} must be true or false, "
                        f"got {value!r}")


def split_listen_address(address: str) -> tuple[str, int]:
    """("0.0.0.0", 9464) from "0.0.0.0:9464"; "[::]:9464" gives ("::", 9464)."""
    host, _, port = address.rpartition(":")
    return host.removeprefix("[").removesuffix("]"), int(port)


def _listen_address(value: str | None, info: ValidationInfo) -> str | None:
    # An IP, not a host name: the Prometheus server in Temporal's Rust core binds only to
    # a socket address, and failing here names the variable instead of failing later.
    if value is None:
        return None
    try:
        host, port = split_listen_address(value)
        ipaddress.ip_address(host)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise SettingsError(f"{_variable_name(info.field_name)} must be ip:port "
                            f"(e.g. 0.0.0.0:9464), got {value!r}")
    return value


Port = BeforeValidator(_port)
Flag = BeforeValidator(_flag)
ListenAddress = BeforeValidator(_listen_address)
FilePath = BeforeValidator(_path)


class Settings(BaseSettings):
    """Build with `Settings.from_env()`, or `Settings.from_env(mapping)` for a test's or a
    bench's own variables (the process's environment is then not read at all)."""

    model_config = SettingsConfigDict(frozen=True, validate_default=True,
                                      arbitrary_types_allowed=True)

    home: Annotated[Path, BeforeValidator(_home), variable("BATON_HOME")]
    temporal_address: Annotated[str | None, variable("TEMPORAL_ADDRESS")]
    temporal_namespace: Annotated[str, variable("TEMPORAL_NAMESPACE")]
    task_queue: Annotated[str, variable("BATON_TASK_QUEUE")]
    database_url: Annotated[str | None, variable("DATABASE_URL")]
    db_schema: Annotated[str, BeforeValidator(_schema), variable("BATON_DB_SCHEMA")]
    log_format: Annotated[LogFormat, BeforeValidator(_log_format), variable("BATON_LOG_FORMAT")]
    log_level: Annotated[str, BeforeValidator(_log_level), variable("BATON_LOG_LEVEL")]
    temporal_port: Annotated[int, Port, variable("BATON_TEMPORAL_PORT")]
    ui_port: Annotated[int, Port, variable("BATON_UI_PORT")]
    webhook_url: Annotated[str | None, variable("BATON_WEBHOOK_URL")]
    webhook_secret: Annotated[str | None, variable("BATON_WEBHOOK_SECRET", secret=True)]
    metric_source_hosts: Annotated[SourceHosts, BeforeValidator(_source_hosts),
                                   variable("BATON_METRIC_SOURCE_HOSTS")]
    # The URL may carry a password.
    smtp_url: Annotated[str | None, BeforeValidator(_smtp_url),
                        variable("BATON_SMTP_URL", secret=True)]
    smtp_password: Annotated[str | None, variable("BATON_SMTP_PASSWORD", secret=True)]
    smtp_ca_file: Annotated[str | None, variable("BATON_SMTP_CA_FILE")]
    mail_from: Annotated[str, variable("BATON_MAIL_FROM")]
    timezone: Annotated[ZoneInfo, BeforeValidator(_timezone), variable("BATON_TIMEZONE")]
    digest: Annotated[Digest | None, BeforeValidator(_digest), variable("BATON_DIGEST")]
    digest_only: Annotated[bool, Flag, variable("BATON_DIGEST_ONLY")]
    actor: Annotated[str | None, variable("BATON_ACTOR")]
    answer_timeout: Annotated[float, BeforeValidator(_seconds), variable("BATON_ANSWER_TIMEOUT")]
    audit_database_url: Annotated[str | None, variable("BATON_AUDIT_DATABASE_URL")]
    temporal_api_key: Annotated[str | None, variable("TEMPORAL_API_KEY", secret=True)]
    # None: decided by the other TLS settings.
    temporal_tls: Annotated[bool | None, Flag, variable("TEMPORAL_TLS")]
    temporal_tls_client_cert: Annotated[Path | None, FilePath,
                                        variable("TEMPORAL_TLS_CLIENT_CERT_PATH")]
    temporal_tls_client_key: Annotated[Path | None, FilePath,
                                       variable("TEMPORAL_TLS_CLIENT_KEY_PATH")]
    temporal_tls_server_ca_cert: Annotated[Path | None, FilePath,
                                           variable("TEMPORAL_TLS_SERVER_CA_CERT_PATH")]
    temporal_tls_server_name: Annotated[str | None, variable("TEMPORAL_TLS_SERVER_NAME")]
    metrics_address: Annotated[str | None, ListenAddress, variable("BATON_METRICS_ADDRESS")]
    health_address: Annotated[str | None, ListenAddress, variable("BATON_HEALTH_ADDRESS")]
    otlp_endpoint: Annotated[str | None, variable("OTEL_EXPORTER_OTLP_ENDPOINT")]
    otel_service_name: Annotated[str, variable("OTEL_SERVICE_NAME")]
    web_host: Annotated[str, variable("BATON_WEB_HOST")]
    web_port: Annotated[int, Port, variable("BATON_WEB_PORT")]
    public_url: Annotated[str | None, BeforeValidator(_public_url), variable("BATON_PUBLIC_URL")]
    session_secret: Annotated[str | None, BeforeValidator(_session_secret),
                              variable("BATON_SESSION_SECRET", secret=True)]
    oidc_issuer: Annotated[str | None, variable("BATON_OIDC_ISSUER")]
    oidc_client_id: Annotated[str | None, variable("BATON_OIDC_CLIENT_ID")]
    oidc_client_secret: Annotated[str | None, variable("BATON_OIDC_CLIENT_SECRET", secret=True)]
    oidc_audience: Annotated[str | None, variable("BATON_OIDC_AUDIENCE")]
    oidc_person_claim: Annotated[str, variable("BATON_OIDC_PERSON_CLAIM")]
    oidc_groups_claim: Annotated[str, variable("BATON_OIDC_GROUPS_CLAIM")]
    oidc_pmo_group: Annotated[str | None, variable("BATON_OIDC_PMO_GROUP")]
    oidc_auditor_group: Annotated[str | None, variable("BATON_OIDC_AUDITOR_GROUP")]
    api_url: Annotated[str | None, variable("BATON_URL")]
    api_token: Annotated[str | None, variable("BATON_TOKEN", secret=True)]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The process's environment (or from_env's mapping), by each variable's exact name; no
        # .env file, no secrets directory: deployments set variables, the registry lists them.
        environ = _READ_FROM.get()
        return init_settings, EnvironmentSource(
            settings_cls, os.environ if environ is None else environ)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """The settings from `environ` alone, or a SettingsError naming each bad variable."""
        reading = _READ_FROM.set(environ)
        try:
            return cls()
        except ValidationError as error:
            raise SettingsError("; ".join(map(_reason, error.errors()))) from None
        finally:
            _READ_FROM.reset(reading)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"settings are read once: {name} cannot change")

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


def _reason(detail: ErrorDetails) -> str:
    """The validator's own sentence, which names the variable, without pydantic's prefix."""
    cause = detail.get("ctx", {}).get("error")
    if isinstance(cause, SettingsError):
        return str(cause)
    return f"{'.'.join(map(str, detail['loc']))}: {detail['msg']}"
