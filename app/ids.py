"""What an initiative id may look like, for every door."""

from __future__ import annotations

import re

from app.errors import InvalidArgument

INITIATIVE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
ID_RULE = "lowercase letters, digits and '-', at most 80"


def check_initiative_id(text: str) -> str:
    if not INITIATIVE_ID.match(text):
        raise InvalidArgument("initiative_id", f"{text!r} is not an initiative id ({ID_RULE})")
    return text
