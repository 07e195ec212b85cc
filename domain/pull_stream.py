"""Where an initiative's ideas are recorded: a stream of their own beside the initiative's.

Initiative ids are lowercase letters, digits and '-', so no initiative's stream can be named like
another's pull stream.
"""

from __future__ import annotations

_SUFFIX = ":pull"
# The pull streams among all streams, as SQL's LIKE finds them.
PULL_STREAMS_LIKE = f"%{_SUFFIX}"


def pull_stream_id(initiative_id: str) -> str:
    return f"{initiative_id}{_SUFFIX}"


def initiative_of_pull(stream_id: str) -> str | None:
    """The initiative whose pull stream this is; None for an initiative's own stream."""
    return stream_id[: -len(_SUFFIX)] if stream_id.endswith(_SUFFIX) else None
