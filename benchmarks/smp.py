"""Speed and memory of the SMP engine against KTAB and the plain-loop reference.

Run: ``.venv/bin/python benchmarks/smp.py`` (KTAB's inputs and runs are read from
SUMMITRY_KTAB_DIR, default tests/data/ktab). Prints a Markdown table: wall time
of the vectorised engine (best of ``--repeat`` runs), KTAB's -O2 time on this machine (from
its reference README), the reference engine's time (40-actor case only), the ratios, the
peak memory traced during one more run (numpy's allocations included), and whether the
outcome matches KTAB's stored run. Not a timed test.

``--forecast REV`` instead compares this tree's spatial model, as the forecast runs it
(``summitry.forecasting.smp.run_smp``), with the one at git revision REV (exported with
``git archive`` to a temporary directory), side by side: each runs in its own subprocess
(PYTHONPATH pointing at its source tree) on the same draws of every bundled scenario, and
the table gives their CPU and wall times, how many runs reached the turn cap (and were caught
in a cycle), and whether every output (initial and final expected outcome, final positions,
turns) is bit-identical. Then the same for the whole default forecast
(``summitry.forecast.forecast("dprk-2025")``, 1,000 samples).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from summitry.engines.smp import SMPResult, simulate
from summitry.engines.smp.reference import simulate as simulate_reference
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


REPO = Path(__file__).resolve().parents[1]


def _worker(scenario: str, samples: int, repeat: int, out: str) -> None:
    """In a subprocess: time run_smp (or, for samples 0, the default forecast) with the
    summitry found on PYTHONPATH; write its outputs to ``out`` (.npz), print the times."""
    import summitry
    from summitry.forecast import _uniforms, forecast
    from summitry.forecasting.smp import run_smp
    from summitry.sampling import draw
    from summitry.scenario import load

    sc = load(scenario)
    if samples == 0:
        job = lambda: forecast(sc)  # noqa: E731
    else:
        d = draw(sc, samples, 0)
        opt = sc.model.smp.options()
        u = _uniforms(d, opt.resolution, (opt.max_turns, len(sc.actors)), 1)
        job = lambda: run_smp(sc, d, opt, u)  # noqa: E731
    cpu, wall = float("inf"), float("inf")
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        res = job()
        cpu, wall = min(cpu, time.process_time() - c0), min(wall, time.perf_counter() - w0)
    if samples == 0:
        arrays = {k: v for k, v in res.outputs().items() if k.startswith("smp.settlement")}
    else:
        fields = ("initial", "settlement", "positions", "turns_run")
        arrays = {f: getattr(res, f) for f in fields}
        if hasattr(res, "converged"):
            arrays |= {"converged": res.converged, "period": res.period}
    np.savez(out, **arrays)
    print(json.dumps({"cpu": cpu, "wall": wall, "module": summitry.__file__}))


def _run_worker(src: Path, scenario: str, samples: int, repeat: int, out: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, __file__, "--worker", scenario, str(samples), str(repeat), str(out)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    info: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    assert str(src) in str(info.pop("module")), "the worker imported the wrong summitry"
    return info


def compare_with(rev: str, samples: int, repeat: int) -> None:
    """This tree's run_smp against revision ``rev``'s, on every bundled scenario."""
    from summitry.scenario import bundled_names

    with tempfile.TemporaryDirectory(prefix="summitry-before-") as tmp:
        archive = Path(tmp) / "src.tar"
        with archive.open("wb") as fh:
            subprocess.run(["git", "archive", rev, "src"], cwd=REPO, stdout=fh, check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        trees = {"before": Path(tmp) / "src", "after": REPO / "src"}
        print(
            f"SMP in the forecast: revision {rev} (before) against this tree (after), "
            f"{samples:,} samples per scenario, seed 0, best of {repeat}; {date.today()}, "
            f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"numpy {np.__version__}"
        )
        print()
        print(
            "| scenario | actors | capped | in a cycle | CPU before (s) | CPU after (s) "
            "| CPU ratio | wall before (s) | wall after (s) | outputs |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        jobs = [(name, samples) for name in bundled_names()] + [("dprk-2025", 0)]
        for name, size in jobs:
            t, r = {}, {}
            for tag, src in trees.items():
                out = Path(tmp) / f"{tag}.npz"
                t[tag] = _run_worker(src, name, size, repeat, out)
                r[tag] = dict(np.load(out))
            same = all(np.array_equal(r["before"][k], r["after"][k]) for k in r["before"])
            label = name if size else "dprk-2025: whole default forecast (1,000)"
            capped = cycle = "-"
            if size:
                capped = f"{int((~r['after']['converged']).sum()):,}"
                cycle = f"{int((r['after']['period'] > 0).sum()):,}"
            actors = r["after"]["positions"].shape[1] if size else 7
            print(
                f"| {label} | {actors} | {capped} | {cycle} | {t['before']['cpu']:.2f} "
                f"| {t['after']['cpu']:.2f} | {t['before']['cpu'] / t['after']['cpu']:.2f}x "
                f"| {t['before']['wall']:.2f} | {t['after']['wall']:.2f} "
                f"| {'bit-identical' if same else 'DIFFERENT'} |",
                flush=True,
            )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case (best kept)")
    parser.add_argument("--skip-160", action="store_true", help="leave out the 160-actor case")
    parser.add_argument(
        "--forecast", metavar="REV", help="compare the forecast's SMP with git revision REV"
    )
    parser.add_argument("--samples", type=int, default=4000, help="samples per scenario")
    args = parser.parse_args()
    if args.forecast:
        compare_with(args.forecast, args.samples, args.repeat)
        return

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
