"""Benchmarks, run with `python -m bench`; figures are merged into bench/results.json."""
