"""Test helpers: the dashboard served by a real uvicorn on a free 127.0.0.1 port in a
thread, and picklable ``compute`` functions that let a test hold a forecast slot."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI

from summitry.web.run import compute

START_TIMEOUT = 120.0
"""Seconds uvicorn may take to start: generous, so only a broken server exceeds it."""


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a socket bound here (no port race); its base URL.
    Waits for the server to start and, at the end, for it to shut down (workers included)."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not srv.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, f"the server did not start in {START_TIMEOUT:g} s"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=START_TIMEOUT)
        sock.close()


HOLD_SEED = 4242
"""The seed of the request that :class:`Held` holds until the test releases it."""


class Held:
    """A ``compute`` for ``create_app``: a request with seed :data:`HOLD_SEED` records its
    worker's pid, sets ``started`` and waits until the test calls :meth:`let_go` (at most
    ``hold_for`` seconds), then sets ``finished``; every other request answers at once.
    With ``real`` the answers are the real forecasts, else a small stand-in.

    The worker waits on a semaphore, not on an event: a process killed while waiting on a
    multiprocessing event leaves the event's condition broken (the next ``set`` hangs)."""

    def __init__(self, ctx: Any, *, real: bool = True, hold_for: float = 600.0) -> None:
        self.started = ctx.Event()
        self.finished = ctx.Event()
        self._gate = ctx.Semaphore(0)
        self.pid = ctx.Value("i", 0)
        self.real = real
        self.hold_for = hold_for

    def let_go(self) -> None:
        """Let the held request (and any later one) finish."""
        for _ in range(4):
            self._gate.release()

    def __call__(self, p: Any) -> bytes:
        if p.seed == HOLD_SEED:
            self.pid.value = os.getpid()
            self.started.set()
            self._gate.acquire(timeout=self.hold_for)
            self.finished.set()
        if self.real:
            return compute(p)
        return json.dumps({"seed": p.seed, "pid": os.getpid()}).encode()
