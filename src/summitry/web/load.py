"""Load limits of the dashboard: how many forecasts run at once, how many wait, how long
one may take (docs/web.md, "Load limits").

- :class:`Gate` admits at most ``computations`` forecasts at once and lets at most ``queue``
  more wait for a slot; a request beyond that is refused at once with :class:`Busy` (503
  with ``Retry-After``).
- :class:`Workers` runs each admitted forecast in a worker process of its own (started with
  ``spawn``, kept for the next forecast). The server waits at most ``time_limit`` seconds for
  the answer; a worker that has not answered by then is killed (SIGKILL), so it frees its
  CPU and memory at once, and the request gets :class:`TooSlow` (504). A new worker is
  started for the next forecast.

So at most ``computations`` forecasts hold memory at any time, whatever the burst, and none
holds it longer than ``time_limit`` seconds.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import signal
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from summitry.web.errors import RequestError
from summitry.web.limits import STARTUP_TIMEOUT, LoadLimits

log = logging.getLogger("summitry.web")

Compute = Callable[[Any], bytes]
"""What a worker runs: a prepared request -> the JSON answer (must be picklable, i.e. a
module-level function or an object of a module-level class)."""


class Busy(RequestError):
    """Every slot is taken and the queue is full: 503 with ``Retry-After`` seconds."""

    def __init__(self, running: int, waiting: int, retry_after: int) -> None:
        message = (
            f"the server is busy (forecasts: {running} running, {waiting} waiting); "
            f"try again in {retry_after} s"
        )
        super().__init__("", message, 503, {"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class TooSlow(RequestError):
    """The forecast exceeded the time limit and its worker was killed: 504."""

    def __init__(self, time_limit: float) -> None:
        message = (
            f"the forecast took longer than the server's limit of {time_limit:g} s and was "
            "stopped; ask for fewer samples"
        )
        super().__init__("", message, 504)


class Gate:
    """At most ``slots`` holders at once and at most ``queue`` waiting (thread-safe)."""

    def __init__(self, slots: int, queue: int) -> None:
        self.slots = slots
        self.queue = queue
        self.running = 0
        self.waiting = 0
        self._cond = threading.Condition()
        self._durations: deque[float] = deque(maxlen=8)

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: the mean of the last few forecasts' durations
        times the requests ahead per slot (1 to 3600; 5 before any forecast finished)."""
        if not self._durations:
            return 5
        mean = sum(self._durations) / len(self._durations)
        ahead = (self.running + self.waiting) / self.slots
        return min(3600, max(1, math.ceil(mean * ahead)))

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Hold a slot for the ``with`` block, waiting in the queue if need be; raise
        :class:`Busy` at once when every slot is taken and the queue is full."""
        with self._cond:
            if self.running >= self.slots:
                if self.waiting >= self.queue:
                    raise Busy(self.running, self.waiting, self.retry_after())
                self.waiting += 1
                try:
                    while self.running >= self.slots:
                        self._cond.wait()
                finally:
                    self.waiting -= 1
            self.running += 1
        start = time.monotonic()
        try:
            yield
        finally:
            with self._cond:
                self.running -= 1
                self._durations.append(time.monotonic() - start)
                self._cond.notify()

    def status(self) -> dict[str, int]:
        """``running``, ``waiting``, ``slots`` and ``queue`` now."""
        with self._cond:
            return {
                "running": self.running,
                "waiting": self.waiting,
                "slots": self.slots,
                "queue": self.queue,
            }


def _worker_main(conn: Connection, compute: Compute) -> None:
    """A worker process: announce readiness, then answer one request after another until
    the server closes the pipe (or exits: the pipe then ends too). Ctrl-C in a terminal
    reaches the whole process group: the worker ignores it and the server stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[Any, ...] = ("ok", compute(job))
        except RequestError as err:
            reply = ("request_error", err.field, err.message, err.status)
        except Exception as err:  # reported to the server, which logs it and answers 500
            reply = ("failed", f"{type(err).__name__}: {err}")
        conn.send(reply)


class WorkerFailed(RuntimeError):
    """A worker process ended without answering (killed from outside, out of memory)."""


class _Gone(Exception):
    """An idle worker had ended before it was given a job (killed from outside)."""


class _Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, ctx: Any, compute: Compute) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main, args=(child, compute), name="summitry-web-worker", daemon=True
        )
        self.process.start()
        child.close()
        if not self.conn.poll(STARTUP_TIMEOUT):
            self.kill()
            raise WorkerFailed(f"a worker process did not start within {STARTUP_TIMEOUT:g} s")
        try:
            self.conn.recv()
        except EOFError:
            self.kill()
            raise WorkerFailed("a worker process stopped while starting") from None

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def call(self, job: Any, time_limit: float) -> bytes:
        """The worker's answer to ``job``; :class:`TooSlow` after ``time_limit`` seconds,
        :class:`_Gone` when the process had already ended (nothing was started)."""
        if not self.process.is_alive():  # died while idle (reaped here): nothing was started
            raise _Gone
        try:
            self.conn.send(job)
        except OSError:
            raise _Gone from None
        if not self.conn.poll(time_limit):
            raise TooSlow(time_limit)
        try:
            reply = self.conn.recv()
        except (EOFError, OSError):  # OSError: the pipe reset by a process that died
            raise WorkerFailed(f"the worker process ended ({self.process.exitcode})") from None
        kind = reply[0]
        if kind == "ok":
            data = reply[1]
            assert isinstance(data, bytes)
            return data
        if kind == "request_error":
            raise RequestError(reply[1], reply[2], reply[3])
        raise WorkerFailed(reply[1])

    def kill(self) -> None:
        """SIGKILL the process and reap it."""
        self.process.kill()
        self.process.join(timeout=60)
        self.conn.close()

    def close(self) -> None:
        """Let the process end on its own (it sees the pipe close), kill it if it does not."""
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=60)


def _stop(idle: list[_Worker], busy: set[_Worker]) -> None:
    for w in [*idle, *busy]:
        w.process.kill()
        w.process.join(timeout=60)


class Workers:
    """Worker processes that run ``compute``: one per forecast in flight, kept for reuse
    (at most as many as there were forecasts at once)."""

    def __init__(self, compute: Compute) -> None:
        self.compute = compute
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        # an application dropped without a shutdown (a test client, say) ends its workers too
        weakref.finalize(self, _stop, self._idle, self._busy)

    def run(self, job: Any, time_limit: float) -> bytes:
        """``compute(job)`` in a worker process, which is killed if it takes longer than
        ``time_limit`` seconds (:class:`TooSlow`) or has failed (:class:`WorkerFailed`)."""
        with self._lock:
            if self._closed:
                raise WorkerFailed("the server is shutting down")
            worker = self._idle.pop() if self._idle else None
        if worker is None:
            worker = _Worker(self._ctx, self.compute)
        with self._lock:
            self._busy.add(worker)
        try:
            try:
                data = worker.call(job, time_limit)
            except _Gone:
                self._discard(worker, kill=True)
                worker = _Worker(self._ctx, self.compute)
                with self._lock:
                    self._busy.add(worker)
                data = worker.call(job, time_limit)
        except RequestError as err:
            if isinstance(err, TooSlow):
                log.warning(
                    "forecast over the time limit of %gs: worker %s killed", time_limit, worker.pid
                )
                self._discard(worker, kill=True)
            else:
                self._release(worker)
            raise
        except BaseException:
            self._discard(worker, kill=True)
            raise
        self._release(worker)
        return data

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            self._busy.discard(worker)
            if not self._closed:
                self._idle.append(worker)
                return
        worker.close()

    def _discard(self, worker: _Worker, *, kill: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
        if kill:
            worker.kill()

    def close(self) -> None:
        """Stop every worker: idle ones end at once, busy ones are killed."""
        with self._lock:
            self._closed = True
            idle, busy = list(self._idle), list(self._busy)
            self._idle.clear()
        for w in idle:
            w.close()
        for w in busy:
            w.process.kill()


class Computations:
    """The dashboard's forecasts under its :class:`LoadLimits`: admitted by a :class:`Gate`,
    run by :class:`Workers`."""

    def __init__(self, limits: LoadLimits, compute: Compute) -> None:
        self.limits = limits
        self.gate = Gate(limits.computations, limits.queue)
        self.workers = Workers(compute)

    def __call__(self, job: Any) -> bytes:
        """The answer to ``job``; otherwise :class:`Busy` (503), :class:`TooSlow` (504),
        the computation's own :class:`RequestError`, or one with status 500 when the worker
        process died."""
        with self.gate.admit():
            try:
                return self.workers.run(job, self.limits.time_limit)
            except (WorkerFailed, _Gone) as err:
                log.error("forecast worker failed: %s", err)
                message = f"the forecast's worker process failed ({err}); see the server's log"
                raise RequestError("", message, 500) from None

    def status(self) -> dict[str, Any]:
        """What ``GET /api/status`` reports."""
        return {
            "computations": self.gate.status(),
            "time_limit": self.limits.time_limit,
            "max_body_bytes": self.limits.max_body_bytes,
        }

    def close(self) -> None:
        self.workers.close()
