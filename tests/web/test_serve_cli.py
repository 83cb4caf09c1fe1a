"""``summitry serve`` end to end through the installed console script: bad input exits 2
with one line; a good start prints the URL and serves the API on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

EXE = shutil.which("summitry", path=str(Path(sys.executable).parent))


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


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_prints_the_url_and_serves_the_api() -> None:
    assert EXE
    port = free_port()
    proc = subprocess.Popen(
        [EXE, "serve", "dprk-2019-hanoi", "--port", str(port), "--samples", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = f"http://127.0.0.1:{port}/"
        assert line.startswith(f"summitry dashboard: {url}"), line
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "api/scenarios", timeout=5) as response:
                    listing = json.load(response)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert listing["default"] == "dprk-2019-hanoi"
        assert listing["defaults"] == {"samples": 30, "seed": 0}
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert err.strip().splitlines()[-1] == "stopped" and "Traceback" not in err
