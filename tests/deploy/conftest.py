from __future__ import annotations

import socket
from collections.abc import Callable

import pytest


@pytest.fixture
def free_address() -> Callable[[], str]:
    """Gives "127.0.0.1:PORT" with a port nothing listens on, a new one per call."""

    def pick() -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return f"127.0.0.1:{probe.getsockname()[1]}"

    return pick
