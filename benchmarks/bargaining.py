"""Speed and memory of the bargaining engine against its plain reference and scipy.optimize.

Run: ``.venv/bin/python benchmarks/bargaining.py [--samples N] [--subset K] [--repeat R]``.
Draws a US-DPRK-sized batch (4 issues, one ratifier: the national-security establishment)
from illustrative, uncalibrated distributions, solves it with ``solve`` (best of ``--repeat``
runs, one thread), then solves ``--subset`` of its samples one by one with the reference
(``reference.solve_one``: linear programs plus a 1-D search) and with SLSQP on the full
problem (``reference.scipy_nash``, 4 starts), all in the same run, and reports seconds per
sample, the ratios, the largest disagreement on the subset and the peak memory traced by
``tracemalloc`` (numpy's arrays included) during one more solve. Also times private
information over all the samples' d_B, and a quadratic batch. Prints a Markdown table.
Not a timed test.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, also for scipy's SLSQP
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import math
import platform
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from summitry.engines.bargaining import (
    BargainingProblem,
    Form,
    private_information,
    solve,
)
from summitry.engines.bargaining import reference as ref

ISSUES = ("denuclearisation", "sanctions relief", "security guarantees", "test moratorium")


def dprk_batch(
    size: int, seed: int = 2025, form: Form = "linear", central: bool = False
) -> BargainingProblem:
    """Illustrative US (A) - DPRK (B) draws on four issues scaled to [0, 1] (1 = the most
    constraint on the DPRK, the most relief, the strongest guarantee, a full moratorium).
    ``central``: every draw at its distribution's central value instead."""
    rng = np.random.default_rng(seed)

    def around(centre: list[float], spread: float) -> np.ndarray:
        noise = 0.0 if central else rng.normal(0.0, spread, (size, len(centre)))
        return np.clip(np.array(centre) + noise, 0.0, 1.0) * np.ones((size, 1))

    def weights(centre: list[float], concentration: float) -> np.ndarray:
        mean = np.array(centre) / sum(centre)
        return np.tile(mean, (size, 1)) if central else rng.dirichlet(mean * concentration, size)

    def uniform(low: float, high: float) -> np.ndarray:
        return np.full(size, 0.5 * (low + high)) if central else rng.uniform(low, high, size)

    def beta(a: float, b: float) -> np.ndarray:
        return np.full(size, a / (a + b)) if central else rng.beta(a, b, size)

    return BargainingProblem.build(
        a=around([0.95, 0.2, 0.4, 1.0], 0.05),
        b=around([0.1, 1.0, 0.9, 0.3], 0.08),
        w_a=weights([0.5, 0.15, 0.1, 0.25], 40.0),
        w_b=weights([0.35, 0.3, 0.25, 0.1], 40.0),
        z0=around([0.05, 0.1, 0.0, 0.2], 0.03),
        o_a=uniform(-0.05, 0.1),  # the value of pressure without a deal
        o_b=uniform(0.0, 0.15),  # Russian support, sanctions leakage
        tau_a=beta(4, 6),
        tau_b=beta(3, 7),  # Kim's distrust after three summits
        delta_a=uniform(0.85, 0.95),
        delta_b=uniform(0.9, 0.98),
        ratifier_ideal=around([1.0, 0.0, 0.2, 1.0], 0.05)[:, None, :],
        ratifier_weight=weights([0.55, 0.25, 0.05, 0.15], 40.0)[:, None, :],
        ratifier_offset=uniform(-0.15, 0.0)[:, None],
        form=form,
    )


def best_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def per_sample(fn: Callable[[int], Any], rows: list[int]) -> tuple[float, list[Any]]:
    start = time.perf_counter()
    out = [fn(i) for i in rows]
    return (time.perf_counter() - start) / max(len(rows), 1), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--subset", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    p = dprk_batch(args.samples)
    seconds, sol = best_time(lambda: solve(p), args.repeat)
    memory = peak_mb(lambda: solve(p))
    rows = [int(i) for i in np.flatnonzero(sol.zopa_exists & ~sol.degenerate)[: args.subset]]
    t_ref, refs = per_sample(lambda i: ref.solve_one(p, i), rows)
    t_sci, scis = per_sample(lambda i: ref.scipy_nash(p, i), rows)
    gap_ref = max(
        max(abs(r.surplus_a - sol.surplus_a[i]), abs(r.surplus_b - sol.surplus_b[i]))
        for i, r in zip(rows, refs, strict=True)
    )
    gap_sci = max(
        max(abs(s[1] - sol.surplus_a[i]), abs(s[2] - sol.surplus_b[i]))
        for i, s in zip(rows, scis, strict=True)
        if not math.isnan(s[0])
    )
    ours = seconds / args.samples
    central = dprk_batch(1, central=True)
    t_priv, offer = best_time(lambda: private_information(central, sol.d_b), args.repeat)
    q_size = max(args.samples // 10, 1)
    q = dprk_batch(q_size, form="quadratic")
    t_quad, qsol = best_time(lambda: solve(q), 1)

    print(
        f"Run of {date.today()}: {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, one thread.\n"
    )
    print(
        "| run | samples | seconds | per sample (us) | reference / ours | scipy / ours | "
        "max gap vs reference | max gap vs scipy | peak traced MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| solve, linear, D=4, V=1 | {args.samples:,} | {seconds:.2f} | {1e6 * ours:.1f} | "
        f"{t_ref / ours:,.0f}x | {t_sci / ours:,.0f}x | {gap_ref:.1e} | {gap_sci:.1e} | "
        f"{memory:.0f} |"
    )
    print(
        f"| solve, quadratic, D=4, V=1 | {q_size:,} | {t_quad:.2f} | "
        f"{1e6 * t_quad / q_size:.1f} | - | - | - | - | - |"
    )
    print(
        f"| private information (central offer vs {args.samples:,} d_B) | {args.samples:,} | "
        f"{t_priv:.3f} | - | - | - | - | - | - |"
    )
    print()
    print(
        f"Reference {1e3 * t_ref:.0f} ms and SLSQP {1e3 * t_sci:.0f} ms per sample "
        f"({len(rows)} samples with a zone). Linear batch: P(zone) "
        f"{sol.zopa_exists.mean():.3f}, P(zone without the ratifier) "
        f"{sol.zopa_without_ratifiers.mean():.3f}, ratifier binding in "
        f"{sol.ratifier_binding.any(axis=1).mean():.3f}; quadratic P(zone) "
        f"{qsol.zopa_exists.mean():.3f}. Private information: P(deal) {offer.p_deal:.3f}."
    )


if __name__ == "__main__":
    main()
