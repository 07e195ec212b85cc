"""The PMO's pages: the portfolio with its charts, bottlenecks and CSV downloads, and Launch."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from app.errors import Rejected
from app.menu import menu
from app.portfolio_page import LIST_ROWS, PortfolioFilter, PortfolioPage, portfolio_page
from domain.formatting import percent
from domain.portfolio import CommitmentTally

from .bars import Bar, bar_chart
from .base import PageDeps
from .render import SECURITY_HEADERS

RELIABILITY_BARS = 15
FILTERS = ("phase", "pmo", "sponsor", "owner")


def _filter(request: Request) -> PortfolioFilter:
    return PortfolioFilter(**{name: request.query_params.get(name) or None for name in FILTERS})


def _query(where: PortfolioFilter) -> str:
    chosen = {name: value for name, value in where.model_dump().items() if value}
    return f"?{urlencode(chosen)}" if chosen else ""


def _charts(page: PortfolioPage) -> dict[str, Any]:
    f = page.figures
    gain, pull = f.sustained_gain, f.pull
    phases = bar_chart("phase-chart", "Initiatives by phase", [
        Bar(name.replace("_", " "), count, str(count), alert=name in ("regressed",
                                                                        "closed_regressed"))
        for name, count in f.by_phase.items()])
    outcome = bar_chart("outcome-chart", "Sustained-gain rate and idea adoption", [
        Bar("sustained-gain rate", gain.rate or 0.0, percent(gain.rate)),
        Bar("ideas adopted (of triaged)", pull.adoption_rate or 0.0, percent(pull.adoption_rate)),
        Bar("adopted ideas delivered", pull.adopted_delivered / pull.adopted if pull.adopted
            else 0.0, f"{pull.adopted_delivered} of {pull.adopted}"),
    ], scale_to=1.0)
    least_reliable = sorted(f.reliability, key=lambda r: (r.rate is None, r.rate or 0.0))
    reliability = bar_chart("reliability-chart", "Commitments delivered on time, per person", [
        Bar(r.person, r.rate or 0.0, percent(r.rate), alert=(r.rate or 0.0) < 0.8)
        for r in least_reliable[:RELIABILITY_BARS]], scale_to=1.0)
    return {"phase_chart": phases, "outcome_chart": outcome, "reliability_chart": reliability}


def portfolio_context(page: PortfolioPage, where: PortfolioFilter) -> dict[str, Any]:
    """Everything the portfolio page shows, from the app layer's answer alone."""
    return dict(
        section="portfolio", f=page.figures, row_count=page.row_count,
        overdue_count=page.overdue_count,
        shown=page.rows[:LIST_ROWS],
        overdue_longest=page.overdue_longest, quiet=page.quiet, choices=page.choices,
        where=where.model_dump(), filtered=bool(_query(where)), query=_query(where),
        **_charts(page))


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell that starts like a formula: such text is kept as text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_csv_cell(cell) for cell in row] for row in rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        **SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})


def pmo_pages(deps: PageDeps) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    pages = deps.pages

    async def figures(request: Request, rows: int | None = LIST_ROWS,
                      ) -> tuple[PortfolioFilter, PortfolioPage | Response]:
        person = deps.person(request)
        where = _filter(request)
        try:
            return where, await portfolio_page(deps.context(request), where, person.viewer,
                                               rows=rows)
        except Rejected as rejected:
            return where, deps.refused(request, rejected)

    @router.get("/portfolio")
    async def portfolio(request: Request) -> Response:
        where, page = await figures(request)
        if isinstance(page, Response):
            return page
        links = await menu(deps.context(request), deps.person(request))
        return pages.html(request, "portfolio.html", menu=links,
                          **portfolio_context(page, where))

    @router.get("/portfolio/initiatives.csv")
    async def initiatives_csv(request: Request) -> Response:
        _, page = await figures(request, rows=None)
        if isinstance(page, Response):
            return page
        return csv_response("initiatives.csv", (
            "initiative_id", "name", "phase", "owner", "sponsor", "pmo", "updated_at",
            "next_due_at", "overdue"), ((
                r.initiative_id, r.name, r.phase, r.owner, r.sponsor, r.pmo,
                r.updated_at.isoformat() if r.updated_at else "",
                r.next_due_at.isoformat() if r.next_due_at else "",
                r.overdue(page.figures.as_of)) for r in page.rows))

    @router.get("/portfolio/reliability.csv")
    async def reliability_csv(request: Request) -> Response:
        _, page = await figures(request, rows=0)
        if isinstance(page, Response):
            return page
        others = page.figures.reliability_of_others
        # Whose own figure the reader may not see is counted in one line, never named.
        lines: list[tuple[str, CommitmentTally]] = [
            (r.person, r) for r in page.figures.reliability] + (
            [] if others is None else [(f"{others.people} other(s), together", others)])
        return csv_response("reliability.csv", (
            "person", "on_time", "late", "overdue", "not_yet_due", "reliability"), ((
                who, r.on_time, r.late, r.overdue, r.open,
                "" if r.rate is None else f"{r.rate:.4f}") for who, r in lines))

    return router
