from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from workers.environment import ENVIRONMENT_VARIABLES
from workers.settings import Settings, SettingsError


class RecordingEnviron(Mapping[str, str]):
    """An empty environment that remembers which variables were asked for."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_defaults_when_nothing_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    settings = Settings.from_env({})

    assert settings.home == tmp_path / ".baton"
    assert settings.postgres_dir == tmp_path / ".baton" / "postgres"
    assert settings.temporal_dir == tmp_path / ".baton" / "temporal"
    assert settings.temporal_address is None
    assert settings.temporal_namespace == "default"
    assert settings.task_queue == "baton"
    assert settings.database_url is None
    assert settings.db_schema == "baton"
    assert settings.log_format == "console"
    assert settings.log_level == "INFO"
    assert settings.ui_port == 8233
    assert settings.webhook_url is None
    assert settings.actor is None
    assert settings.audit_database_url is None


def test_every_variable_is_read_and_documented() -> None:
    environ = RecordingEnviron()

    Settings.from_env(environ)

    assert environ.asked == {variable.name for variable in ENVIRONMENT_VARIABLES}
    assert all(variable.meaning.strip() for variable in ENVIRONMENT_VARIABLES)


def test_values_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "BATON_HOME": str(tmp_path / "state"),
            "TEMPORAL_ADDRESS": "temporal.internal:7233",
            "TEMPORAL_NAMESPACE": "ops",
            "BATON_TASK_QUEUE": "handoffs",
            "DATABASE_URL": "postgresql://baton@db/baton",
            "BATON_DB_SCHEMA": "baton_test",
            "BATON_LOG_FORMAT": "JSON",
            "BATON_LOG_LEVEL": "debug",
            "BATON_UI_PORT": "9233",
            "BATON_WEBHOOK_URL": "https://hooks.example/baton",
            "BATON_ACTOR": "jane.doe",
            "BATON_AUDIT_DATABASE_URL": "postgresql://audit@db/audit",
        }
    )

    assert settings.home == tmp_path / "state"
    assert settings.temporal_address == "temporal.internal:7233"
    assert settings.temporal_namespace == "ops"
    assert settings.task_queue == "handoffs"
    assert settings.database_url == "postgresql://baton@db/baton"
    assert settings.db_schema == "baton_test"
    assert settings.log_format == "json"
    assert settings.log_level == "DEBUG"
    assert settings.ui_port == 9233
    assert settings.webhook_url == "https://hooks.example/baton"
    assert settings.actor == "jane.doe"
    assert settings.audit_database_url == "postgresql://audit@db/audit"


def test_empty_values_count_as_unset() -> None:
    settings = Settings.from_env({"TEMPORAL_ADDRESS": "", "BATON_TASK_QUEUE": "  "})

    assert settings.temporal_address is None
    assert settings.task_queue == "baton"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BATON_LOG_FORMAT", "xml"),
        ("BATON_LOG_LEVEL", "chatty"),
        ("BATON_UI_PORT", "eighty"),
        ("BATON_UI_PORT", "70000"),
        ("BATON_DB_SCHEMA", "baton; drop table events"),
        ("BATON_DB_SCHEMA", "Baton"),  # the store's rule: lowercase only
    ],
)
def test_invalid_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})

    with pytest.raises(AttributeError):
        settings.task_queue = "other"  # type: ignore[misc]


def test_each_field_is_described_by_its_variable() -> None:
    described = {(field.validation_alias, field.description)
                 for field in Settings.model_fields.values()}

    assert described == {(variable.name, variable.meaning) for variable in ENVIRONMENT_VARIABLES}


def test_values_are_trimmed_and_unknown_variables_ignored() -> None:
    settings = Settings.from_env({"BATON_WEB_PORT": " 9000 ", "BATON_NO_SUCH_SETTING": "x"})

    assert settings.web_port == 9000


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BATON_DIGEST_ONLY", "y"),  # pydantic's own booleans take more spellings than Baton
        ("TEMPORAL_TLS", "t"),
        ("BATON_WEB_PORT", "80.0"),
        ("BATON_ANSWER_TIMEOUT", "nan"),
        ("BATON_ANSWER_TIMEOUT", "0"),
        ("BATON_METRICS_ADDRESS", "metrics.internal:9464"),
    ],
)
def test_values_pydantic_would_take_are_refused_as_before(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} must be .*, got {value!r}$"):
        Settings.from_env({name: value})


def test_every_bad_variable_is_named_on_one_line() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"BATON_LOG_FORMAT": "xml", "BATON_WEB_PORT": "eighty"})

    assert "\n" not in str(refused.value)
    assert "BATON_LOG_FORMAT" in str(refused.value) and "BATON_WEB_PORT" in str(refused.value)


def test_a_mapping_is_read_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_TASK_QUEUE", "from-the-process")

    assert Settings.from_env({}).task_queue == "baton"
    assert Settings.from_env().task_queue == "from-the-process"
    assert Settings().task_queue == "from-the-process"
