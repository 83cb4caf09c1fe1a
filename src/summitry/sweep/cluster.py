"""Dask clusters for sweeps: a client on a scheduler address or on a local cluster whose
workers run with tuned allocator settings and quiet monitors (docs/store.md, "Speed")."""

from __future__ import annotations

import contextlib
import logging
import time
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
    if workers is not None:
        from summitry.budget import WorkerLimitError, check_workers

        try:
            check_workers(workers)
        except WorkerLimitError as err:
            raise SweepError(str(err)) from None
    if scheduler is not None:
        scheduler = parse_scheduler(scheduler)
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


SCHEMES = ("tcp", "tls")
"""Scheduler address schemes ``--scheduler`` accepts: ``tcp://HOST:PORT`` (a bare
``HOST:PORT`` means tcp) and ``tls://HOST:PORT`` (with the certificates of Dask's own
``distributed.comm.tls`` settings). Dask's ``inproc`` (inside one process), ``ucx`` and
``ws``/``wss`` are refused."""


def parse_scheduler(address: str) -> str:
    """``address`` as ``scheme://host:port`` after checking it without connecting: a scheme
    of :data:`SCHEMES`, a host and a port from 1 to 65535, nothing else (no user, path,
    query). :class:`SweepError` with one line otherwise."""
    from urllib.parse import urlsplit

    text = address.strip()
    shape = "a scheduler address is tcp://HOST:PORT or tls://HOST:PORT"
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        raise SweepError(f"--scheduler {address}: the scheme {scheme!r} is not supported; {shape}")
    if not rest or any(c.isspace() or not c.isprintable() for c in rest):
        raise SweepError(f"--scheduler {address}: {shape}")
    try:
        parts = urlsplit(f"{scheme}://{rest}")
        host, port = parts.hostname, parts.port
    except ValueError:
        raise SweepError(f"--scheduler {address}: {shape} (PORT from 1 to 65535)") from None
    if parts.username or parts.password or parts.path or parts.query or parts.fragment:
        raise SweepError(f"--scheduler {address}: {shape}, nothing more")
    if not host or not port:
        raise SweepError(f"--scheduler {address}: {shape} (PORT from 1 to 65535)")
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


def _probe_address(address: str) -> None:
    """Within :data:`CONNECT_TIMEOUT` in all, before any Dask client exists: something
    listens at the address (a plain TCP connection, so a closed port fails at once), and
    it answers Dask's identity request as a scheduler. A Dask client is made only after
    that, so a wrong address never leaves a half-made client behind (whose clean-up
    printed tracebacks on the way out)."""
    import asyncio
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    host, port = parts.hostname, parts.port
    assert host is not None and port is not None
    deadline = time.monotonic() + CONNECT_TIMEOUT
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise SweepError(f"cannot reach the Dask scheduler at {address}: {reason}") from None
    left = max(0.1, deadline - time.monotonic())
    try:
        reply = asyncio.run(asyncio.wait_for(_identity(address, left), left))
    except Exception as exc:  # a timeout, a refused TLS handshake, a garbled answer
        if isinstance(exc, TimeoutError | asyncio.TimeoutError):
            reason = f"no answer within {CONNECT_TIMEOUT:g} s"
        else:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SweepError(
            f"{address} does not answer as a Dask scheduler ({reason}); is that the "
            "scheduler's address?"
        ) from None
    kind = reply.get("type") if isinstance(reply, dict) else None
    if kind != "Scheduler":
        what = f"a Dask {kind}" if isinstance(kind, str) else "not a Dask scheduler"
        raise SweepError(f"{address} is {what}, not a Dask scheduler")


async def _identity(address: str, timeout: float) -> object:
    """The reply of the scheduler at ``address`` to Dask's ``identity`` request."""
    from distributed.comm import connect
    from distributed.security import Security

    args = Security().get_connection_args("client")
    comm = await connect(address, timeout=timeout, **args)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        await comm.close()


def default_workers() -> int:
    """One worker per CPU this process may use."""
    from summitry.budget import usable_cpus

    return usable_cpus()
