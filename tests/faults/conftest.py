"""Fault tests reuse the workflow tests' fixtures: a store per test, a worker, a client."""

from tests.workflows.conftest import initiatives, settings, store, worker

__all__ = ["initiatives", "settings", "store", "worker"]
