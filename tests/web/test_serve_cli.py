"""``summitry serve`` end to end through the installed console script: bad input exits 2
with one line; a good start prints the URL and serves the API on 127.0.0.1."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import IO

import pytest

from console_script import EXE


def run(*args: str) -> subprocess.CompletedProcess[str]:
    assert EXE, "the summitry console script is installed in the test environment"
    return subprocess.run([EXE, "serve", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def busy_port() -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]
    sock.close()


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["dprk-2030"], "no such scenario or file"),
        (["missing.yaml"], "missing.yaml"),
        (["--port", "0"], "--port: 0 is not a port number"),
        (["--port", "70000"], "--port: 70000 is not a port number"),
        (["--samples", "1"], "--samples: 1 is outside"),
        (["--samples", "100000000"], "--samples: 100000000 is outside"),
        (["--host", "no-such-host.invalid"], "--host: cannot resolve 'no-such-host.invalid'"),
        (["--computations", "0"], "--computations: 0 is outside 1 to 64"),
        (["--queue", "-1"], "--queue: -1 is outside 0 to 200"),
        (["--time-limit", "0"], "--time-limit: 0 is not above 0 and at most 3600"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], text: str) -> None:
    out = run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_a_busy_port_is_one_line_and_exit_2(busy_port: int) -> None:
    out = run("--port", str(busy_port))
    assert out.returncode == 2
    assert out.stderr.strip() == f"--port: port {busy_port} on 127.0.0.1 is already in use"


WAIT = 120.0
"""Seconds to wait for the server to print its URL, answer or stop: generous, so that only a
broken server reaches it, however loaded the machine."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lines_of(stream: IO[str]) -> queue.Queue[str | None]:
    """The lines ``stream`` prints, read by a thread as they come; None at the end."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def start_server(*args: str) -> tuple[subprocess.Popen[str], int, str]:
    """``summitry serve ARGS --port P`` on a free port P, once it has printed its first
    line (that line); another port if something else took P in between (a port race)."""
    assert EXE
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen(
            [EXE, "serve", *args, "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert proc.stdout is not None
        try:
            line = lines_of(proc.stdout).get(timeout=WAIT)
        except queue.Empty:
            proc.kill()
            proc.communicate()
            pytest.fail(f"the server printed nothing within {WAIT:g} s")
        if line is not None:
            return proc, port, line
        _, err = proc.communicate(timeout=WAIT)
        if proc.returncode == 2 and "is already in use" in err:
            continue  # another process took the port after free_port() released it
        pytest.fail(f"the server stopped at once ({proc.returncode}): {err}")
    pytest.fail("no free port in 5 tries")


def test_serve_prints_the_url_and_serves_the_api() -> None:
    proc, port, line = start_server("dprk-2019-hanoi", "--samples", "30")
    try:
        url = f"http://127.0.0.1:{port}/"
        assert line.startswith(f"summitry dashboard: {url}"), line
        deadline = time.monotonic() + WAIT
        while True:
            try:
                with urllib.request.urlopen(url + "api/scenarios", timeout=WAIT) as response:
                    listing = json.load(response)
                break
            except OSError:  # not listening yet: the line is printed just before
                assert proc.poll() is None, "the server stopped"
                assert time.monotonic() < deadline, f"no answer within {WAIT:g} s"
                time.sleep(0.1)
        assert listing["default"] == "dprk-2019-hanoi"
        assert listing["defaults"] == {"samples": 30, "seed": 0}
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=WAIT)
    assert proc.returncode == 0, err
    assert err.strip().splitlines()[-1:] == ["stopped"], err
    assert "Traceback" not in err
