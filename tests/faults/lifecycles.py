"""Initiatives that finish on their own once handed over, driven by many clients at once, with a
ledger of what each client was told had been recorded."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from domain import InitiativeSpec
from domain import commands as c
from domain.envelope import Event
from tests.domain.builders import CLERK, OWNER, PMO, spec_data
from tests.workflows.scenario import HANDOFF, quick_spec
from workflows.client import InitiativeClient
from workflows.contracts import InitiativeView

# What one unattended lifecycle records, whatever the order its timers fire in.
UNATTENDED_RECORD = Counter({
    "InitiativeLaunched": 1, "LaunchApproved": 1, "ImprovementDelivered": 1,
    "StepCompleted": 2, "OwnershipAccepted": 1, "ReviewApproved": 1, "ExpertOnCallEnded": 1,
    "CheckDue": 2, "ReadingRecorded": 2, "CheckPassed": 2, "Sustained": 1,
})


def unattended_spec(metric_url: str, **overrides: Any) -> InitiativeSpec:
    """Checks at 1 s and 2 s read a source (`serve_metric`) that shows the gain held, so an
    initiative handed over closes `sustained` by itself a few seconds later."""
    metric = {**spec_data()["metric"], "source": {"url": metric_url, "field": "data.value"}}
    return quick_spec(metric=metric, **overrides)


def ideas_adopted(count: int) -> tuple[tuple[c.AnyCommand, ...], Counter[str]]:
    """`count` ideas submitted and adopted, and what they record: updates to spread through a
    lifecycle (after the launch is approved and before it closes)."""
    commands = tuple(command for n in range(1, count + 1) for command in (
        c.SubmitIdea(actor=CLERK, text=f"idea {n}"),
        c.TriageIdea(actor=OWNER, idea_id=f"idea-{n}", adopt=True)))
    return commands, Counter({"IdeaSubmitted": count, "IdeaAdopted": count})


@dataclass
class Ledger:
    """What clients were told: the events each accepted command returned, and how long each
    command took from the client's call to its answer."""

    acknowledged: dict[str, list[Event]] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    finished: dict[str, InitiativeView] = field(default_factory=dict)

    async def send(self, initiatives: InitiativeClient, initiative_id: str,
                   command: c.AnyCommand) -> list[Event]:
        started = time.perf_counter()
        events = await initiatives.send(initiative_id, command)
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.acknowledged.setdefault(initiative_id, []).extend(events)
        return events

    async def send_each(self, initiatives: InitiativeClient, initiative_id: str,
                        commands: tuple[c.AnyCommand, ...]) -> None:
        for command in commands:
            await self.send(initiatives, initiative_id, command)

    async def launch(self, initiatives: InitiativeClient, spec: InitiativeSpec) -> str:
        iid = await initiatives.launch(spec, PMO)
        self.acknowledged[iid] = []
        return iid

    async def finish(self, initiatives: InitiativeClient, initiative_id: str) -> InitiativeView:
        """Wait for the workflow to close, and keep what it ended with."""
        self.finished[initiative_id] = await initiatives.handle(initiative_id).result()
        return self.finished[initiative_id]

    async def run_lifecycle(self, initiatives: InitiativeClient, spec: InitiativeSpec,
                            commands: tuple[c.AnyCommand, ...] = HANDOFF) -> str:
        """Launch, send `commands` in turn, and wait for the workflow to close."""
        iid = await self.launch(initiatives, spec)
        await self.send_each(initiatives, iid, commands)
        await self.finish(initiatives, iid)
        return iid
