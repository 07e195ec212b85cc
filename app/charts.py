"""The control chart of an initiative's readings, for the doors that show one (pages, reports)."""

from __future__ import annotations

from audit.control_chart import control_chart
from audit.control_chart_svg import control_chart_figure
from domain.state import InitiativeState


def control_chart_html(state: InitiativeState, ident: str = "chart") -> str:
    """The chart, a caption naming each rule violation, and its data table; all escaped."""
    return control_chart_figure(control_chart(state), ident)
