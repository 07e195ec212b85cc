"""A real HTTP metric source on loopback, whose readings a test scripts in advance."""

from bench.metric_server import LOOPBACK_HOSTS, LOOPBACK_SOURCES, MetricSource, serve_metric

__all__ = ["LOOPBACK_HOSTS", "LOOPBACK_SOURCES", "MetricSource", "serve_metric"]
