"""What the initiative page and My work show, from the app layer's answers alone: no request, no
server, so every state the rules can reach can be rendered and checked."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.initiative_page import InitiativePage
from app.work import WorkItem
from domain.benefits import annual_at_target
from domain.state import IdeaStatus

from .forms import page_forms
from .render import markup

IDEA_STATUSES = tuple(status.value for status in IdeaStatus)


@dataclass(frozen=True)
class SentForm:
    """A form the rules refused, shown again as the person filled it, each problem beside its
    field."""

    key: str
    typed: Mapping[str, str]
    problems: Mapping[str, str] = field(default_factory=dict)


def initiative_context(page: InitiativePage, *, sent: SentForm | None = None) -> dict[str, Any]:
    spec = page.state.require_spec()
    return {"i": page.initiative, "spec": spec, "annual_at_target": annual_at_target(spec),
            "chart": markup(page.chart), "timeline": page.timeline,
            "forms": page_forms(page.offers, page.state), "render_id": uuid.uuid4().hex,
            "signed_statement": page.signed_statement, "sent": sent,
            "may_audit": page.may_audit, "ideas_wanted": page.ideas_wanted,
            "ideas_next_after": page.ideas_next_after, "idea_statuses": IDEA_STATUSES}


def work_context(items: Iterable[WorkItem]) -> list[dict[str, Any]]:
    return [{"url": f"/initiatives/{item.initiative_id}#act", "title": item.title,
             "initiative_name": item.initiative_name,
             "kind_text": item.kind.value.replace("_", " "), "due_at": item.due_at,
             "overdue": item.overdue} for item in items]
