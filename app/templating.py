"""The template environment of `activities.templating`, for the doors, which reach app/ alone:
the pages are written from templates the same way as the mail, the charts and the report."""

from __future__ import annotations

from activities.templating import environment

__all__ = ["environment"]
