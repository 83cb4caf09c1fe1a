"""The dashboard's load limits (docs/web.md, "Load limits") against the real server: uvicorn
on a free 127.0.0.1 port, forecasts in worker processes. Nothing here depends on timing: a
test holds the one slot with a request it releases itself (:class:`Held`) and waits on
events and on ``GET /api/status``, with generous bounds that only a broken server reaches."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import psutil
import pytest
from fastapi.testclient import TestClient

from summitry.web import create_app
from summitry.web.errors import RequestError
from summitry.web.limits import LoadLimits
from summitry.web.load import Busy, Gate

from .server import HOLD_SEED, Held, serving

WAIT = 120.0
"""Seconds a test waits for a condition: generous, reached only when something is broken."""
SAMPLES = 20
SPAWN = multiprocessing.get_context("spawn")


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds; fail after :data:`WAIT` seconds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {WAIT:g} s"
        time.sleep(0.02)


def forecast_body(seed: int, samples: int = SAMPLES) -> dict[str, Any]:
    return {"scenario": "dprk-2019-hanoi", "samples": samples, "seed": seed}


@contextmanager
def held_server(held: Held, limits: LoadLimits) -> Iterator[httpx.Client]:
    app = create_app(samples=SAMPLES, limits=limits, compute=held)
    with serving(app) as url, httpx.Client(base_url=url, timeout=WAIT * 2) as client:
        try:
            yield client
        finally:
            held.let_go()  # never leave a worker waiting, even when a test fails


def read_response(sock: socket.socket) -> tuple[str, str]:
    """The head and the body of one HTTP response (by its Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < length(data):
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed early: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode(), body.decode()


def length(data: bytes) -> int:
    for line in data.partition(b"\r\n\r\n")[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def status(client: httpx.Client) -> dict[str, int]:
    response = client.get("/api/status")
    assert response.status_code == 200
    computations = response.json()["computations"]
    assert isinstance(computations, dict)
    return computations


def test_a_burst_beyond_the_slot_and_the_queue_gets_503_with_retry_after() -> None:
    held = Held(SPAWN)
    with held_server(held, LoadLimits(computations=1, queue=1)) as client:
        cached = client.post("/api/forecast", json=forecast_body(seed=1))
        assert cached.status_code == 200, cached.text

        def post(seed: int) -> httpx.Response:
            return client.post("/api/forecast", json=forecast_body(seed))

        with ThreadPoolExecutor(max_workers=12) as pool:
            holder = pool.submit(post, HOLD_SEED)
            assert held.started.wait(WAIT), "the held forecast did not start"
            waiter = pool.submit(post, 2)
            wait_until(lambda: status(client)["waiting"] == 1, "the second request queued")
            assert status(client) == {"running": 1, "waiting": 1, "slots": 1, "queue": 1}

            burst = [pool.submit(post, seed) for seed in range(10, 20)]
            refused = [f.result() for f in burst]  # answered while the slot is still held
            again = post(1)  # a cached answer needs no slot
            assert not holder.done() and not waiter.done()
            held.let_go()
            answered = [holder.result(), waiter.result()]

        statuses = [r.status_code for r in [*answered, *refused]]
        assert set(statuses) <= {200, 503}
        assert statuses.count(503) == len(burst) >= 1
        assert [r.status_code for r in answered] == [200, 200]
        for r in answered:
            assert r.json()["request"]["samples"] == SAMPLES
        for r in refused:
            assert int(r.headers["Retry-After"]) >= 1
            assert r.headers["content-type"] == "application/json"
            detail = r.json()["detail"]
            assert detail.startswith("the server is busy (forecasts: 1 running, 1 waiting)")
        assert again.status_code == 200 and again.content == cached.content

        after = client.post("/api/forecast", json=forecast_body(seed=3))
        assert after.status_code == 200 and after.json()["request"]["seed"] == 3
        assert status(client) == {"running": 0, "waiting": 0, "slots": 1, "queue": 1}


def test_a_forecast_over_the_time_limit_is_504_and_its_worker_is_killed() -> None:
    held = Held(SPAWN, real=False)
    with held_server(held, LoadLimits(computations=1, queue=0, time_limit=1)) as client:
        first = client.post("/api/forecast", json=forecast_body(seed=1))
        assert first.status_code == 200, first.text

        slow = client.post("/api/forecast", json=forecast_body(HOLD_SEED))
        assert slow.status_code == 504
        assert slow.json()["detail"] == (
            "the forecast took longer than the server's limit of 1 s and was stopped; "
            "ask for fewer samples"
        )
        killed = held.pid.value
        assert killed == first.json()["pid"]  # the worker that was kept after the first
        assert not held.finished.is_set()  # it was still waiting when it was stopped
        with pytest.raises(ProcessLookupError):
            os.kill(killed, 0)  # killed and reaped before the answer was sent

        after = client.post("/api/forecast", json=forecast_body(seed=2))
        assert after.status_code == 200, after.text
        assert after.json()["pid"] not in (0, killed)  # a new worker
        assert status(client)["running"] == 0


def test_a_worker_that_dies_gives_500_and_is_replaced() -> None:
    held = Held(SPAWN, real=False)
    with held_server(held, LoadLimits(computations=1, queue=0)) as client:
        first = client.post("/api/forecast", json=forecast_body(seed=1))
        assert first.status_code == 200, first.text
        idle = first.json()["pid"]
        os.kill(idle, signal.SIGKILL)  # an idle worker killed from outside
        wait_until(lambda: psutil.Process(idle).status() == psutil.STATUS_ZOMBIE, "it died")
        second = client.post("/api/forecast", json=forecast_body(seed=2))
        assert second.status_code == 200, second.text  # on a new worker, nothing lost
        assert second.json()["pid"] != idle

        with ThreadPoolExecutor(1) as pool:
            holder = pool.submit(client.post, "/api/forecast", json=forecast_body(HOLD_SEED))
            assert held.started.wait(WAIT), "the held forecast did not start"
            os.kill(held.pid.value, signal.SIGKILL)  # a busy worker killed from outside
            died = holder.result()
        assert died.status_code == 500
        assert died.json()["detail"].startswith("the forecast's worker process failed")
        third = client.post("/api/forecast", json=forecast_body(seed=3))
        assert third.status_code == 200, third.text
        assert status(client)["running"] == 0


def test_request_bodies_over_the_limit_get_413_before_they_are_read() -> None:
    limits = LoadLimits(computations=1, queue=0, max_body_bytes=1_000)
    with serving(create_app(samples=SAMPLES, limits=limits)) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=WAIT) as sock:
            sock.sendall(  # the headers only: the answer must not wait for the body
                b"POST /api/forecast HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n"
            )
            head, text = read_response(sock)
        assert head.startswith("HTTP/1.1 413")
        assert json.loads(text)["detail"] == (
            "the request body is larger than the limit of 1,000 bytes"
        )
        small = httpx.post(url + "/api/forecast", json={"scenario": "no-such"}, timeout=WAIT)
        assert small.status_code == 422  # under the limit: read and checked as usual


def test_a_chunked_body_over_the_limit_gets_413() -> None:
    limits = LoadLimits(max_body_bytes=1_000)
    client = TestClient(create_app(limits=limits), base_url="http://127.0.0.1")
    chunks = [b'{"scenario": "dprk-2025", "overrides": {', *[b" " * 100] * 20, b"}}"]
    response = client.post(
        "/api/forecast", content=iter(chunks), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "larger than the limit of 1,000 bytes" in response.json()["detail"]
    small = client.post(
        "/api/forecast",
        content=iter([b'{"scenario": ', b'"dprk-2030"}']),
        headers={"Content-Type": "application/json"},
    )
    assert small.status_code == 422 and "unknown scenario 'dprk-2030'" in small.text


def test_status_reports_the_limits() -> None:
    limits = LoadLimits(computations=3, queue=5, time_limit=30)
    data = TestClient(create_app(limits=limits), base_url="http://127.0.0.1").get("/api/status")
    assert data.json() == {
        "computations": {"running": 0, "waiting": 0, "slots": 3, "queue": 5},
        "time_limit": 30,
        "max_body_bytes": 1_000_000,
    }


# -- the gate on its own --------------------------------------------------------------------


def test_the_gate_admits_slots_then_queues_then_refuses() -> None:
    gate = Gate(slots=2, queue=1)
    inside = threading.Barrier(3)
    leave = threading.Event()
    queued_in = threading.Event()

    def hold() -> None:
        with gate.admit():
            inside.wait(WAIT)
            leave.wait(WAIT)

    def queued() -> None:
        with gate.admit():
            queued_in.set()

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for t in holders:
        t.start()
    inside.wait(WAIT)  # both slots held
    waiter = threading.Thread(target=queued)
    waiter.start()
    wait_until(lambda: gate.status()["waiting"] == 1, "the third caller queued")
    with pytest.raises(Busy) as refused, gate.admit():
        pass
    assert refused.value.status == 503 and refused.value.headers == {"Retry-After": "5"}
    assert not queued_in.is_set()
    leave.set()
    assert queued_in.wait(WAIT)
    for t in [*holders, waiter]:
        t.join(WAIT)
    assert gate.status() == {"running": 0, "waiting": 0, "slots": 2, "queue": 1}
    assert 1 <= gate.retry_after() <= 3600


def test_a_failing_forecast_frees_its_slot() -> None:
    gate = Gate(slots=1, queue=0)
    with pytest.raises(RequestError), gate.admit():
        raise RequestError("", "engine failure", 400)
    with gate.admit():
        assert gate.status()["running"] == 1
    assert gate.status()["running"] == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("computations", 0), ("queue", -1), ("time_limit", 0.0), ("time_limit", float("nan"))],
)
def test_limits_refuse_impossible_values(field: str, value: float) -> None:
    given: dict[str, Any] = {field: value}
    with pytest.raises(ValueError, match=field):
        LoadLimits(**given)
