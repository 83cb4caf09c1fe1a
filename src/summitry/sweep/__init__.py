"""Sweeps: one large forecast split into chunks, computed by Dask workers, stored chunk by chunk.

    from summitry.sweep import SweepSpec, start_sweep, resume_sweep
    from summitry.store import Store
    store = Store("summitry.duckdb")
    run_id = start_sweep(store, SweepSpec(sc, samples=1_000_000, seed=0), chunk=50_000, workers=2)
    resume_sweep(store, run_id, workers=2)      # after an interruption: only missing chunks

Seeding: sample ``i`` of a sweep is row ``i`` of the seed's draws. :mod:`summitry.sampling`
makes those rows in fixed blocks of ``BLOCK`` rows, block ``k`` from its own stream
``SeedSequence(seed, spawn_key=(k,))`` (the ``k``-th child ``SeedSequence.spawn`` makes),
and every engine's own randomness comes from per-sample seeds in the same blocks. A chunk
``[a, b)`` therefore computes exactly the numbers an uninterrupted run computes for those
samples, whatever the chunk size and the number of workers, and a sweep's outputs equal
``forecast(scenario, samples, seed).outputs()`` bit for bit.

Execution: workers only compute (:func:`compute_chunk` returns arrays); this process, the
only writer, commits each finished chunk with its ledger row in one transaction
(:meth:`summitry.store.Store.commit_chunk`). A sweep killed at any moment therefore loses at
most the chunks in flight, and :func:`resume_sweep` computes the gaps of the ledger from the
scenario, seed and options stored with the run. The first chunk is small and the next ones
double (:func:`plan_chunks`), so a rate and an ETA (:class:`Throughput`) show within
seconds; a local cluster's workers run with glibc's own allocator thresholds and quiet Dask
monitors (:func:`_local_config`), so they compute as fast per CPU second as the engines in
one process (docs/store.md, "Progress" and "Speed").

The package, by concern: :mod:`~summitry.sweep.chunks` (:class:`SweepSpec`, chunk planning,
:func:`compute_chunk` on a worker), :mod:`~summitry.sweep.cluster` (Dask clients and local
clusters), :mod:`~summitry.sweep.run` (starting, resuming, committing chunks) and
:mod:`~summitry.sweep.progress` (:class:`Throughput`).
"""

from summitry.sweep.chunks import (
    DEFAULT_CHUNK,
    FIRST_CHUNK,
    SUBCHUNK,
    ChunkResult,
    SweepError,
    SweepSpec,
    compute_chunk,
    engine_options,
    plan_chunks,
    resolved_options,
)
from summitry.sweep.cluster import (
    CONNECT_TIMEOUT,
    SCHEMES,
    WORKER_ENVIRON,
    WORKER_TIMEOUT,
    cluster_client,
    default_workers,
    parse_scheduler,
)
from summitry.sweep.progress import Throughput
from summitry.sweep.run import (
    KIND,
    SweepFailed,
    check_resumable,
    load_spec,
    outputs_equal,
    resume_sweep,
    run_chunks,
    start_sweep,
)

__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_CHUNK",
    "FIRST_CHUNK",
    "KIND",
    "SCHEMES",
    "SUBCHUNK",
    "WORKER_ENVIRON",
    "WORKER_TIMEOUT",
    "ChunkResult",
    "SweepError",
    "SweepFailed",
    "SweepSpec",
    "Throughput",
    "check_resumable",
    "cluster_client",
    "compute_chunk",
    "default_workers",
    "engine_options",
    "load_spec",
    "outputs_equal",
    "parse_scheduler",
    "plan_chunks",
    "resolved_options",
    "resume_sweep",
    "run_chunks",
    "start_sweep",
]
