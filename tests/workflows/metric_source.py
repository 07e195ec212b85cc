"""A real HTTP metric source on loopback, whose readings a test scripts in advance."""

from bench.metric_server import MetricSource, serve_metric

__all__ = ["MetricSource", "serve_metric"]
