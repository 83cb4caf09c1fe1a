"""Hostile stores and clusters through the real console script (docs/store.md, "Damaged,
foreign and newer files" and "When a run cannot be saved"; docs/limits.md): every damaged,
foreign or newer store file is one line and exit 2 in every command that opens the store,
never a traceback, and is left as it was; a store that cannot be saved into after the run
still gets the result printed, with one line saying it was not saved.

(`summitry serve` opens no store: it has no case here.)"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
from pathlib import Path

import pytest

from bad_stores import CASES, good_store
from console_script import EXE
from summitry.store import Store

from .corpus import HANG_GUARD, refused, run

COMMANDS = {
    "runs list": ("runs", "list", "--db", "{db}"),
    "runs show": ("runs", "show", "1", "--db", "{db}"),
    "runs export": ("runs", "export", "1", "--parquet", "{tmp}/out", "--db", "{db}"),
    "forecast": ("forecast", "dprk-2025", "--samples", "5", "--engine", "eum", "--db", "{db}"),
    "sweep": ("sweep", "dprk-2025", "--samples", "5", "--workers", "1", "--db", "{db}"),
    "report": ("report", "dprk-2025", "--samples", "5", "--no-png", "-o", "{tmp}/r", "--db={db}"),
}


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> bytes:
    return good_store(tmp_path_factory.mktemp("good") / "good.duckdb").read_bytes()


EVERY_PATH = ("runs show", "forecast")
"""Readers (runs list, show, export) and writers (forecast, sweep, report, compare, ...)
open the store by one code path each: every case goes through one command of each."""
SOME_CASES = ("truncated to half", "a PNG image", "a newer summitry's store")
"""Cases that go through every command."""
MATRIX = sorted(
    {(case, command) for case in CASES for command in EVERY_PATH}
    | {(case, command) for case in SOME_CASES for command in COMMANDS}
)


@pytest.mark.parametrize(("case", "command"), MATRIX)
def test_a_bad_store_file_is_one_line_in_every_command(tmp_path, original, case, command):
    make, needle = CASES[case]
    db = tmp_path / "runs.duckdb"
    make(db, original)
    before = db.read_bytes()
    args = [a.format(db=db, tmp=tmp_path) for a in COMMANDS[command]]
    line = refused(run(*args, cwd=tmp_path))
    assert str(db) in line and needle in line, line
    assert db.read_bytes() == before
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())  # no report


@pytest.mark.parametrize(
    "args",
    [
        ("runs", "show", "1", "--db", "typo.duckdb"),
        ("runs", "export", "1", "--parquet", "out", "--db", "typo.duckdb"),
        ("sweep", "--resume", "1", "--db", "typo.duckdb"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_missing_store_is_never_created_by_readers_or_resume(tmp_path, args):
    assert "no store at typo.duckdb" in refused(run(*args, cwd=tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_runs_list_on_a_missing_store_creates_nothing(tmp_path):
    out = run("runs", "list", "--db", "typo.duckdb", cwd=tmp_path)
    assert out.returncode == 0 and "does not exist" in out.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--scheduler", "http://127.0.0.1:1"), "the scheme 'http' is not supported"),
        (("--scheduler", "ucx://127.0.0.1:8786"), "the scheme 'ucx' is not supported"),
        (("--scheduler", "tcp://127.0.0.1:70000"), "PORT from 1 to 65535"),
        (("--scheduler", "tcp://127.0.0.1"), "tcp://HOST:PORT"),
        (("--workers", "200"), "local workers on this machine"),
        (("--workers", "100000000"), "local workers on this machine"),
    ],
)
def test_hostile_cluster_settings_are_refused_before_anything_starts(tmp_path, args, needle):
    line = refused(run("sweep", "dprk-2025", *args, "--db", "runs.duckdb", cwd=tmp_path))
    assert needle in line
    assert list(tmp_path.iterdir()) == []


def test_forecast_into_a_directory_it_cannot_write_is_refused_before_it_runs(tmp_path):
    if os.geteuid() == 0:
        directory = Path("/sys/kernel")  # nobody may create files there, not even root
    else:
        directory = tmp_path / "read-only"
        directory.mkdir()
        directory.chmod(0o555)
    out = run("forecast", "dprk-2025", "--samples", "5", "--db", directory / "x.duckdb",
              cwd=tmp_path)  # fmt: skip
    assert "cannot create files in" in refused(out)  # refused: nothing printed on stdout


def _file_size_limit(limit: int):
    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_files


def test_a_save_that_fails_after_the_check_prints_the_result_and_says_so(tmp_path):
    """The store passes the check before the run (a new, empty store is small), then the
    run's samples do not fit under the file size limit (``ulimit -f``, real EFBIG errors
    in DuckDB): the forecast's result is printed whole, then one line says it was not
    saved and why, exit code 1; the store keeps what it had."""
    assert EXE
    db = tmp_path / "runs.duckdb"
    Store(db).check()
    out = subprocess.run(
        [EXE, "forecast", "dprk-2025", "--samples", "20000", "--engine", "eum", "--json",
         "--db", str(db)],
        capture_output=True, text=True, timeout=HANG_GUARD, cwd=tmp_path,
        preexec_fn=_file_size_limit(db.stat().st_size + 2**20), stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert out.returncode == 1, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    result = json.loads(out.stdout)
    assert result["samples"] == 20000
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("not saved: "), out.stderr
    assert "file size limit" in lines[0] and str(db) in lines[0]
    assert Store(db).runs() == []


def test_an_export_that_cannot_be_written_names_the_export_not_the_store(tmp_path, original):
    """A write error of the Parquet file (here the file size limit) is the export's, and
    says so (with DuckDB's own reason: DuckDB removes the part it could not finish, so
    nothing is left to measure); it is not taken for damage of the store being read."""
    assert EXE
    db = tmp_path / "runs.duckdb"
    db.write_bytes(original)
    out = subprocess.run(
        [EXE, "runs", "export", "1", "--parquet", str(tmp_path / "out"), "--db", str(db)],
        capture_output=True, text=True, timeout=HANG_GUARD, cwd=tmp_path,
        preexec_fn=_file_size_limit(1000), stdin=subprocess.DEVNULL,
    )  # fmt: skip
    line = refused(out)
    assert line.startswith(f"cannot write {tmp_path / 'out' / 'run-1.parquet'}: "), line
    assert "damaged" not in line and "File too large" in line  # DuckDB's words for EFBIG
    assert len(Store(db).runs()) == 1
