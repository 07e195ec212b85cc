"""Documents written from Jinja templates, the one way Baton writes HTML, SVG and the text of a
mail: each room that renders keeps its templates beside it (`templates/` in its package, shipped
as package data) and loads them through an environment made here, the lowest room that renders
(the mail); rooms above reach it here, the doors through `app.templating`.

Everything a template is given is escaped as it is written, unless the template is plain text
(`.txt`); the formatting of `domain.formatting` is there as filters, on the plain locale.
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from domain import formatting

FILTERS: dict[str, Callable[..., str]] = {
    "number": formatting.number, "percent": formatting.percent, "money": formatting.money,
    "when": formatting.when, "day": formatting.day, "span": formatting.span,
    "shown": formatting.shown,
}


def environment(package: str, **filters: Callable[..., object]) -> Environment:
    """The templates of `package` (its `templates/` folder), with the formatting filters and
    `filters` (which may replace them, for a reader's locale)."""
    made = Environment(
        loader=PackageLoader(package), undefined=StrictUndefined,
        autoescape=select_autoescape(disabled_extensions=("txt",), default=True),
        trim_blocks=True, lstrip_blocks=True)
    made.filters.update(FILTERS, **filters)
    made.globals["nothing"] = formatting.NOTHING
    return made
