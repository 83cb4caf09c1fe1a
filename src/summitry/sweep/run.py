"""Running a sweep: start one, resume one, and commit its chunks as the workers finish
them, this process being the store's only writer (docs/store.md, "Sweeps and resuming")."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from summitry.store import Store, StoreError
from summitry.sweep.chunks import (
    DEFAULT_CHUNK,
    FIRST_CHUNK,
    ChunkResult,
    SweepError,
    SweepSpec,
    _forecast,
    compute_chunk,
    plan_chunks,
    resolved_options,
)
from summitry.sweep.cluster import cluster_client

if TYPE_CHECKING:
    from distributed import Client

KIND = "sweep"


class SweepFailed(SweepError):
    """A started sweep stopped on an error while computing (a task raised, or its workers
    kept dying); run ``run_id`` is marked ``failed`` and keeps its committed chunks."""

    def __init__(self, run_id: int, reason: str) -> None:
        super().__init__(f"run {run_id} failed: {reason}")
        self.run_id = run_id


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
