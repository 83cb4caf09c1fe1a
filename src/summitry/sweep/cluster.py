"""Dask clusters for sweeps: a client on a scheduler address or on a local cluster whose
workers run with tuned allocator settings and quiet monitors (docs/store.md, "Speed")."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from summitry.sweep.chunks import SweepError

if TYPE_CHECKING:
    from distributed import Client

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
            preload=["summitry.sweep"],  # imports the engines before the first chunk
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
