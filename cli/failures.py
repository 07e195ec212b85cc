"""Turning what the use cases refuse into the one line and exit code a person gets."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping

from cli.errors import CliError, ExitCode

Names = Mapping[str, str] | Callable[[str], str]
# Arguments every command spells otherwise than `--field-name`.
_COMMON_OPTIONS = {"actor": "--as"}


def option_name(field: str) -> str:
    return _COMMON_OPTIONS.get(field) or f"--{field.replace('_', '-')}"


def translate(error: BaseException, names: Names | None = None) -> CliError | None:
    """The CliError for a failure of the layers below, or None for a bug. `names` say how the
    command spells an argument the use case names (default: `--field-name`).

    Only modules the command already loaded are consulted: a refusal cannot come from a module
    that was never imported, and importing one now would only slow the error down.
    """
    if isinstance(error, CliError):
        return error
    errors = sys.modules.get("app.errors")
    if errors is None or not isinstance(error, errors.Rejected):
        return None
    code = ExitCode(errors.answer_to(error).exit_code)  # the kind decides, as for every door
    if isinstance(error, errors.InvalidArgument):
        return CliError(f"{_spelled(error.field, names)}: {error.problem}", code)
    if isinstance(error, errors.Unconfirmed):
        return CliError(f"{error.reason}; send it again with --request-id {error.request_id} "
                        "to learn whether it was recorded (it is recorded at most once)", code,
                        details={"request_id": error.request_id})
    return CliError(error.reason, code)


def _spelled(field: str, names: Names | None) -> str:
    if names is None:
        return option_name(field)
    if callable(names):
        return names(field)
    return names.get(field, option_name(field))
