"""Sweeps: one large forecast split into chunks, computed by Dask workers, stored chunk by chunk.

    from summitry.distributed import SweepSpec, start_sweep, resume_sweep
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
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from summitry.forecast import ENGINES
from summitry.store import (
    Store,
    StoreError,
    canonical_json,
    kill_hook,
    scenario_data,
    scenario_from_data,
)

if TYPE_CHECKING:
    from distributed import Client

    from summitry.forecast import Forecast
    from summitry.scenario import Scenario

KIND = "sweep"
DEFAULT_CHUNK = 10_000
FIRST_CHUNK = 2_000
"""Size of a sweep's first chunk: chunks then double up to the chunk size
(:func:`plan_chunks`), so the first results, and with them a rate and an ETA, come within
seconds however large the chunks are."""
SUBCHUNK = 4096
"""Samples a worker runs at once inside a chunk (bounds a worker's memory)."""
WORKER_ENVIRON: dict[str, int] = {
    "MALLOC_MMAP_THRESHOLD_": 32 * 2**20,
    "MALLOC_TRIM_THRESHOLD_": 64 * 2**20,
}
"""glibc allocator settings for the local cluster's worker processes, in place of Dask's
default ``MALLOC_TRIM_THRESHOLD_=65536``: setting that fixes glibc's mmap threshold at
128 KiB, so every larger array the engines allocate is mapped and unmapped afresh
(millions of page faults: about half a worker's CPU time went to the kernel). These are
the largest thresholds glibc's own dynamic adjustment reaches in a plain process, where the
engines run at full speed (docs/store.md, "Speed"; benchmarks/README.md, "Sweeps")."""
CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a Dask scheduler given by address."""
WORKER_TIMEOUT = 60.0
"""Seconds to wait for the first worker of a cluster given by address."""


class SweepError(Exception):
    """A sweep cannot start or continue; the message is one line for the user."""


class SweepFailed(SweepError):
    """A started sweep stopped on an error while computing (a task raised, or its workers
    kept dying); run ``run_id`` is marked ``failed`` and keeps its committed chunks."""

    def __init__(self, run_id: int, reason: str) -> None:
        super().__init__(f"run {run_id} failed: {reason}")
        self.run_id = run_id


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep computes: ``samples`` draws of ``scenario`` from ``seed``, with the
    engines and expected-utility overrides of :func:`summitry.forecast.forecast`."""

    scenario: Scenario
    samples: int
    seed: int = 0
    engines: tuple[str, ...] = ENGINES
    variant: str | None = None
    rounds: int | None = None

    def params(self) -> dict[str, Any]:
        """The run parameters as stored (``options`` adds the resolved engine options)."""
        return {"engines": list(self.engines), "variant": self.variant, "rounds": self.rounds}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the scenario as its canonical JSON text, not as a pydantic object, so a
        worker rebuilds it with its own summitry (once per worker, see :func:`_rebuild`)."""
        text = canonical_json(scenario_data(self.scenario))
        args = (text, self.samples, self.seed, self.engines, self.variant, self.rounds)
        return (_rebuild, args)


_SCENARIOS: dict[str, Scenario] = {}
"""Scenarios rebuilt in this process, by their JSON text (workers see few of them)."""


def _rebuild(
    text: str,
    samples: int,
    seed: int,
    engines: tuple[str, ...],
    variant: str | None,
    rounds: int | None,
) -> SweepSpec:
    if text not in _SCENARIOS:
        if len(_SCENARIOS) > 8:
            _SCENARIOS.clear()
        _SCENARIOS[text] = scenario_from_data(json.loads(text), "<scenario of a sweep>")
    return SweepSpec(_SCENARIOS[text], samples, seed, engines, variant, rounds)


@dataclass(frozen=True)
class ChunkResult:
    """One computed chunk: samples ``start .. stop - 1`` of every output."""

    start: int
    stop: int
    outputs: dict[str, NDArray[np.float64]]
    seconds: float
    worker: str


def compute_chunk(spec: SweepSpec, start: int, stop: int) -> ChunkResult:
    """Samples ``[start, stop)`` of ``spec`` (runs on a worker; pure, no store access).

    Runs :func:`summitry.forecast.forecast` on pieces of at most :data:`SUBCHUNK` samples
    and keeps only the per-sample outputs, so a worker's memory does not grow with the
    chunk."""
    kill_hook(start, "compute")
    t0 = time.perf_counter()
    parts = []
    for a in range(start, stop, SUBCHUNK):
        b = min(a + SUBCHUNK, stop)
        parts.append(_forecast(spec, a, b - a).outputs())
    outputs = {k: np.ascontiguousarray(np.concatenate([p[k] for p in parts])) for k in parts[0]}
    return ChunkResult(start, stop, outputs, time.perf_counter() - t0, _worker_name())


def _forecast(spec: SweepSpec, start: int, size: int) -> Forecast:
    from summitry.forecast import forecast as run_forecast

    return run_forecast(
        spec.scenario,
        size,
        spec.seed,
        start=start,
        engines=spec.engines,
        variant=spec.variant,
        rounds=spec.rounds,
        chunk=SUBCHUNK,
    )


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def plan_chunks(
    missing: Sequence[tuple[int, int]], chunk: int, first: int | None = None
) -> list[tuple[int, int]]:
    """Cut every missing range ``[a, b)``, in order, into chunks of ``chunk`` samples from
    ``a``; with ``first``, the plan's first chunk has ``min(first, chunk)`` samples and
    each next one twice the last, up to ``chunk`` (a chunk is also cut where a range ends).
    Which chunk a sample lands in never changes its values (module docstring)."""
    if chunk < 1:
        raise SweepError(f"--chunk must be at least 1, got {chunk}")
    size = chunk if first is None else max(1, min(first, chunk))
    plan: list[tuple[int, int]] = []
    for a, b in missing:
        s = a
        while s < b:
            plan.append((s, min(s + size, b)))
            s = plan[-1][1]
            size = min(2 * size, chunk)
    return plan


@dataclass
class Throughput:
    """A sweep's rate and time left, from the samples committed since it began computing.

    ``todo`` samples were missing at clock reading ``began`` (seconds, any monotonic
    clock); :meth:`add` records ``n`` more committed at ``now``. The rate is the samples
    committed over the time they took, ``done / (at - began)``, known from the first
    chunk on; the time left at ``now`` is ``(todo - done) / rate - (now - at)``, at least 0.
    """

    todo: int
    began: float
    done: int = 0
    at: float | None = None

    def add(self, n: int, now: float) -> None:
        self.done += n
        self.at = now

    def rate(self) -> float | None:
        """Samples per second, or None before the first chunk."""
        if self.at is None or self.done < 1 or self.at <= self.began:
            return None
        return self.done / (self.at - self.began)

    def eta(self, now: float) -> float | None:
        """Seconds until the last sample is committed at this rate, or None."""
        rate = self.rate()
        if rate is None or self.at is None:
            return None
        return max(0.0, (self.todo - self.done) / rate - (now - self.at))

    def describe(self, now: float) -> str:
        """``12,345/s  ETA 0:01:23`` (dashes before the first chunk)."""
        rate, eta = self.rate(), self.eta(now)
        if rate is None or eta is None:
            return "-/s  ETA -:--:--"
        minutes, seconds = divmod(round(eta), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{rate:,.0f}/s  ETA {hours}:{minutes:02d}:{seconds:02d}"


def engine_options(fc: Forecast) -> dict[str, Any]:
    """Every engine's resolved options in a forecast: ``eum`` and, for each further engine
    whose options :meth:`Forecast.to_dict` reports as ``<engine>_options``, ``<engine>``."""
    record = fc.to_dict()
    out: dict[str, Any] = {"eum": record.get("options")}
    for key, value in record.items():
        if key.endswith("_options"):
            out[key.removesuffix("_options")] = value
    return out


def resolved_options(spec: SweepSpec, probe: Forecast) -> dict[str, Any]:
    """Run parameters plus the engine options they resolve to (what the store keeps)."""
    return {**spec.params(), **engine_options(probe)}


# -- clusters --------------------------------------------------------------------------------


@contextlib.contextmanager
def cluster_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Client]:
    """A Dask client: on ``scheduler`` (an address such as ``tcp://127.0.0.1:8786``), or on
    a new LocalCluster of ``workers`` single-threaded worker processes (default: one per
    CPU). Closed (and the local cluster shut down) on exit."""
    import dask
    from distributed import Client, LocalCluster

    if workers is not None and scheduler is not None:
        raise SweepError("give either --workers or --scheduler, not both")
    if workers is not None and workers < 1:
        raise SweepError(f"--workers must be at least 1, got {workers}")
    if scheduler is not None:
        _probe_address(scheduler)
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except Exception as exc:  # distributed raises OSError, TimeoutError, ValueError...
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SweepError(f"cannot reach the Dask scheduler at {scheduler}: {reason}") from None
        try:
            try:
                client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
            except Exception:
                raise SweepError(
                    f"no Dask worker joined the scheduler at {scheduler} "
                    f"within {WORKER_TIMEOUT:g} s"
                ) from None
            yield client
        finally:
            client.close()
        return
    n = workers if workers is not None else default_workers()
    with dask.config.set(_local_config()):
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # no dashboard; the scheduler's small HTTP server on any free local port
            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
            preload=["summitry.distributed"],  # imports the engines before the first chunk
        )
    try:
        client = Client(cluster, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def _local_config() -> dict[str, Any]:
    """Dask settings for a local cluster, read when its scheduler and worker processes
    start: the allocator thresholds of :data:`WORKER_ENVIRON` (Dask's one BLAS/OpenMP
    thread per worker is kept); no statistical profiler sampling the worker's threads
    every 10 ms, and the event-loop tick, system monitor and memory monitor every 1-5 s
    instead of every 20-500 ms: with no dashboard to show them they only cost CPU time
    (about 17 ms per second per idle worker, 2.5 ms with these settings)."""
    environ = "distributed.nanny.pre-spawn-environ"
    return {
        **{f"{environ}.{k}": v for k, v in WORKER_ENVIRON.items()},
        "distributed.worker.profile.enabled": False,
        "distributed.admin.tick.interval": "1s",
        "distributed.admin.system-monitor.interval": "5s",
        "distributed.worker.memory.monitor-interval": "1s",
    }


def _probe_address(address: str) -> None:
    """Fail at once when nothing listens at a ``tcp://host:port`` address (Dask's own
    connect retries until its timeout); other protocols are left to Dask."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp":
        return
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise SweepError(f"{address} is not a scheduler address like tcp://HOST:PORT") from None
    if not host or port is None:
        raise SweepError(f"{address} is not a scheduler address like tcp://HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise SweepError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


def default_workers() -> int:
    """One worker per CPU this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# -- running ---------------------------------------------------------------------------------


def start_sweep(
    store: Store,
    spec: SweepSpec,
    *,
    chunk: int = DEFAULT_CHUNK,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> int:
    """Create a sweep run in ``store``, compute every chunk, finish it; return the run id.

    Uses ``client`` when given, else :func:`cluster_client` (``workers``/``scheduler``).
    ``progress`` is called with each committed chunk's size (:func:`run_chunks`);
    ``on_start`` with the run id once the run exists and the cluster is up, just before the
    first chunk is submitted."""
    if spec.samples < 1:
        raise SweepError(f"--samples must be at least 1, got {spec.samples}")
    if chunk < 1:
        raise SweepError(f"--chunk must be at least 1, got {chunk}")
    probe = _forecast(spec, 0, 1)
    names = list(probe.outputs())
    with _client(client, workers, scheduler) as cl:
        run_id = store.begin_run(
            KIND,
            spec.scenario,
            spec.seed,
            resolved_options(spec, probe),
            samples=spec.samples,
            chunk=chunk,
            outputs=names,
            extra={"notes": list(probe.notes)},
        )
        if on_start:
            on_start(run_id)
        run_chunks(store, run_id, spec, cl, chunk=chunk, progress=progress)
    return run_id


def load_spec(store: Store, run_id: int) -> SweepSpec:
    """The sweep as stored with run ``run_id`` (its own copy of the scenario)."""
    record = store.run(run_id)
    if record.info.kind != KIND:
        raise SweepError(f"run {run_id} is a {record.info.kind} run, not a sweep")
    opts = record.options
    return SweepSpec(
        scenario=store.scenario(run_id),
        samples=int(record.info.samples or 0),
        seed=int(record.info.seed or 0),
        engines=tuple(opts.get("engines", ())),
        variant=opts.get("variant"),
        rounds=opts.get("rounds"),
    )


def check_resumable(store: Store, run_id: int, spec: SweepSpec) -> None:
    """Refuse to resume if this summitry would compute different numbers than the run's
    committed ones: the resolved engine options, the output names and the first committed
    sample must all match."""
    record = store.run(run_id)
    first = min((a for a, _ in record.chunk_ranges), default=0)
    probe = _forecast(spec, first, 1)
    if resolved_options(spec, probe) != record.options:
        raise SweepError(
            f"run {run_id}: this summitry resolves the engine options differently from "
            f"summitry {record.info.package_version} that started the run; start a new sweep"
        )
    fresh = probe.outputs()
    if list(fresh) != record.outputs:
        raise SweepError(f"run {run_id}: this summitry computes other outputs than the run has")
    if record.chunk_ranges:
        _, stored = store.outputs(run_id, start=first, stop=first + 1)
        for name, value in fresh.items():
            if stored[name].tobytes() != np.asarray(value, dtype=np.float64).tobytes():
                raise SweepError(
                    f"run {run_id}: this summitry computes sample {first} differently from "
                    f"the stored value of {name}; start a new sweep"
                )


def resume_sweep(
    store: Store,
    run_id: int,
    *,
    chunk: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> int:
    """Continue an unfinished sweep: compute only its missing samples (in chunks of
    ``chunk``, default the run's own chunk size) and finish it. Returns ``run_id``.
    ``progress`` and ``on_start`` as for :func:`start_sweep`."""
    spec = load_spec(store, run_id)
    check_resumable(store, run_id, spec)
    record = store.claim(run_id)
    size = chunk or record.chunk_size or DEFAULT_CHUNK
    with _client(client, workers, scheduler) as cl:
        if on_start:
            on_start(run_id)
        run_chunks(store, run_id, spec, cl, chunk=size, progress=progress)
    return run_id


@contextlib.contextmanager
def _client(client: Client | None, workers: int | None, scheduler: str | None) -> Iterator[Client]:
    if client is not None:
        yield client
    else:
        with cluster_client(workers, scheduler) as cl:
            yield cl


def run_chunks(
    store: Store,
    run_id: int,
    spec: SweepSpec,
    client: Client,
    *,
    chunk: int,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Compute the run's missing chunks on ``client`` (:func:`plan_chunks`: the first of
    :data:`FIRST_CHUNK` samples, then doubling up to ``chunk``), commit each as it finishes
    and then call ``progress`` with its size; finish the run and return its summary. A
    failure marks the run ``failed`` (and raises
    :class:`SweepFailed`), Ctrl-C marks it ``interrupted``; both keep the committed chunks
    for :func:`resume_sweep`. A worker that dies has its chunks rerun elsewhere by Dask, up
    to the scheduler's ``distributed.scheduler.allowed-failures`` times per chunk."""
    from distributed import as_completed

    plan = plan_chunks(store.run(run_id).missing(), chunk, first=FIRST_CHUNK)
    window = 2 * max(1, len(client.nthreads())) + 1
    token = f"{os.getpid()}-{time.time_ns()}"
    pending = list(reversed(plan))
    running = as_completed(loop=client.loop)
    futures: set[Any] = set()

    def submit() -> None:
        while pending and len(futures) < window:
            a, b = pending.pop()
            fut = client.submit(
                compute_chunk, spec, a, b, key=f"summitry-sweep-{run_id}-{a}-{b}-{token}"
            )
            futures.add(fut)
            running.add(fut)

    try:
        submit()
        for fut in running:
            result: ChunkResult = fut.result()
            futures.discard(fut)
            fut.release()
            store.commit_chunk(
                run_id,
                result.start,
                result.outputs,
                seconds=result.seconds,
                worker=result.worker,
            )
            if progress:
                progress(result.stop - result.start)
            submit()
        return store.finish_run(run_id)
    except KeyboardInterrupt:
        _cancel(client, futures)
        store.set_status(run_id, "interrupted", "interrupted by the user")
        raise
    except StoreError:
        _cancel(client, futures)
        raise
    except Exception as exc:
        _cancel(client, futures)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        with contextlib.suppress(StoreError):
            store.set_status(run_id, "failed", reason)
        raise SweepFailed(run_id, reason) from exc


def _cancel(client: Client, futures: set[Any]) -> None:
    with contextlib.suppress(Exception):
        if futures:
            client.cancel(list(futures), force=True)


def outputs_equal(
    a: Mapping[str, NDArray[np.float64]], b: Mapping[str, NDArray[np.float64]]
) -> bool:
    """Bit-for-bit equality of two output dicts (same names, order and bytes)."""
    return list(a) == list(b) and all(
        np.asarray(a[k], dtype=np.float64).tobytes() == np.asarray(b[k], dtype=np.float64).tobytes()
        for k in a
    )
