"""Baton's runtime settings, read once from the environment.

`ENVIRONMENT_VARIABLES` is the single source for every variable's name, default and
meaning: `Settings.from_env` takes its defaults from it, and the README and tests check
their lists against it, so a new variable cannot go undocumented.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

LogFormat = Literal["json", "console"]
LOG_FORMATS: tuple[LogFormat, ...] = ("json", "console")


class EnvironmentVariable(NamedTuple):
    name: str
    default: str | None  # None: unset unless the operator sets it
    meaning: str


ENVIRONMENT_VARIABLES: tuple[EnvironmentVariable, ...] = (
    EnvironmentVariable(
        "BATON_HOME",
        ".baton",
        "Directory for local state: the embedded PostgreSQL and Temporal data and logs.",
    ),
    EnvironmentVariable(
        "TEMPORAL_ADDRESS",
        None,
        "host:port of an existing Temporal frontend; unset runs the embedded dev server.",
    ),
    EnvironmentVariable("TEMPORAL_NAMESPACE", "default", "Temporal namespace for all workflows."),
    EnvironmentVariable("BATON_TASK_QUEUE", "baton", "Task queue the Baton worker polls."),
    EnvironmentVariable(
        "DATABASE_URL",
        None,
        "PostgreSQL DSN of the event store; unset runs an embedded PostgreSQL under BATON_HOME.",
    ),
    EnvironmentVariable("BATON_DB_SCHEMA", "baton", "PostgreSQL schema holding Baton's tables."),
    EnvironmentVariable("BATON_LOG_FORMAT", "console", "Log output: 'json' lines or 'console'."),
    EnvironmentVariable("BATON_LOG_LEVEL", "INFO", "Minimum log level (DEBUG, INFO, WARNING...)."),
    EnvironmentVariable(
        "BATON_TEMPORAL_PORT",
        "7233",
        "Port of the embedded Temporal frontend that `baton up` starts (127.0.0.1 only).",
    ),
    EnvironmentVariable(
        "BATON_UI_PORT",
        "8233",
        "Port of the embedded Temporal Web UI (127.0.0.1 only).",
    ),
    EnvironmentVariable(
        "BATON_WEBHOOK_URL",
        None,
        "URL that receives notification POSTs; unset sends none.",
    ),
    EnvironmentVariable(
        "BATON_ACTOR",
        None,
        "Actor recorded by CLI commands that are not given --as ACTOR.",
    ),
    EnvironmentVariable(
        "BATON_AUDIT_DATABASE_URL",
        None,
        "PostgreSQL DSN (a read-only role) for audit commands; unset: the main database.",
    ),
)

_DEFAULTS = {variable.name: variable.default for variable in ENVIRONMENT_VARIABLES}

# The schema name is spliced into SQL as an identifier, so only plain identifiers pass.
_SQL_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


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
    actor: str | None
    audit_database_url: str | None

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
            actor=read("BATON_ACTOR"),
            audit_database_url=read("BATON_AUDIT_DATABASE_URL"),
        )

    @property
    def postgres_dir(self) -> Path:
        return self.home / "postgres"

    @property
    def temporal_dir(self) -> Path:
        return self.home / "temporal"


def _schema(value: str) -> str:
    if not _SQL_IDENTIFIER.fullmatch(value):
        raise SettingsError(
            f"BATON_DB_SCHEMA must be a plain SQL identifier (letters, digits, _), got {value!r}"
        )
    return value


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


def _port(name: str, value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise SettingsError(f"{name} must be a TCP port number (1-65535), got {value!r}")
    return port
