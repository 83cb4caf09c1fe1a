"""Speed and memory of the vectorised EUM engine against the plain-loop reference.

Run: ``.venv/bin/python benchmarks/eum.py`` (``--help`` for the sizes). Cases:

(a) the bundled US-DPRK 2025 scenario: ``--samples`` draws (default 10,000) of every issue,
    10 rounds, the scenario's own EUM options (falls back to a synthetic 7-actor, 4-issue
    batch, with a printed note, when the scenario or the sampler is missing);
(b) the EC car-emission case of docs/models/eum.md repeated ``--samples`` times, with the default
    options and with the ``scholz-code`` preset;
(c) a synthetic batch of 40,000 runs of 8 actors (the memory requirement).

For each: the engine's wall and CPU time after import (best of ``--repeat``; on a shared
machine this process's CPU time is the fairer measure of one core), the reference's time
per run on the first ``--ref-samples`` samples in the same process, the per-run speed-up
(wall time per run, reference over engine), the peak memory traced by ``tracemalloc``
during one more engine call (numpy's buffers included), and the process's peak RSS so
far. Targets: (a) under 2.4 s on one core and at least 50 times the reference per run.
Prints a Markdown table. Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from summitry.engines import eum
from summitry.engines.eum.options import EUMOptions, resolve_options
from summitry.engines.eum.reference import simulate_one

EC_C = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
EC_X = np.array([4.0, 7.0, 4.0, 4.0, 10.0, 10.0, 10.0, 7.0, 4.0, 7.0])
EC_S = np.array([80, 40, 20, 80, 60, 60, 90, 10, 100, 70]) / 100.0

TARGET_SECONDS = 2.4
TARGET_SPEEDUP = 50.0


@dataclass
class Batch:
    """Inputs of one case: capability (B, n), position and salience (B, n, D)."""

    name: str
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    options: EUMOptions
    note: str = ""

    @property
    def runs(self) -> int:
        return self.position.shape[0] * self.position.shape[2]


@dataclass
class Row:
    case: str
    shape: str
    seconds: float
    cpu_seconds: float
    ref_per_run: float
    engine_per_run: float
    peak_mb: float
    rss_mb: float
    rounds: str

    @property
    def speedup(self) -> float:
        return self.ref_per_run / self.engine_per_run


def dprk_batch(samples: int, seed: int) -> Batch:
    """The bundled scenario through the project's sampler, or a synthetic stand-in."""
    try:
        from summitry.sampling import draw
        from summitry.scenario import load

        scenario = load("dprk-2025")
        d = draw(scenario, samples, seed)
        options = scenario.model.eum.options().with_overrides(rounds=10)
        return Batch("dprk-2025", d.capability, d.position, d.salience, options)
    except (ImportError, AttributeError, LookupError, OSError, ValueError) as err:
        note = f"dprk-2025 unavailable ({type(err).__name__}: {err}); synthetic 7 x 4 batch"
        print(f"NOTE: {note}")
        rng = np.random.default_rng(seed)
        c = rng.uniform(0.001, 0.2, (samples, 7))
        x = rng.uniform(0.0, 100.0, (samples, 7, 4))
        s = rng.uniform(0.1, 1.0, (samples, 7, 4))
        return Batch("synthetic (no dprk-2025)", c, x, s, EUMOptions(rounds=10), note)


def ec_batch(samples: int, variant: str) -> Batch:
    rep = (samples, 1)
    c, x, s = np.tile(EC_C, rep), np.tile(EC_X, rep), np.tile(EC_S, rep)
    return Batch(
        f"EC x {samples:,} ({variant})", c, x[:, :, None], s[:, :, None], resolve_options(variant)
    )


def synthetic_batch(runs: int, n: int, seed: int) -> Batch:
    rng = np.random.default_rng(seed)
    c = rng.uniform(0.0, 1.0, (runs, n))
    x = rng.uniform(0.0, 100.0, (runs, n, 1))
    s = rng.uniform(0.0, 1.0, (runs, n, 1))
    return Batch(f"synthetic {runs:,} x {n} actors", c, x, s, EUMOptions())


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time of this process over ``repeat`` calls."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def reference_per_run(batch: Batch, samples: int) -> float:
    """Seconds per one-issue run of the plain-loop reference on the first samples."""
    k = min(samples, batch.position.shape[0])
    dims = batch.position.shape[2]
    start = time.perf_counter()
    for b in range(k):
        for d in range(dims):
            simulate_one(
                batch.capability[b], batch.position[b, :, d], batch.salience[b, :, d], batch.options
            )
    return (time.perf_counter() - start) / (k * dims)


def measure(batch: Batch, repeat: int, ref_samples: int) -> Row:
    def run() -> eum.EUMResult:
        return eum.simulate_issues(batch.capability, batch.position, batch.salience, batch.options)

    result = run()  # warm-up, and the rounds actually run
    seconds, cpu = best_of(run, repeat)
    ref = reference_per_run(batch, ref_samples)
    peak = peak_mb(run)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rr = result.rounds_run
    b, n, dims = batch.position.shape
    return Row(
        batch.name,
        f"{b:,} x {n} x {dims}",
        seconds,
        cpu,
        ref,
        seconds / batch.runs,
        peak,
        rss,
        f"{int(rr.min())}-{int(rr.max())} (median {int(np.median(rr))})",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ref-samples", type=int, default=100)
    parser.add_argument("--memory-runs", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    machine = platform.processor() or platform.machine()
    print(
        f"# EUM benchmark, {date.today().isoformat()}: {machine}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, numpy {np.__version__}, "
        f"load average {', '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    batches = [
        dprk_batch(args.samples, args.seed),
        ec_batch(args.samples, "default"),
        ec_batch(args.samples, "scholz-code"),
        synthetic_batch(args.memory_runs, 8, args.seed),
    ]
    rows = [measure(batch, args.repeat, args.ref_samples) for batch in batches]
    print()
    print(
        "| case | samples x actors x issues | rounds run | engine wall (s) | engine CPU (s) "
        "| per run (us) | reference per run (ms) | speed-up | peak traced MB | max RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row.case} | {row.shape} | {row.rounds} "
            f"| {row.seconds:.2f} | {row.cpu_seconds:.2f} "
            f"| {row.engine_per_run * 1e6:.1f} | {row.ref_per_run * 1e3:.2f} "
            f"| {row.speedup:.0f}x | {row.peak_mb:.0f} | {row.rss_mb:.0f} |"
        )
    first = rows[0]
    print()
    print(
        f"Target (a): {first.case} in under {TARGET_SECONDS} s on one core: "
        f"{first.seconds:.2f} s wall, {first.cpu_seconds:.2f} s CPU "
        f"({'met' if min(first.seconds, first.cpu_seconds) < TARGET_SECONDS else 'NOT met'}); "
        f"at least {TARGET_SPEEDUP:.0f}x the reference per run: {first.speedup:.0f}x "
        f"({'met' if first.speedup >= TARGET_SPEEDUP else 'NOT met'})."
    )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"Load average at the end: {load} (other jobs share the {os.cpu_count()} CPUs).")
    for batch in batches:
        if batch.note:
            print(f"NOTE: {batch.note}")


if __name__ == "__main__":
    main()
