"""Throughput, scaling and memory of ``summitry sweep`` on a local Dask cluster.

Run: ``.venv/bin/python benchmarks/sweep.py`` (``--help`` for the sizes). By default it
sweeps 1,000,000 expected-utility samples of the bundled dprk-2025 scenario in chunks of
50,000, once on a LocalCluster of 1 worker process and once on 2, each into a fresh store,
and prints one Markdown table with both side by side:

- wall time of the sweep (run creation, every chunk computed and committed, final
  statistics), and the cluster's start-up time apart;
- throughput (samples per second of sweep wall time) and the speed-up of 2 workers over 1;
- the CPU time the workers used (``resource.getrusage`` run on each worker before and
  after), and "cores obtained" = worker CPU time / wall time: on a shared machine the
  speed-up cannot exceed the cores the workers actually got;
- peak RSS (VmHWM from ``/proc/<pid>/status``, reset through ``/proc/<pid>/clear_refs``
  before each sweep) of the driver (this process: the store writer) and the largest of any
  worker process; psutil is not used;
- that the two sweeps stored bit-identical outputs, and the time and size of exporting the
  last one to Parquet;
- then a Sobol' analysis (N = 1024, ``--sobol-n``; 0 skips it) of the main forecast quantity
  over all the scenario's uncertain inputs: its time and peak memory, measured by
  ``benchmarks/sensitivity.py`` (which also analyses a second output).

Targets (the issue): driver and worker peak RSS under 2 GB; speed-up at least 1.6 on 2 cores.
Not a timed test; the machine's load average is printed because it moves the numbers.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import cloudpickle
import numpy as np

import memory  # benchmarks/memory.py
from memory import cpu_seconds, peak_rss_mb, reset_peak_rss
from summitry.distributed import SweepSpec, cluster_client, outputs_equal, start_sweep
from summitry.scenario import load
from summitry.store import Store

cloudpickle.register_pickle_by_value(memory)  # the workers run its functions too

TARGET_SPEEDUP = 1.6
TARGET_RSS_MB = 2048.0


@dataclass
class Row:
    workers: int
    startup: float
    seconds: float
    compute: float
    cpu: float
    driver_mb: float
    worker_mb: float
    file_mb: float

    def rate(self, samples: int) -> float:
        return samples / self.seconds


def run_one(spec: SweepSpec, workers: int, chunk: int, directory: Path) -> tuple[Row, Store, int]:
    """One sweep on a fresh LocalCluster of ``workers`` processes into a fresh store."""
    store = Store(directory / f"sweep-{workers}.duckdb")
    store.check()
    t0 = time.perf_counter()
    with cluster_client(workers=workers) as client:
        startup = time.perf_counter() - t0
        reset_peak_rss()
        client.run(reset_peak_rss)
        cpu0 = sum(client.run(cpu_seconds).values())
        t1 = time.perf_counter()
        run_id = start_sweep(store, spec, chunk=chunk, client=client)
        seconds = time.perf_counter() - t1
        cpu = sum(client.run(cpu_seconds).values()) - cpu0
        driver = peak_rss_mb()
        worker = max(client.run(peak_rss_mb).values())
    ledger = store.run(run_id)
    import duckdb

    con = duckdb.connect(str(store.path), read_only=True)
    compute = con.execute("SELECT sum(seconds) FROM chunks WHERE run_id = ?", [run_id])
    compute_s = float(compute.fetchall()[0][0])
    con.close()
    assert ledger.info.complete
    size = store.path.stat().st_size / 2**20
    row = Row(workers, startup, seconds, compute_s, cpu, driver, worker, size)
    return row, store, run_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="dprk-2025")
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--engines", default="eum", help="comma-separated engines")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", type=Path, default=None, help="where the stores go (temp)")
    parser.add_argument("--sobol-n", type=int, default=1024, help="Sobol' N (0: skip)")
    args = parser.parse_args()

    sc = load(args.scenario)
    engines = tuple(e.strip() for e in args.engines.split(",") if e.strip())
    spec = SweepSpec(sc, args.samples, args.seed, engines)
    counts = [int(k) for k in args.workers.split(",")]
    load_before = os.getloadavg()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        stores = []
        for k in counts:
            print(f"sweeping {args.samples:,} samples with {k} worker(s)...", flush=True)
            row, store, run_id = run_one(spec, k, args.chunk, Path(tmp))
            rows.append(row)
            stores.append((store, run_id))
            print(f"  {row.seconds:.1f} s, {row.rate(args.samples):,.0f} samples/s", flush=True)
        values = [s.outputs(r)[1] for s, r in stores]
        identical = all(outputs_equal(values[0], v) for v in values[1:])
        n_outputs = len(values[0])
        del values
        store, run_id = stores[-1]
        t = time.perf_counter()
        paths = store.export(run_id, Path(tmp) / "export")
        export_s = time.perf_counter() - t
        export_mb = paths[1].stat().st_size / 2**20
    load_after = os.getloadavg()

    base = rows[0].rate(args.samples)
    print()
    print(
        f"Run of {date.today().isoformat()}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, numpy {np.__version__}; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after."
    )
    print(
        f"{args.samples:,} samples of {args.scenario} (engines: {', '.join(engines)}; "
        f"{n_outputs} outputs), chunks of {args.chunk:,}, seed {args.seed}."
    )
    print()
    print(
        "| workers | cluster start (s) | sweep wall (s) | samples/s | speed-up | "
        "chunk compute (s, summed) | worker CPU (s) | cores obtained | "
        "samples per worker CPU s | driver peak RSS (MB) | worker peak RSS (MB) | store (MB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.workers} | {r.startup:.1f} | {r.seconds:.1f} | {r.rate(args.samples):,.0f} "
            f"| {r.rate(args.samples) / base:.2f} | {r.compute:.1f} | {r.cpu:.1f} "
            f"| {r.cpu / r.seconds:.2f} | {args.samples / r.cpu:,.0f} | {r.driver_mb:.0f} "
            f"| {r.worker_mb:.0f} | {r.file_mb:.0f} |"
        )
    print()
    speedup = rows[-1].rate(args.samples) / base if len(rows) > 1 else float("nan")
    rss = max(max(r.driver_mb, r.worker_mb) for r in rows)
    print(f"bit-identical outputs across worker counts: {'yes' if identical else 'NO'}")
    print(f"export of the last run to Parquet: {export_s:.1f} s, {export_mb:.0f} MB")
    print(
        f"speed-up {speedup:.2f} (target >= {TARGET_SPEEDUP}: "
        f"{'met' if speedup >= TARGET_SPEEDUP else 'not met'}); peak RSS {rss:.0f} MB "
        f"(target < {TARGET_RSS_MB:.0f}: {'met' if rss < TARGET_RSS_MB else 'not met'})"
    )

    if args.sobol_n:
        from sensitivity import run_one as sobol_run  # benchmarks/sensitivity.py

        sobol = sobol_run(args.scenario, None, args.sobol_n, args.seed)
        print(
            f"Sobol' N={args.sobol_n} of {sobol.output} over all uncertain inputs: "
            f"{sobol.runs:,} model runs in {sobol.wall:.1f} s ({sobol.cpu:.1f} s CPU), "
            f"peak RSS {sobol.peak_mb:.0f} MB"
        )


if __name__ == "__main__":
    main()
