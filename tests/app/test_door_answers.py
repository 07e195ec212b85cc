"""One map from a refusal's kind to what each door answers: the API's status, the pages' status
and the CLI's exit code all come from `app.errors.DOOR_ANSWERS`."""

from __future__ import annotations

import pytest

from app.errors import DOOR_ANSWERS, Rejected, RejectionKind, Unconfirmed
from cli.errors import ExitCode
from cli.failures import translate
from web.pages.base import status_of
from web.problems import problem_of_rejection


def test_every_kind_has_a_status_and_an_exit_code() -> None:
    assert set(DOOR_ANSWERS) == set(RejectionKind)
    for answer in DOOR_ANSWERS.values():
        assert 400 <= answer.http_status < 600
        assert ExitCode(answer.exit_code) not in (ExitCode.OK, ExitCode.INTERNAL)


def test_a_status_means_one_exit_code_whichever_kind_gave_it() -> None:
    """The CLI in the people's mode sees only the API's status: it must tell the exit code."""
    codes: dict[int, set[int]] = {}
    for answer in DOOR_ANSWERS.values():
        codes.setdefault(answer.http_status, set()).add(answer.exit_code)
    assert all(len(exits) == 1 for exits in codes.values()), codes


@pytest.mark.parametrize("kind", list(RejectionKind))
def test_the_api_the_pages_and_the_cli_answer_a_kind_alike(kind: RejectionKind) -> None:
    refused = Rejected("no", kind)
    answer = DOOR_ANSWERS[kind]
    assert problem_of_rejection(refused).status == answer.http_status
    assert status_of(refused) == answer.http_status
    failure = translate(refused)
    assert failure is not None and failure.code == answer.exit_code


def test_the_documented_answers_stand() -> None:
    statuses = {kind: answer.http_status for kind, answer in DOOR_ANSWERS.items()}
    assert statuses == {RejectionKind.FORBIDDEN: 403, RejectionKind.CONFLICT: 409,
                        RejectionKind.CLOSED: 409, RejectionKind.INVALID: 422,
                        RejectionKind.NOT_FOUND: 404, RejectionKind.UNAVAILABLE: 503}
    unconfirmed = translate(Unconfirmed("no worker confirmed it", "rid-1"))
    assert unconfirmed is not None and int(unconfirmed.code) == 3
    assert problem_of_rejection(Unconfirmed("no worker", "rid-1")).headers["Retry-After"]
