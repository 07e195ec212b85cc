"""`make demo`: two initiatives from examples/, driven end to end through the installed `baton`
command, as a PMO, sponsors, an expert, owners and the front line would type it.

One gain holds at every check; the other slips at its first check, gets a response plan and
recovers. The demo then prints the portfolio and verifies both audit trails. Everyone's e-mail
goes to a local SMTP sink; the demo counts what each person received and prints one message. It
runs its own stack in a temporary $BATON_HOME on free ports, so it neither needs nor disturbs a
running `baton up`, and stops everything it started.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devstack.ports import free_port
from devstack.smtp_sink import SmtpSink, smtp_sink

EXAMPLES = Path(os.path.relpath(Path(__file__).resolve().parent.parent / "examples"))
PMO, EXPERT = "pmo@acme.example", "belt@consult.example"
CFO, AP_LEAD, CLERK = "cfo@acme.example", "ap-lead@acme.example", "clerk-1@acme.example"
CLERK_2, CLERK_3 = "clerk-2@acme.example", "clerk-3@acme.example"
COO, WAREHOUSE_LEAD, PICKER = "coo@acme.example", "warehouse-lead@acme.example", "picker-7"
# Variables that would point the demo at someone else's servers or identity.
_FOREIGN = ("TEMPORAL_ADDRESS", "DATABASE_URL", "BATON_ACTOR", "BATON_TASK_QUEUE",
            "BATON_DB_SCHEMA", "BATON_HOME", "BATON_SMTP_URL", "BATON_SMTP_PASSWORD",
            "BATON_DIGEST", "BATON_DIGEST_ONLY", "BATON_WEBHOOK_URL", "BATON_URL", "BATON_TOKEN")
MAIL_SETTLES = 1.5  # seconds without a new message before the demo counts them


class DemoFailed(Exception):
    pass


class Demo:
    def __init__(self, home: Path, mail: SmtpSink) -> None:
        self.baton = Path(sys.executable).parent / "baton"
        self.mail = mail
        self.env = {key: value for key, value in os.environ.items() if key not in _FOREIGN}
        self.env.update(BATON_HOME=str(home), BATON_TEMPORAL_PORT=str(free_port()),
                        BATON_UI_PORT=str(free_port()), BATON_WEB_PORT=str(free_port()),
                        BATON_LOG_LEVEL="WARNING",
                        BATON_SMTP_URL=mail.url, BATON_MAIL_FROM="baton@acme.example")
        self._bold = sys.stdout.isatty()
        self.web_url = ""

    def say(self, text: str) -> None:
        print(f"\n{_bold(text) if self._bold else text}", flush=True)

    def run(self, *args: str, actor: str | None = None, expect: int = 0,
            token: str | None = None) -> str:
        """Run `baton ARGS --as ACTOR` (or, with `token`, through the HTTP API as the token's
        person), show it and what it printed; returns its stdout."""
        command = [*args, *(("--as", actor) if actor else ())]
        env = self.env
        if token is not None:
            env = {**env, "BATON_URL": self.web_url, "BATON_TOKEN": token}
        shown = "BATON_TOKEN=... baton" if token is not None else "baton"
        print(f"$ {shown} {' '.join(_quoted(a) for a in command)}", flush=True)
        done = subprocess.run([str(self.baton), *command], env=env, text=True,
                              capture_output=True, check=False)
        # Progress and notes (stderr) come before the result they lead to (stdout).
        for line in (done.stderr + done.stdout).rstrip().splitlines():
            print(f"  {line}", flush=True)
        if done.returncode != expect:
            raise DemoFailed(f"`baton {' '.join(command)}` exited {done.returncode}, "
                             f"expected {expect}")
        return done.stdout.strip()

    def json(self, *args: str) -> dict[str, Any]:
        """What `baton ARGS --json` answers, without showing it."""
        done = subprocess.run([str(self.baton), *args, "--json"], env=self.env, text=True,
                              capture_output=True, check=False)
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer

    def state(self, initiative_id: str) -> dict[str, Any]:
        return self.json("show", initiative_id)

    def until_check_due(self, initiative_id: str, number: int) -> None:
        check = self.state(initiative_id)["checks"][number - 1]
        wait = (datetime.fromisoformat(check["due_at"]) - datetime.now(UTC)).total_seconds()
        if wait > 0:
            print(f"  (waiting {wait:.1f} s for check {number} of {initiative_id} to fall due)",
                  flush=True)
            time.sleep(wait + 0.2)


def run_demo(demo: Demo) -> None:
    demo.say("1. Start Baton: embedded PostgreSQL, Temporal with its Web UI, a worker, the API")
    demo.run("up", "--detach")
    demo.web_url = demo.json("status")["web_url"]
    print(f"  the HTTP API: {demo.web_url}", flush=True)
    print(f"  the pages: {demo.web_url}/signin, signed in with a personal token: "
          "`baton token issue PERSON` prints one", flush=True)

    demo.say("2. The PMO launches two initiatives; each sponsor approves its launch")
    invoices = demo.run("launch", str(EXAMPLES / "sustains.yaml"), actor=PMO)
    picking = demo.run("launch", str(EXAMPLES / "regresses.yaml"), actor=PMO)
    demo.run("approve-launch", invoices, actor=PMO, expect=1)  # only the sponsor may
    demo.run("approve-launch", invoices, actor=CFO)
    demo.run("approve-launch", picking, actor=COO)

    demo.say("3. The expert delivers both improvements and hands them off")
    demo.run("deliver", invoices, "--value", "5.2", actor=EXPERT)
    demo.run("deliver", picking, "--value", "18.5", actor=EXPERT)
    demo.run("complete", invoices, "sop", "--evidence", "wiki/ap/sop-v3", actor=EXPERT)
    demo.run("complete", picking, "sop", "--evidence", "wiki/wh/pick-paths", actor=EXPERT)
    demo.run("complete", invoices, "control-plan", actor=AP_LEAD)
    demo.run("complete", invoices, "training", "--evidence", "LMS report 2031",
                actor=AP_LEAD)
    demo.run("complete", picking, "control-plan", actor=WAREHOUSE_LEAD)

    demo.say("4. The owners take accountability; the PMO reviews (and sends one back once)")
    demo.run("accept", invoices, actor=AP_LEAD)
    demo.run("accept", picking, actor=WAREHOUSE_LEAD)
    demo.run("review", invoices, "--approve", actor=PMO)
    demo.run("review", picking, "--send-back", "the control plan has no reaction rule",
                "--reopen", "control-plan", actor=PMO)
    demo.run("complete", picking, "control-plan", "--evidence", "control plan v2",
                actor=WAREHOUSE_LEAD)
    demo.run("accept", picking, actor=WAREHOUSE_LEAD)
    demo.run("review", picking, "--approve", actor=PMO)

    demo.say("5. The front line pulls: ideas, support, triaged by the owners. The clerk has a "
             "personal token and goes through the HTTP API, where the token says who acts")
    clerk = demo.run("token", "issue", CLERK).splitlines()[-1]
    print(f"  with it the clerk may also sign in at {demo.web_url}/signin and send ideas from "
          "a phone", flush=True)
    demo.run("idea", invoices, "Scan paper invoices at the mail room", actor=AP_LEAD,
             token=clerk, expect=2)  # --as is refused with a token
    invoice_idea = demo.run("idea", invoices, "Scan paper invoices at the mail room",
                            token=clerk)
    picking_idea = demo.run("idea", picking, "Put fast movers next to packing",
                               actor=PICKER)
    demo.run("front-line", invoices, "add", CLERK_3, actor=AP_LEAD)
    demo.run("support", invoices, invoice_idea, actor=CLERK_3)
    repeat = demo.run("idea", invoices, "Scan invoices when the post arrives", actor=CLERK_2)
    demo.run("triage", invoices, repeat, "--duplicate-of", invoice_idea, actor=AP_LEAD)
    demo.run("triage", invoices, invoice_idea, "--adopt", "--reason", "cheap, and two asked",
             actor=AP_LEAD)
    demo.run("triage", picking, picking_idea, "--decline", "slotting is reviewed in Q3",
                actor=WAREHOUSE_LEAD)

    demo.say("6. First checks: the invoice gain holds; picking time slips back")
    demo.until_check_due(invoices, 1)
    demo.run("reading", invoices, "5.1", actor=AP_LEAD)
    demo.until_check_due(picking, 1)
    demo.run("reading", picking, "27", actor=WAREHOUSE_LEAD)

    demo.say("7. The warehouse owner answers the regression, and the gain comes back")
    demo.run("respond", picking, "--plan", "retrain the night shift on the pick paths",
                "--within", "1h", actor=WAREHOUSE_LEAD)
    demo.run("reading", picking, "18.2", actor=WAREHOUSE_LEAD)
    demo.run("idea-delivered", invoices, invoice_idea, actor=AP_LEAD)

    demo.say("8. Last checks: both gains hold, both initiatives close as sustained")
    demo.until_check_due(invoices, 2)
    demo.run("reading", invoices, "5.0", actor=AP_LEAD)
    demo.until_check_due(picking, 2)
    demo.run("reading", picking, "18.4", actor=WAREHOUSE_LEAD)
    demo.run("show", picking)

    demo.say("9. The portfolio, as the PMO sees it: claimed, verified and lost benefit, pull")
    demo.run("list")
    demo.run("portfolio")

    demo.say("10. The auditor verifies that neither history was altered")
    demo.run("verify", invoices, picking)

    demo.say("11. The e-mail everyone received (a local SMTP sink stood in for the mail server)")
    show_mail(demo.mail, example_to=WAREHOUSE_LEAD, others=[PICKER])


def show_mail(mail: SmtpSink, example_to: str, others: list[str]) -> None:
    settled, seen = time.monotonic(), -1
    while time.monotonic() - settled < MAIL_SETTLES:
        if len(mail.received) != seen:
            seen, settled = len(mail.received), time.monotonic()
        time.sleep(0.1)
    for person, count in sorted(mail.counts().items()):
        print(f"  {person:32} {count:3} message{'' if count == 1 else 's'}", flush=True)
    for person in others:
        print(f"  {person:32}   0 (not an e-mail address: logged as undeliverable)")
    sent_back = next(r for r in mail.to(example_to) if "sent back" in str(r.message["Subject"]))
    print("\n  One of them, as the server received it (headers and text part):\n")
    for name, value in sent_back.message.items():
        if name.lower() not in ("content-type", "mime-version", "content-transfer-encoding"):
            print(f"  {name}: {value}")
    for line in sent_back.text().splitlines():
        print(f"  | {line}")
    print(f"  (and the same as HTML, {len(sent_back.html())} characters)", flush=True)


def main() -> int:
    begun = time.monotonic()
    home = Path(tempfile.mkdtemp(prefix="baton-demo-"))
    with smtp_sink() as mail:
        demo = Demo(home, mail)
        try:
            run_demo(demo)
        except (DemoFailed, subprocess.CalledProcessError) as error:
            print(f"\ndemo failed: {error} (log: {home / 'up.log'})", file=sys.stderr)
            return 1
        finally:
            demo.say("12. Stop what the demo started")
            demo.run("down")
    shutil.rmtree(home, ignore_errors=True)
    print(f"\ndemo finished in {time.monotonic() - begun:.0f} s", flush=True)
    return 0


def _quoted(argument: str) -> str:
    return f"'{argument}'" if any(c.isspace() for c in argument) else argument


def _bold(text: str) -> str:
    return f"\033[1m{text}\033[0m"


if __name__ == "__main__":
    sys.exit(main())
