"""The portfolio page's figures, filtered by phase, PMO, sponsor and owner, with its bottleneck
view, from the read model.

Folding ten thousand states and judging all their commitments takes seconds; what one initiative
adds to the figures changes only with its version, though (`domain.portfolio.entry_figures`), so
this process keeps that per (initiative, version) and, on each request, reads only the versions
and the rows that moved. The figures for one filter are kept too, until something moves or the
clock passes the next moment a pending commitment falls due (the only way time changes them).
"""

from __future__ import annotations

import asyncio
import bisect
import weakref
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import attrgetter

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from audit.collector import paced_for_loading
from domain.commitments import Commitment
from domain.portfolio import (
    EntryFigures,
    Portfolio,
    PortfolioEntry,
    as_seen_by,
    combine,
    entry_figures,
)
from domain.state import OPEN_PHASES
from domain.visibility import THE_OPERATOR, PortfolioShare, Viewer, may_see

QUIET_AFTER = timedelta(days=30)
FILTERS = ("phase", "pmo", "sponsor", "owner")
RESORT_FROM = 64  # initiatives moved at once: past this, sorting them all afresh is quicker
LOADED_FROM = 1_000  # initiatives in a first reading: from this many, paced and frozen
BOTTLENECK_ROWS = 10


class PortfolioFilter(BaseModel):
    model_config = ConfigDict(frozen=True)
    phase: str | None = None
    pmo: str | None = None
    sponsor: str | None = None
    owner: str | None = None


class PortfolioRow(BaseModel):
    model_config = ConfigDict(frozen=True)
    initiative_id: str
    name: str
    phase: str
    pmo: str
    sponsor: str
    owner: str
    updated_at: datetime | None
    next_due_at: datetime | None

    def overdue(self, now: datetime) -> bool:
        return self.next_due_at is not None and self.next_due_at < now


@dataclass(frozen=True)
class PortfolioPage:
    figures: Portfolio
    rows: list[PortfolioRow]  # the filtered initiatives, newest change first
    overdue_longest: list[Commitment]
    quiet: list[PortfolioRow]  # open, and no event for QUIET_AFTER: oldest first
    choices: dict[str, list[str]]  # the values each filter can take


class SubmittedIdea(BaseModel):
    model_config = ConfigDict(frozen=True)
    initiative_id: str
    initiative_name: str
    idea_id: str
    submitted_by: str
    text: str
    submitted_at: datetime
    status: str  # pending | adopted | declined | delivered
    reason: str


@dataclass(frozen=True, eq=False)  # one per (initiative, version): identity is equality
class Kept:
    """What this process keeps of one initiative's read-model row, for as long as its version
    stays."""

    version: int
    figures: EntryFigures
    row: PortfolioRow
    ideas: tuple[SubmittedIdea, ...]

    @property
    def newest_first(self) -> float:
        return -(self.row.updated_at or _EPOCH).timestamp()


def _kept(entry: PortfolioEntry, version: int) -> Kept:
    state = entry.state
    spec = state.require_spec()
    figures = entry_figures(entry)
    return Kept(
        version=version, figures=figures,
        row=PortfolioRow(
            initiative_id=state.initiative_id, name=spec.name, phase=state.phase.value,
            pmo=spec.pmo, sponsor=spec.sponsor, owner=state.owner, updated_at=state.updated_at,
            next_due_at=min((c.due_at for c in figures.pending), default=None)),
        ideas=tuple(SubmittedIdea(
            initiative_id=state.initiative_id, initiative_name=spec.name, idea_id=idea.id,
            submitted_by=idea.submitted_by, text=idea.text, submitted_at=idea.submitted_at,
            status=idea.status.value, reason=idea.reason) for idea in state.ideas))


@dataclass(frozen=True)
class _Figured:
    generation: int
    until: datetime  # the next moment the clock changes these figures
    figures: Portfolio
    rows: list[PortfolioRow]
    choices: dict[str, list[str]]


class _Memo:
    MAX_FILTERS = 64

    def __init__(self) -> None:
        self.items: dict[str, Kept] = {}
        self.lock = asyncio.Lock()
        self.generation = 0  # moves whenever any initiative does
        self.versions: dict[str, int] = {}
        self.ordered: list[Kept] = []  # newest change first
        self.sponsors: frozenset[str] = frozenset()
        self.figured: dict[tuple[PortfolioFilter, Viewer], _Figured] = {}

    def moved(self, replaced: list[tuple[Kept | None, Kept | None]]) -> None:
        """`replaced`: (what was kept, what is kept now) for each initiative that moved."""
        self.generation += 1
        if len(replaced) > RESORT_FROM:
            self.ordered = sorted(self.items.values(), key=attrgetter("newest_first"))
        else:
            # A handful moved since the last request: put those in place, leave the rest.
            ordered = list(self.ordered)
            for old, new in replaced:
                if old is not None:
                    ordered.remove(old)
                if new is not None:
                    bisect.insort(ordered, new, key=attrgetter("newest_first"))
            self.ordered = ordered
        self.sponsors = frozenset(k.row.sponsor for k in self.ordered)
        self.figured.clear()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# One per store: a server process keeps its figures between requests.
_KEPT: weakref.WeakKeyDictionary[object, _Memo] = weakref.WeakKeyDictionary()


async def _refreshed(context: Context) -> _Memo:
    from store.portfolio import PortfolioReader

    store = await context.read_store()
    memo = _KEPT.setdefault(store, _Memo())
    reader = PortfolioReader(store.pool, store.schema)
    async with memo.lock:
        versions = await reader.versions()
        if versions == memo.versions:
            return memo
        memo.versions = versions
        moved = [iid for iid, version in versions.items()
                 if iid not in memo.items or memo.items[iid].version != version]
        # A large first reading builds millions of objects that stay: at its default pace the
        # collector would walk the whole heap again and again while they pile up, and later.
        bulk = not memo.items and len(moved) >= LOADED_FROM
        with paced_for_loading() if bulk else nullcontext():
            replaced: list[tuple[Kept | None, Kept | None]] = []
            for entry in await reader.entries_of(moved) if moved else []:
                if entry.state.spec is not None:
                    iid = entry.state.initiative_id
                    new = _kept(entry, versions.get(iid, entry.state.version))
                    replaced.append((memo.items.get(iid), new))
                    memo.items[iid] = new
            for iid in set(memo.items) - set(versions):
                replaced.append((memo.items.pop(iid), None))
            memo.moved(replaced)
    return memo


async def current_initiatives(context: Context) -> list[Kept]:
    """Every initiative of the read model as kept here, refreshed where its version moved;
    newest change first."""
    return (await _refreshed(context)).ordered


def _chosen(seen: list[Kept], where: PortfolioFilter) -> list[Kept]:
    wanted = [(name, value) for name, value in where.model_dump().items() if value is not None]
    if not wanted:
        return seen
    return [k for k in seen if all(getattr(k.row, name) == value for name, value in wanted)]


def _choices(seen: list[Kept]) -> dict[str, list[str]]:
    values = {(k.row.phase, k.row.pmo, k.row.sponsor, k.row.owner) for k in seen}
    return {name: sorted({value[index] for value in values})
            for index, name in enumerate(FILTERS)}


def _figure(memo: _Memo, where: PortfolioFilter, viewer: Viewer, now: datetime) -> _Figured:
    seen = [k for k in memo.ordered if may_see(viewer, PortfolioShare(k.figures.state))]
    chosen = _chosen(seen, where)
    parts = [k.figures for k in chosen]
    upcoming = (c.due_at for k in chosen for c in k.figures.pending if c.due_at >= now)
    return _Figured(generation=memo.generation, until=min(upcoming, default=datetime.max.replace(
        tzinfo=UTC)), figures=as_seen_by(combine(parts, now), parts, viewer),
        rows=[k.row for k in chosen], choices=_choices(seen))


@use_case
async def portfolio_page(context: Context, where: PortfolioFilter, viewer: Viewer,
                         now: datetime | None = None) -> PortfolioPage:
    """The figures of the initiatives whose share `viewer` may see (`domain.visibility`)."""
    from app.portfolio import require_portfolio_reader

    memo = await _refreshed(context)
    require_portfolio_reader(viewer, memo.sponsors)
    return _page(memo, where, viewer, now or datetime.now(UTC))


def portfolio_page_of(entries: Iterable[PortfolioEntry], where: PortfolioFilter,
                      now: datetime, *, viewer: Viewer = THE_OPERATOR) -> PortfolioPage:
    """The page for these initiatives alone, as the read model would hold them: no I/O."""
    memo = _Memo()
    added: list[tuple[Kept | None, Kept | None]] = []
    for entry in entries:
        if entry.state.spec is not None:
            kept = memo.items[entry.state.initiative_id] = _kept(entry, entry.state.version)
            added.append((None, kept))
    memo.moved(added)
    return _page(memo, where, viewer, now)


def _page(memo: _Memo, where: PortfolioFilter, viewer: Viewer, now: datetime) -> PortfolioPage:
    figured = memo.figured.get((where, viewer))
    if figured is None or figured.generation != memo.generation or now >= figured.until:
        if len(memo.figured) >= memo.MAX_FILTERS:
            memo.figured.clear()
        figured = memo.figured[where, viewer] = _figure(memo, where, viewer, now)
    figures = figured.figures.model_copy(update={"as_of": now})
    return PortfolioPage(
        figures=figures, rows=figured.rows,
        overdue_longest=figures.overdue_commitments[:BOTTLENECK_ROWS],
        quiet=_quiet(figured.rows, now), choices=figured.choices)


def _quiet(rows: list[PortfolioRow], now: datetime) -> list[PortfolioRow]:
    """The open initiatives longest without an event, from the oldest end of `rows` (which
    come newest first)."""
    open_phases = {phase.value for phase in OPEN_PHASES}
    found: list[PortfolioRow] = []
    for row in reversed(rows):
        if row.updated_at is not None and row.updated_at >= now - QUIET_AFTER:
            break
        if row.phase in open_phases:
            found.append(row)
            if len(found) == BOTTLENECK_ROWS * 2:
                break
    return found
