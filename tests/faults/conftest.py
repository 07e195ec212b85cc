"""Fault tests reuse fixtures from elsewhere: the workflow tests' store per test, worker in this
process or worker processes to kill, and client; the CLI tests' stack for `baton` runs."""

import random

import pytest

from tests.cli.conftest import fresh_stack
from tests.workflows.conftest import initiatives, settings, store, worker, workers

__all__ = ["chance", "fresh_stack", "initiatives", "settings", "store", "worker", "workers"]


@pytest.fixture
def chance() -> random.Random:
    """Where faults strike: random, from a seed printed for replaying a failure."""
    seed = random.randrange(2**32)
    print(f"random seed {seed}")  # pytest shows it when the test fails
    return random.Random(seed)
