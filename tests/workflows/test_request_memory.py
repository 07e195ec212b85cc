"""What the workflow remembers of the requests it answered: keyed by sender and id, checked by
fingerprint, and bounded in count and age, so continue-as-new carries a fixed-size record."""

from __future__ import annotations

import uuid
from datetime import timedelta

from domain import commands as c
from domain.envelope import Event
from tests.domain.builders import CLERK, OWNER, START
from workflows.contracts import InitiativeInput
from workflows.requests import (
    REQUEST_MEMORY_AGE,
    REQUESTS_REMEMBERED,
    RequestMemory,
    Seen,
    command_fingerprint,
    request_key,
)


def events_at(*versions: int) -> list[Event]:
    return [Event(event_id=uuid.UUID(int=v), initiative_id="i", sequence=v, schema_version=1,
                  type="IdeaSubmitted", actor=CLERK, occurred_at=START,
                  payload={"idea_id": f"idea-{v}", "text": "x" * 4000}) for v in versions]


IDEA = c.SubmitIdea(actor=CLERK, text="pre-fill vendor ids")


def test_one_persons_id_never_answers_another_persons_request() -> None:
    memory = RequestMemory([], {}, START)
    memory.remember(request_key(CLERK, "accept-1"), command_fingerprint(IDEA), events_at(3), START)

    owner_accepts = c.AcceptOwnership(actor=OWNER)
    assert memory.lookup(request_key(OWNER, "accept-1"), "accept-1",
                         command_fingerprint(owner_accepts)).seen is Seen.NEW
    assert request_key(OWNER, "accept-1") != request_key(CLERK, "accept-1")


def test_a_retry_must_repeat_the_command_it_retries() -> None:
    memory = RequestMemory([], {}, START)
    key = request_key(CLERK, "k")
    memory.remember(key, command_fingerprint(IDEA), events_at(3), START)

    same = memory.lookup(key, "k", command_fingerprint(IDEA))
    assert same.seen is Seen.SAME and same.events == events_at(3)
    other_text = c.SubmitIdea(actor=CLERK, text="PRE-FILL VENDOR IDS")
    assert memory.lookup(key, "k", command_fingerprint(other_text)).seen is Seen.OTHER
    support = c.SupportIdea(actor=CLERK, idea_id="idea-1")
    assert memory.lookup(key, "k", command_fingerprint(support)).seen is Seen.OTHER


def test_the_carried_record_is_bounded_in_count_and_age_and_holds_no_events() -> None:
    memory = RequestMemory([], {}, START)
    for n in range(REQUESTS_REMEMBERED + 50):
        memory.remember(request_key(CLERK, f"r{n}"), "f", events_at(n + 1),
                        START + timedelta(seconds=n))
    now = START + timedelta(seconds=REQUESTS_REMEMBERED + 50)
    carried = memory.carried(now)
    assert len(carried) == REQUESTS_REMEMBERED
    assert carried[0].key == request_key(CLERK, "r50")  # the oldest went first
    carried_input = InitiativeInput(initiative_id="i", requests=carried).model_dump_json()
    assert "xxxx" not in carried_input and len(carried_input) < 200 * REQUESTS_REMEMBERED

    newest = START + timedelta(seconds=REQUESTS_REMEMBERED + 49)
    later = memory.carried(newest + REQUEST_MEMORY_AGE)
    assert [r.key for r in later] == [request_key(CLERK, f"r{REQUESTS_REMEMBERED + 49}")]


def test_a_record_carried_from_an_earlier_run_names_the_versions_to_read_back() -> None:
    first = RequestMemory([], {}, START)
    key = request_key(CLERK, "k")
    first.remember(key, command_fingerprint(IDEA), events_at(4, 5), START)
    carried = first.carried(START)

    found = RequestMemory(carried, {}, START).lookup(key, "k", command_fingerprint(IDEA))
    assert found.seen is Seen.SAME and found.events is None and found.versions == (4, 5)


def test_requests_carried_by_runs_begun_earlier_are_answered_by_their_raw_id() -> None:
    memory = RequestMemory([], {"idea-0": events_at(7)}, START)

    found = memory.lookup(request_key(CLERK, "idea-0"), "idea-0", command_fingerprint(IDEA))
    assert found.seen is Seen.SAME and found.events == events_at(7)
    # A raw id shaped like a key names nothing of anyone else's.
    forged = request_key(OWNER, "x")
    assert memory.lookup(request_key(CLERK, forged), forged, "f").seen is Seen.NEW
