"""`baton correct-reading` and the answers around readings, as an owner types them."""

from __future__ import annotations

from pathlib import Path

from tests.domain.builders import OWNER

from .runner import Baton, write_spec
from .test_lifecycle import until


async def test_a_mistyped_reading_is_corrected_and_judged_again(baton: Baton,
                                                                tmp_path: Path) -> None:
    # Check 1 falls due 4 s after the review: time for a reading before it.
    spec = write_spec(tmp_path, sustainment={"checks": ["4s", "1h"], "tolerance": 0.8,
                                             "response_within": "1h"})
    iid = await baton.handed_over(spec)
    interim = await baton.ok("reading", iid, "5.1", actor=OWNER)
    assert "recorded as an interim reading" in interim.stdout
    await until(baton, iid, "s['deadlines'][0]['what'] != 'check 1 falls due'")
    typo = await baton.ok("reading", iid, "50", actor=OWNER)
    assert "regression detected" in typo.stdout and "now regressed" in typo.stdout
    fixed = await baton.ok("correct-reading", iid, "5.0", "--reason", "typed 50 for 5.0",
                           actor=OWNER)
    assert "reading 50 corrected to 5 (typed 50 for 5.0), check 1 passed" in fixed.stdout
    assert "now sustaining" in fixed.stdout
    shown = (await baton.ok("show", iid, "--json")).json
    assert shown["checks"][0]["reading"] == 5.0 and shown["phase"] == "sustaining"


async def test_a_correction_that_cannot_be_made_is_refused(baton: Baton, spec: Path) -> None:
    iid = await baton.handed_over(spec)
    refused = await baton("correct-reading", iid, "5", "--reason", "x", actor=OWNER)
    assert refused.code == 1
    assert "no sustainment reading to correct yet" in refused.error_line
    bad = await baton("correct-reading", iid, "5", "--reason", "a\x1bb", actor=OWNER)
    assert bad.code == 2 and "--reason: may hold line breaks but not an escape" in (
        bad.error_line)
