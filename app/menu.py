"""Which pages a person's menu links to: only those they may use. Launching needs the `pmo`
grant; the portfolio is for the offices and for sponsors (`domain.visibility`)."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from app.context import Context, use_case
from app.identity import Grant, Identity
from domain.visibility import PortfolioFigures, may_see


class Menu(BaseModel):
    model_config = ConfigDict(frozen=True)
    launch: bool = False
    portfolio: bool = False


def menu_of(identity: Identity | None, sponsors: Iterable[str] = ()) -> Menu:
    """`sponsors`: everyone who sponsors an initiative (unknown: none)."""
    if identity is None:
        return Menu()
    return Menu(launch=identity.has(Grant.PMO),
                portfolio=may_see(identity.viewer, PortfolioFigures(frozenset(sponsors))))


@use_case
async def menu(context: Context, identity: Identity) -> Menu:
    from app.portfolio import sponsoring

    viewer = identity.viewer
    # The offices see the portfolio whoever sponsors what.
    return menu_of(identity, () if viewer.in_an_office else await sponsoring(context, viewer.id))
