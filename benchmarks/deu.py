"""Speed of the DEU benchmark (benchmarks/README.md, "DEU benchmark").

Runs ``summitry.benchmark.benchmark_deu`` on the bundled DEU file (or ``--data PATH``) after
every import, and prints the CPU time of the whole benchmark and of each model's forecasts
alone (the bootstrap and scoring are the difference). Target (issue #11): the whole
benchmark, every model on every public issue, under 10 s of CPU on one core.

    .venv/bin/python benchmarks/deu.py [--data PATH] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="a DEU file (default: the bundled one)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from summitry.benchmark import MODELS, benchmark_deu, forecast_all
    from summitry.data import load_deu

    data = load_deu(args.data)
    valid = data.select(data.valid)
    benchmark_deu(data)  # warm-up (lazy imports, first allocations)

    whole = []
    for _ in range(args.runs):
        t0 = _cpu()
        benchmark_deu(data)
        whole.append(_cpu() - t0)
    print(f"{int(valid.valid.sum())} valid issues; CPU seconds, median of {args.runs} runs")
    print(f"{'whole benchmark':<24}{statistics.median(whole):>8.2f}")
    for name in MODELS:
        times = []
        for _ in range(args.runs):
            t0 = _cpu()
            forecast_all(valid, [name])
            times.append(_cpu() - t0)
        print(f"{name:<24}{statistics.median(times):>8.2f}")
    met = "met" if statistics.median(whole) < 10.0 else "NOT met"
    print(f"target: whole benchmark under 10 s of CPU: {met}")


if __name__ == "__main__":
    main()
