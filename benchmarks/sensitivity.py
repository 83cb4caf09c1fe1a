"""Time and peak memory of a Sobol' analysis over every uncertain input of a scenario.

Run: ``.venv/bin/python benchmarks/sensitivity.py`` (``--help`` for the sizes). By default it
analyses the bundled dprk-2025 scenario with N = 1024 (Saltelli's scheme: N (k + 2) model
runs for k uncertain inputs) for two outputs, one after the other in this process:

- ``eum.settlement.<first issue>``, the main forecast quantity (what ``summitry
  sensitivity`` analyses by default);
- ``bargaining.zopa``, whether a zone of agreement exists (P(deal) is its mean).

For each it prints the wall and CPU time, split into the model runs (sampling the inputs
and running the engine, timed around the model function) and the rest (SALib's Sobol'
sequence and its bootstrap of the confidence intervals), the runs per second, and the peak
RSS of the process (VmHWM from ``/proc/self/status``, reset through ``/proc/self/clear_refs``
before each analysis; psutil is not used), together with the three leading inputs by total
index and the widest interval, so a change in speed can be read against the result.

This is what ``summitry sensitivity dprk-2025 --n 1024`` computes (without the store).
Not a timed test; the machine's load average is printed because it moves the numbers.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version

import numpy as np

from memory import cpu_seconds, peak_rss_mb, reset_peak_rss  # benchmarks/memory.py
from summitry.forecast import scenario_options
from summitry.scenario import load
from summitry.sensitivity import (
    Array,
    Sensitivity,
    build_problem,
    default_output,
    engine_seed_for,
    forecast_model,
    runs_needed,
    sobol,
)


@dataclass
class Row:
    output: str
    runs: int
    wall: float
    cpu: float
    model_wall: float
    peak_mb: float
    result: Sensitivity


def run_one(scenario: str, output: str | None, n: int, seed: int) -> Row:
    """One Sobol' analysis, as ``summitry sensitivity`` runs it, timed and measured."""
    sc = load(scenario)
    name = output or default_output(sc)
    problem = build_problem(sc)
    inner = forecast_model(problem, name, scenario_options(sc), engine_seed=engine_seed_for(seed))
    model_wall = 0.0

    def model(u: Array) -> Array:
        nonlocal model_wall
        t = time.perf_counter()
        y = inner(u)
        model_wall += time.perf_counter() - t
        return y

    reset_peak_rss()
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = sobol(problem, model, n, seed=seed, output=name)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    runs = runs_needed("sobol", n, problem.num_vars)
    assert result.evaluations == runs
    return Row(name, runs, wall, cpu, model_wall, peak_rss_mb(), result)


def leaders(result: Sensitivity, top: int = 3) -> str:
    st = result.indices["ST"]
    order = np.argsort(-st)[:top]
    return ", ".join(f"{result.names[i]} {st[i]:.2f}" for i in order)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="dprk-2025")
    parser.add_argument("--n", type=int, default=1024, help="Sobol' base sample N")
    parser.add_argument(
        "--output",
        action="append",
        help="output to analyse (repeat); default: the first issue's settlement and "
        "bargaining.zopa",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    outputs = args.output or [None, "bargaining.zopa"]
    k = build_problem(load(args.scenario)).num_vars
    load_before = os.getloadavg()
    rows = []
    for output in outputs:
        print(f"Sobol' N={args.n} of {output or 'the default output'}...", flush=True)
        rows.append(run_one(args.scenario, output, args.n, args.seed))
        print(f"  {rows[-1].wall:.1f} s", flush=True)
    load_after = os.getloadavg()

    print()
    print(
        f"Run of {date.today().isoformat()}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, numpy {np.__version__}, "
        f"SALib {version('SALib')}; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after."
    )
    print(
        f"{args.scenario}: {k} uncertain inputs, N = {args.n}, seed {args.seed}, "
        f"one process, one thread of work."
    )
    print()
    print(
        "| output | model runs | wall (s) | CPU (s) | model runs (s) | sequence + bootstrap (s) "
        "| runs/s | peak RSS (MB) | widest ST interval | leading inputs (ST) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.output} | {r.runs:,} | {r.wall:.1f} | {r.cpu:.1f} | {r.model_wall:.1f} "
            f"| {r.wall - r.model_wall:.1f} | {r.runs / r.wall:,.0f} | {r.peak_mb:.0f} "
            f"| ±{float(np.max(r.result.indices['ST_conf'])):.3f} | {leaders(r.result)} |"
        )


if __name__ == "__main__":
    main()
