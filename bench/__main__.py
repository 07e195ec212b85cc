"""Run every benchmark this package knows and merge their figures into bench/results.json.

A benchmark module exposes `run() -> dict[str, float]`: one key per figure, ratios named
`*_ratio`. Add new modules to BENCHMARKS.
"""

from __future__ import annotations

import argparse
import importlib

from .harness import RESULTS_PATH, merge_results, say

BENCHMARKS = [
    "bench.store_bench", "bench.lifecycle_bench", "bench.open_initiatives_bench",
    "bench.audit_bench", "bench.web_bench", "bench.api_bench", "bench.stream_bench",
    "bench.pull_bench", "bench.busy_year",
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "only", nargs="*", help="module names to run (e.g. store_bench); all when omitted"
    )
    arguments = parser.parse_args(argv)
    selected = [
        name
        for name in BENCHMARKS
        if not arguments.only or name.rpartition(".")[2] in arguments.only
    ]
    if not selected:
        parser.error(f"no benchmark named {arguments.only}; known: {BENCHMARKS}")
    for name in selected:
        say(f"== {name}")
        figures = importlib.import_module(name).run()
        merge_results(figures)
        width = max(map(len, figures))
        for key, value in figures.items():
            print(
                f"{key:<{width}}  {value:>14,.3f}"
                if value < 100
                else f"{key:<{width}}  {value:>14,.0f}"
            )
    say(f"results merged into {RESULTS_PATH}")


if __name__ == "__main__":
    main()
