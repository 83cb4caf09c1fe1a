"""Speed and memory of the SMP engine against KTAB and the plain-loop reference.

Run: ``.venv/bin/python benchmarks/smp.py`` (KTAB's inputs and runs are read from
SUMMITRY_KTAB_DIR, default tests/data/ktab). Prints a Markdown table: wall time
of the vectorised engine (best of ``--repeat`` runs), KTAB's -O2 time on this machine (from
its reference README), the reference engine's time (40-actor case only), the ratios, the
peak memory traced during one more run (numpy's allocations included), and whether the
outcome matches KTAB's stored run. Not a timed test.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from summitry.engines.reference.smp import simulate as simulate_reference
from summitry.engines.smp import SMPResult, simulate
from summitry.ktab import read_positions, read_scenario

KTAB_DIR = Path(
    os.environ.get(
        "SUMMITRY_KTAB_DIR", Path(__file__).resolve().parents[1] / "tests" / "data" / "ktab"
    )
)
KTAB_SECONDS = {"dummyData-a040": 6.0, "dummyData-a080": 55.8, "dummyData-a160": 885.0}
KTAB_TURNS = {"dummyData-a160": 13}  # positions not kept; only the turn count is known


@dataclass
class Row:
    case: str
    shape: str
    turns: str
    seconds: float
    ktab: float | None
    reference: float | None
    peak_mb: float
    outcome: str


def _best_time(fn: Callable[[], SMPResult], repeat: int) -> tuple[float, SMPResult]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def _peak_mb(fn: Callable[[], SMPResult]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _outcome(case: str, result: SMPResult) -> str:
    turns = int(result.turns_run[0])
    stored = KTAB_DIR / f"{case}.ktab-positions.csv"
    if stored.exists():
        ktab = read_positions(stored)
        if turns != ktab.turns:
            return f"turns differ ({turns} vs {ktab.turns})"
        gap = np.abs(100 * result.positions[0, : turns + 1] - ktab.position).max()
        return f"same turns, max position gap {gap:.1e} (0-100 scale)"
    if case in KTAB_TURNS:
        same = "same" if turns == KTAB_TURNS[case] else "DIFFERENT"
        return f"{same} turns as KTAB ({KTAB_TURNS[case]})"
    return "n/a"


def ktab_case(case: str, repeat: int, with_reference: bool) -> Row:
    cap, pos, sal = read_scenario(KTAB_DIR / f"{case}.csv").engine_inputs()
    seconds, result = _best_time(lambda: simulate(cap, pos, sal), repeat)
    ref_seconds = None
    if with_reference:
        ref_seconds, ref = _best_time(lambda: simulate_reference(cap[0], pos[0], sal[0]), 1)
        assert np.array_equal(ref.positions, result.positions)
    return Row(
        case=case,
        shape=f"{pos.shape[1]} x {pos.shape[2]}",
        turns=str(int(result.turns_run[0])),
        seconds=seconds,
        ktab=KTAB_SECONDS.get(case),
        reference=ref_seconds,
        peak_mb=_peak_mb(lambda: simulate(cap, pos, sal)),
        outcome=_outcome(case, result),
    )


def synthetic_case(samples: int, n: int, dims: int, repeat: int) -> Row:
    """KTAB-like random scenarios (its SMPActor::randomize ranges), one per sample."""
    rng = np.random.default_rng(2026)
    cap = rng.uniform(10.0, 200.0, (samples, n))
    pos = rng.uniform(0.0, 1.0, (samples, n, dims))
    share = rng.uniform(0.1, 1.0, (samples, n, dims))
    sal = share / share.sum(axis=-1, keepdims=True) * rng.uniform(0.75, 0.99, (samples, n, 1))
    seconds, result = _best_time(lambda: simulate(cap, pos, sal), repeat)
    turns = result.turns_run
    return Row(
        case=f"synthetic, {samples} samples",
        shape=f"{n} x {dims}",
        turns=f"{int(turns.min())}-{int(turns.max())} (median {int(np.median(turns))})",
        seconds=seconds,
        ktab=None,
        reference=None,
        peak_mb=_peak_mb(lambda: simulate(cap, pos, sal)),
        outcome="n/a",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case (best kept)")
    parser.add_argument("--skip-160", action="store_true", help="leave out the 160-actor case")
    args = parser.parse_args()

    rows = [
        ktab_case("dummyData-a040", args.repeat, with_reference=True),
        ktab_case("dummyData-a080", args.repeat, with_reference=False),
    ]
    if not args.skip_160:
        rows.append(ktab_case("dummyData-a160", 1, with_reference=False))
    rows.append(synthetic_case(1000, 7, 4, args.repeat))

    print(
        f"SMP benchmark, {date.today()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    print()
    print(
        "| case | actors x dims | turns | ours (s) | KTAB -O2 (s) | KTAB / ours "
        "| reference (s) | reference / ours | peak traced MB | outcome vs KTAB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ktab = f"{r.ktab:.1f}" if r.ktab else "-"
        ratio = f"{r.ktab / r.seconds:.0f}x" if r.ktab else "-"
        ref = f"{r.reference:.1f}" if r.reference else "-"
        ref_ratio = f"{r.reference / r.seconds:.0f}x" if r.reference else "-"
        print(
            f"| {r.case} | {r.shape} | {r.turns} | {r.seconds:.2f} | {ktab} | {ratio} "
            f"| {ref} | {ref_ratio} | {r.peak_mb:.0f} | {r.outcome} |"
        )


if __name__ == "__main__":
    main()
