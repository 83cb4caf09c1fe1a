"""Hostile sweep settings (docs/store.md, "Sweeps and resuming"; docs/limits.md): scheduler
addresses checked before connecting, a scheduler that is not there or does not answer, too
many workers and `--resume` on a missing store each end in one line and exit 2, with no
traceback on the way out, in real subprocesses."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from console_script import EXE
from summitry.budget import max_workers
from summitry.sweep import CONNECT_TIMEOUT, SweepError, parse_scheduler

GUARD = 600
"""Seconds after which a command counts as hung (a guard, never a timing assertion)."""


def sweep(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert EXE, "the summitry console script is installed in the test environment"
    return subprocess.run(
        [EXE, "sweep", *args],
        capture_output=True,
        text=True,
        timeout=GUARD,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )


def one_line(out: subprocess.CompletedProcess[str], needle: str) -> str:
    assert out.returncode == 2, (out.returncode, out.stderr[-2000:])
    assert "Traceback" not in out.stderr and "Exception ignored" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], out.stderr
    assert out.stdout == ""
    return lines[0]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("tcp://127.0.0.1:8786", "tcp://127.0.0.1:8786"),
        ("127.0.0.1:8786", "tcp://127.0.0.1:8786"),
        ("TCP://scheduler.example:1", "tcp://scheduler.example:1"),
        ("tls://10.0.0.5:8786", "tls://10.0.0.5:8786"),
        ("tcp://[::1]:8786", "tcp://[::1]:8786"),
    ],
)
def test_scheduler_addresses_that_are_accepted(address, expected):
    assert parse_scheduler(address) == expected


@pytest.mark.parametrize(
    ("address", "needle"),
    [
        ("http://127.0.0.1:8786", "the scheme 'http' is not supported"),
        ("inproc://127.0.0.1/1/2", "the scheme 'inproc' is not supported"),
        ("ucx://127.0.0.1:8786", "the scheme 'ucx' is not supported"),
        ("tcp://127.0.0.1", "PORT from 1 to 65535"),
        ("tcp://127.0.0.1:0", "PORT from 1 to 65535"),
        ("tcp://127.0.0.1:99999", "PORT from 1 to 65535"),
        ("tcp://127.0.0.1:port", "PORT from 1 to 65535"),
        ("tcp://:8786", "PORT from 1 to 65535"),
        ("tcp://", "tcp://HOST:PORT"),
        ("tcp://user:secret@127.0.0.1:8786", "nothing more"),
        ("tcp://127.0.0.1:8786/path", "nothing more"),
        ("tcp://127.0.0.1:8786?x=1", "nothing more"),
        ("tcp://127.0.0.1 :8786", "tcp://HOST:PORT"),
        ("tcp://127.0.0.1:8786\x1b[2J", "tcp://HOST:PORT"),
    ],
)
def test_malformed_scheduler_addresses_are_refused_before_connecting(address, needle):
    with pytest.raises(SweepError, match=r"^--scheduler .*") as err:
        parse_scheduler(address)
    assert needle in str(err.value) and "\n" not in str(err.value)


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port bound (so no other process takes it) but not listening: a connect
    to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])


@contextlib.contextmanager
def silent_listener() -> Iterator[int]:
    """A loopback server that accepts connections and never says a word."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=GUARD)
        for conn in held:
            conn.close()
        server.close()


def test_a_closed_port_is_one_line_and_nothing_on_the_way_out(tmp_path):
    with closed_port() as port:
        out = sweep("dprk-2025", "--samples", "5", "--scheduler", f"tcp://127.0.0.1:{port}",
                    "--db", str(tmp_path / "runs.duckdb"), cwd=tmp_path)  # fmt: skip
    line = one_line(out, f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}")
    assert "refused" in line.lower()


def test_a_listener_that_is_not_a_scheduler_is_one_line_within_the_connect_timeout(tmp_path):
    """Something listens but never answers: Dask's identity request times out after
    CONNECT_TIMEOUT seconds and the sweep says so; no Dask client was ever made, so nothing
    is printed on the way out."""
    with silent_listener() as port:
        out = sweep("dprk-2025", "--samples", "5", "--scheduler", f"127.0.0.1:{port}",
                    "--no-store", cwd=tmp_path)  # fmt: skip
    line = one_line(out, "does not answer as a Dask scheduler")
    assert f"no answer within {CONNECT_TIMEOUT:g} s" in line


@pytest.mark.parametrize(
    ("address", "needle"),
    [
        ("http://127.0.0.1:1", "the scheme 'http' is not supported"),
        ("tcp://127.0.0.1", "tcp://HOST:PORT or tls://HOST:PORT"),
    ],
)
def test_a_malformed_address_is_refused_before_anything_runs(tmp_path, address, needle):
    db = tmp_path / "runs.duckdb"
    one_line(sweep("dprk-2025", "--scheduler", address, "--db", str(db), cwd=tmp_path), needle)
    assert not db.exists(), "refused before the store is even opened"


def test_too_many_workers_are_refused_before_any_process_starts(tmp_path):
    db = tmp_path / "runs.duckdb"
    most = max_workers()
    line = one_line(
        sweep("dprk-2025", "--workers", str(most + 1), "--db", str(db), cwd=tmp_path),
        f"--workers {most + 1:,}: at most {most} local workers on this machine",
    )
    assert "per CPU" in line
    assert not db.exists()


def test_resume_on_a_missing_store_creates_no_file(tmp_path):
    one_line(sweep("--resume", "3", "--db", "typo.duckdb", cwd=tmp_path), "no store at typo.duckdb")
    assert list(tmp_path.iterdir()) == []


def test_a_sweep_whose_commits_cannot_be_written_stops_with_one_line_and_resumes(tmp_path):
    """Under a file size limit (``ulimit -f``: real EFBIG write errors in DuckDB) the store
    passes the check, then a chunk's commit cannot be written: one line naming the cause
    and the --resume command, exit 2; the committed chunks stay, and --resume without the
    limit finishes the run with the samples of an uninterrupted one."""
    import resource
    import signal

    from summitry.forecast import forecast
    from summitry.scenario import load
    from summitry.store import Store
    from summitry.sweep import outputs_equal

    db = tmp_path / "runs.duckdb"
    Store(db).check()
    limit = db.stat().st_size + 2**19

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    args = ["dprk-2025", "--samples", "8000", "--chunk", "2000", "--workers", "1"]
    args += ["--engines", "eum", "--seed", "3", "--db", str(db)]
    assert EXE
    out = subprocess.run(
        [EXE, "sweep", *args], capture_output=True, text=True, timeout=GUARD, cwd=tmp_path,
        preexec_fn=limit_files, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    line = one_line(out, f"cannot write {db}: file size limit")
    assert line.endswith(f"continue it with: summitry sweep --resume 1 --db {db}")
    resumed = sweep("--resume", "1", "--db", str(db), cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    store = Store(db)
    assert store.run(1).info.complete
    _, values = store.outputs(1)
    expected = forecast(load("dprk-2025"), 8000, 3, engines=("eum",)).outputs()
    assert outputs_equal(values, expected)
