"""Throughput, scaling and memory of ``summitry sweep`` beside the bare engine, in one run.

Run: ``.venv/bin/python benchmarks/sweep.py`` (``--help`` for the sizes). By default it
computes the same 1,000,000 expected-utility samples of the bundled dprk-2025 scenario
three times and prints one Markdown table with the three side by side:

- **bare engine**: :func:`summitry.forecast.forecast` called directly in this process, on
  pieces of ``summitry.sweep.SUBCHUNK`` samples as a sweep's workers run them, keeping
  only the per-sample outputs: no Dask, no store; run before the sweeps and again after
  them, since a shared machine's speed per CPU second drifts by 10% or more over minutes
  ("vs bare" compares with the mean of the two);
- **1 worker** and **2 workers**: :func:`summitry.sweep.start_sweep` (what ``summitry
  sweep`` runs) on a fresh LocalCluster (:func:`summitry.sweep.cluster_client`) into a
  fresh store, with the default chunk size (``--chunk``).

Columns: wall time (for a sweep, from creating the run to its final statistics; the
cluster's start-up apart); the CPU time of the processes that computed (the bare engine:
this process; a sweep: its workers, ``getrusage`` run on each before and after), with the
system share; **samples per CPU second** and its ratio to the bare engine's; the wall
speed-up over 1 worker; "cores obtained" = the workers' CPU time over the wall time (on a
shared machine the speed-up cannot exceed it); the driver's CPU time (this process: the
scheduler, the commits to the store, the final statistics); the time until the first chunk
was committed (when ``summitry sweep`` shows its first rate and ETA); peak RSS (VmHWM from
``/proc/<pid>/status``, reset before each run; psutil is not used) of the driver and of the
largest worker. It then checks that the three runs give bit-identical outputs and times an
export of the last one to Parquet, and, unless ``--sobol-n 0``, runs a Sobol' analysis
(benchmarks/sensitivity.py) of the main forecast quantity. ``--dask-defaults`` starts the
sweeps' workers with Dask's own settings instead of ``summitry.sweep``'s (what
sweeps did before issue #9), for comparison.

Targets (issue #9): a sweep's samples per worker CPU second at least 90% of the bare
engine's; 2 workers at least 1.8 times as fast as 1 on an idle 2-core machine; peak RSS
under 2 GB. Not a timed test; the load average and the CPUs this process may use are
printed because they move the numbers.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import cloudpickle
import numpy as np
from numpy.typing import NDArray

import memory  # benchmarks/memory.py
from memory import cpu_seconds, peak_rss_mb, reset_peak_rss
from summitry.forecast import forecast
from summitry.scenario import load
from summitry.store import Store
from summitry.sweep import (
    DEFAULT_CHUNK,
    SUBCHUNK,
    SweepSpec,
    cluster_client,
    default_workers,
    outputs_equal,
    start_sweep,
)
from summitry.sweep import cluster as sweep_cluster

cloudpickle.register_pickle_by_value(memory)  # the workers run its functions too

TARGET_EFFICIENCY = 0.90
TARGET_SPEEDUP = 1.8
TARGET_RSS_MB = 2048.0


def system_seconds() -> float:
    """System CPU time of this process so far (run on the workers too)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


@dataclass
class Row:
    label: str
    workers: int  # 0: the bare engine
    seconds: float
    cpu: float
    system: float
    driver_cpu: float = float("nan")
    startup: float = float("nan")
    first: float = float("nan")
    driver_mb: float = float("nan")
    worker_mb: float = float("nan")

    def per_cpu(self, samples: int) -> float:
        return samples / self.cpu


def run_bare(spec: SweepSpec) -> tuple[Row, dict[str, NDArray[np.float64]]]:
    """The engine in this process on the sweep's samples, piece by piece as a worker runs
    them (``compute_chunk``), keeping only the per-sample outputs."""
    reset_peak_rss()
    parts = []
    cpu0, sys0, t0 = cpu_seconds(), system_seconds(), time.perf_counter()
    for a in range(0, spec.samples, SUBCHUNK):
        size = min(SUBCHUNK, spec.samples - a)
        fc = forecast(spec.scenario, size, spec.seed, start=a, engines=spec.engines, chunk=SUBCHUNK)
        parts.append(fc.outputs())
    seconds = time.perf_counter() - t0
    cpu, system = cpu_seconds() - cpu0, system_seconds() - sys0
    outputs = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    row = Row("bare engine (in-process)", 0, seconds, cpu, system, driver_mb=peak_rss_mb())
    return row, outputs


def run_sweep(spec: SweepSpec, workers: int, chunk: int, directory: Path) -> tuple[Row, Store, int]:
    """One sweep on a fresh LocalCluster of ``workers`` processes into a fresh store."""
    store = Store(directory / f"sweep-{workers}.duckdb")
    store.check()
    t0 = time.perf_counter()
    with cluster_client(workers=workers) as client:
        startup = time.perf_counter() - t0
        reset_peak_rss()
        client.run(reset_peak_rss)
        cpu0 = sum(client.run(cpu_seconds).values())
        sys0 = sum(client.run(system_seconds).values())
        first: list[float] = []

        def progress(n: int) -> None:
            if not first:
                first.append(time.perf_counter() - t1)

        driver0 = cpu_seconds()
        t1 = time.perf_counter()
        run_id = start_sweep(store, spec, chunk=chunk, client=client, progress=progress)
        seconds = time.perf_counter() - t1
        driver = cpu_seconds() - driver0
        cpu = sum(client.run(cpu_seconds).values()) - cpu0
        system = sum(client.run(system_seconds).values()) - sys0
        driver_mb = peak_rss_mb()
        worker_mb = max(client.run(peak_rss_mb).values())
    assert store.run(run_id).info.complete
    label = f"sweep, {workers} worker{'s' if workers > 1 else ''}"
    row = Row(label, workers, seconds, cpu, system, driver, startup, first[0], driver_mb, worker_mb)
    return row, store, run_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="dprk-2025")
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--engines", default="eum", help="comma-separated engines")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", type=Path, default=None, help="where the stores go (temp)")
    parser.add_argument("--sobol-n", type=int, default=1024, help="Sobol' N (0: skip)")
    parser.add_argument(
        "--dask-defaults",
        action="store_true",
        help="run the sweeps' workers with Dask's own settings, as before issue #9",
    )
    args = parser.parse_args()
    if args.dask_defaults:
        sweep_cluster._local_config = lambda: {}  # no allocator thresholds, louder monitors

    sc = load(args.scenario)
    engines = tuple(e.strip() for e in args.engines.split(",") if e.strip())
    spec = SweepSpec(sc, args.samples, args.seed, engines)
    counts = [int(k) for k in args.workers.split(",")]
    n = args.samples
    load_before = os.getloadavg()
    print(f"bare engine: {n:,} samples in this process...", flush=True)
    bare, reference = run_bare(spec)
    print(f"  {bare.seconds:.1f} s, {bare.per_cpu(n):,.0f} samples per CPU s", flush=True)
    rows = [bare]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        stores = []
        for k in counts:
            print(f"sweep of {n:,} samples with {k} worker(s)...", flush=True)
            row, store, run_id = run_sweep(spec, k, args.chunk, Path(tmp))
            rows.append(row)
            stores.append((store, run_id))
            print(f"  {row.seconds:.1f} s, {row.per_cpu(n):,.0f} samples per CPU s", flush=True)
        identical = all(outputs_equal(reference, s.outputs(r)[1]) for s, r in stores)
        print(f"bare engine again: {n:,} samples in this process...", flush=True)
        again, _ = run_bare(spec)
        again.label = "bare engine, again after the sweeps"
        rows.append(again)
        store, run_id = stores[-1]
        t = time.perf_counter()
        paths = store.export(run_id, Path(tmp) / "export")
        export_s = time.perf_counter() - t
        export_mb = paths[1].stat().st_size / 2**20
        store_mb = store.path.stat().st_size / 2**20
    load_after = os.getloadavg()

    one = next((r for r in rows if r.workers == 1), None)
    # the machine's speed drifts over minutes: compare with the mean of the two bare runs
    base = n / ((bare.cpu + again.cpu) / 2)
    print()
    print(
        f"Run of {date.today().isoformat()}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs ({default_workers()} usable by this process), Python "
        f"{platform.python_version()}, numpy {np.__version__}; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after."
    )
    print(
        f"{n:,} samples of {args.scenario} (engines: {', '.join(engines)}; "
        f"{len(reference)} outputs), seed {args.seed}; sweeps in chunks of {args.chunk:,}"
        + (", workers with Dask's default settings." if args.dask_defaults else ".")
    )
    print()
    print(
        "| run | wall (s) | CPU (s) | of which system | samples per CPU s | vs bare "
        "| speed-up vs 1 worker | cores obtained | driver CPU (s) | first chunk (s) "
        "| driver peak RSS (MB) | worker peak RSS (MB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        speedup = one.seconds / r.seconds if one and r.workers else float("nan")
        print(
            f"| {r.label} | {r.seconds:.1f} | {r.cpu:.1f} | {r.system / r.cpu:.0%} "
            f"| {r.per_cpu(n):,.0f} | {r.per_cpu(n) / base:.2f} "
            f"| {_num(speedup)} | {r.cpu / r.seconds:.2f} | {_num(r.driver_cpu, 1)} "
            f"| {_num(r.first, 1)} | {_num(r.driver_mb, 0)} | {_num(r.worker_mb, 0)} |"
        )
    print()
    sweeps = [r for r in rows if r.workers]
    efficiency = min(r.per_cpu(n) / base for r in sweeps)
    two = next((r for r in rows if r.workers == 2), None)
    speedup = one.seconds / two.seconds if one and two else float("nan")
    rss = max(max(r.driver_mb, r.worker_mb) for r in sweeps)
    print(f"bit-identical outputs (bare engine and every sweep): {'yes' if identical else 'NO'}")
    print(f"store {store_mb:.0f} MB; export to Parquet {export_s:.1f} s, {export_mb:.0f} MB")
    print(
        f"samples per worker CPU s >= {TARGET_EFFICIENCY:.0%} of the bare engine's: "
        f"{_met(efficiency >= TARGET_EFFICIENCY)} (worst {efficiency:.0%}); speed-up of 2 "
        f"workers >= {TARGET_SPEEDUP}: {_met(speedup >= TARGET_SPEEDUP)} ({speedup:.2f}); "
        f"peak RSS < {TARGET_RSS_MB:.0f} MB: {_met(rss < TARGET_RSS_MB)} ({rss:.0f} MB)"
    )

    if args.sobol_n:
        from sensitivity import run_one as sobol_run  # benchmarks/sensitivity.py

        sobol = sobol_run(args.scenario, None, args.sobol_n, args.seed)
        print(
            f"Sobol' N={args.sobol_n} of {sobol.output} over all uncertain inputs: "
            f"{sobol.runs:,} model runs in {sobol.wall:.1f} s ({sobol.cpu:.1f} s CPU), "
            f"peak RSS {sobol.peak_mb:.0f} MB"
        )


def _num(x: float, digits: int = 2) -> str:
    return "-" if x != x else f"{x:.{digits}f}"


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()
