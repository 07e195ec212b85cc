"""Which PostgreSQL installation the TLS-only server is started from, and what a machine without
one is told: no server is started here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.topology import system_postgres as module
from tests.topology.system_postgres import (
    MISSING_SERVER,
    SystemPostgresMissing,
    find_server_binaries,
    server_binaries_or_skip,
    system_postgres,
)


def test_highest_installed_version_is_chosen(tmp_path: Path) -> None:
    for version in ("9.6", "15", "16", "17"):
        bin_dir = tmp_path / version / "bin"
        bin_dir.mkdir(parents=True)
        programs = module.SERVER_PROGRAMS if version != "17" else ("pg_ctl",)  # client-only
        for program in programs:
            (bin_dir / program).touch(mode=0o755)
    assert find_server_binaries(tmp_path) == tmp_path / "16" / "bin"
    assert find_server_binaries(tmp_path / "absent") is None


def test_missing_server_skips_outside_ci_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(module, "find_server_binaries", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=MISSING_SERVER):
        server_binaries_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run"):
        server_binaries_or_skip()
    with pytest.raises(SystemPostgresMissing, match="apt-get install postgresql"), \
            system_postgres():
        pass
