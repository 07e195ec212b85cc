"""Who is told what, event by event: the pure part of the announcements, without servers."""

from __future__ import annotations

from domain import commands as c
from tests.domain.builders import EXPERT, OWNER, PMO, SPONSOR, Timeline, make_spec
from workflows.announcements import announcements_for

NEW_OWNER = "ap-2@acme.example"


def told(t: Timeline, command: c.AnyCommand) -> list[tuple[list[str], str]]:
    events = t.run(command)
    return [(n.to, n.subject) for n in announcements_for(t.state, events)]


def test_a_new_owner_is_told_and_asked_to_accept_during_the_handoff() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    t.run(c.ApproveLaunch(actor=SPONSOR))
    t.run(c.DeliverImprovement(actor=EXPERT, value=5.2))
    events = t.run(c.ReassignOwner(actor=PMO, owner=NEW_OWNER))
    [notice] = announcements_for(t.state, events)
    assert notice.to == [NEW_OWNER] and "Accept ownership" in notice.message
    assert OWNER in notice.message


def test_events_the_announcements_do_not_describe_keep_their_older_notice() -> None:
    t = Timeline()
    t.run(c.Launch(actor=PMO, spec=make_spec()))
    assert told(t, c.FlagStuck(actor=c.SYSTEM_ACTOR, reason="the store refused it",
                               command="{}")) == [([PMO], "")]
    assert told(t, c.RecordUndelivered(actor=c.SYSTEM_ACTOR, notification_id="n", to=SPONSOR,
                                       reason="550")) == []
