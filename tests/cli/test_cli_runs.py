"""`summitry runs list|show|export`, `--db`/`--no-store`, and bad input to the storing
commands: one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from console_script import EXE
from summitry.cli import app
from summitry.cli import runs as cli_runs
from summitry.forecast import forecast
from summitry.scenario import load
from summitry.store import DB_ENVVAR, DEFAULT_DB, Store, scenario_hash


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    assert EXE, "the summitry console script is installed in the test environment"
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env
    )


def invoke(*args: str):
    """The command in this process (fast); stderr kept apart from stdout."""
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})


def test_the_cli_and_the_store_agree_on_the_default_file():
    assert (cli_runs.DEFAULT_DB, cli_runs.DB_ENVVAR) == (DEFAULT_DB, DB_ENVVAR)


def test_forecast_is_saved_listed_shown_and_exported(tmp_path):
    db = tmp_path / "runs.duckdb"
    out = run(
        "forecast", "dprk-2019-hanoi", "--samples", "200", "--seed", "4", "--json", "--db", str(db)
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["samples"] == 200  # stdout is still the result alone
    assert f"saved as run 1 in {db} (summitry runs show 1 --db {db})" in out.stderr

    listed = invoke("runs", "list", "--db", str(db))
    assert listed.exit_code == 0, listed.output
    assert "forecast" in listed.stdout and "dprk-2019-hanoi" in listed.stdout
    assert "complete" in listed.stdout

    fc = forecast(load("dprk-2019-hanoi"), 200, 4)
    shown = invoke("runs", "show", "1", "--db", str(db), "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["kind"] == "forecast" and data["seed"] == 4 and data["complete"]
    assert data["scenario_hash"] == scenario_hash(fc.scenario)
    assert data["summary"]["issues"][0]["final_median"] == fc.to_dict()["issues"][0]["final_median"]
    name = "eum.settlement.denuclearization"
    assert data["stats"][name]["p50"] == float(np.quantile(fc.outputs()[name], 0.5))
    table = invoke("runs", "show", "1", "--db", str(db))
    assert name in table.stdout and "INCOMPLETE" not in table.stdout

    exported = invoke("runs", "export", "1", "--db", str(db), "--parquet", str(tmp_path / "x"))
    assert exported.exit_code == 0, exported.output
    frame = duckdb.sql(f"SELECT * FROM '{tmp_path / 'x' / 'run-1.parquet'}'").fetchnumpy()
    for key, values in fc.outputs().items():  # NaN (no value) is exported as NULL
        assert np.ma.filled(frame[key], np.nan).tobytes() == values.tobytes(), key
    meta = json.loads((tmp_path / "x" / "run-1.json").read_text())
    assert meta["scenario"]["name"] == "dprk-2019-hanoi"


def test_no_store_writes_nothing_and_the_env_var_picks_the_file(tmp_path):
    out = run("forecast", "--samples", "50", "--no-store", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert list(tmp_path.iterdir()) == [] and "saved" not in out.stderr
    env = {**_env(), DB_ENVVAR: str(tmp_path / "env.duckdb")}
    out = run("forecast", "--samples", "50", "--point", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env.duckdb.lock", "env.duckdb"]
    assert Store(tmp_path / "env.duckdb").runs()[0].samples == 1


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_incomplete_runs_are_marked_with_a_way_to_continue(tmp_path):
    db = tmp_path / "runs.duckdb"
    store = Store(db)
    sc = load("dprk-2025")
    run_id = store.begin_run("sweep", sc, 1, {}, samples=100, chunk=40, outputs=["x"])
    store.commit_chunk(run_id, 0, {"x": np.arange(40.0)})
    store.set_status(run_id, "interrupted", "stopped by the user")
    listed = invoke("runs", "list", "--db", str(db))
    assert "INTERRUPTED 40%" in listed.stdout
    shown = invoke("runs", "show", str(run_id), "--db", str(db))
    assert "INCOMPLETE: 40 of 100 samples stored" in shown.stdout
    assert f"summitry sweep --resume {run_id}" in shown.stdout
    exported = invoke("runs", "export", str(run_id), "--db", str(db), "--parquet", str(tmp_path))
    assert exported.exit_code == 0
    assert "interrupted" in exported.stderr and "40 stored samples" in exported.stderr


def test_listing_a_store_that_does_not_exist_says_so(tmp_path):
    out = invoke("runs", "list", "--db", str(tmp_path / "none.duckdb"))
    assert out.exit_code == 0 and "does not exist" in out.stderr
    assert not (tmp_path / "none.duckdb").exists()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad")
    (base / "text.duckdb").write_text("not a database\n")
    (base / "afile").write_text("x")
    store = Store(base / "ok.duckdb")
    store.save_run("forecast", None, 0, {}, {"x": [1.0]}, {})
    return base


TEXT_FILE = "not a summitry store: it is a text file"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("runs", "show", "42", "--db", "{ok}"), "no run 42"),
        (("runs", "export", "42", "--db", "{ok}", "--parquet", "{base}/out"), "no run 42"),
        (("runs", "show", "1", "--db", "{text}"), TEXT_FILE),
        (("runs", "list", "--db", "{text}"), TEXT_FILE),
        (("runs", "export", "1", "--db", "{ok}", "--parquet", "{base}/afile"), "not a directory"),
        (("forecast", "--samples", "5", "--db", "{text}"), TEXT_FILE),
        (("sweep", "dprk-2025", "--db", "{text}", "--samples", "5"), TEXT_FILE),
        (("sweep", "dprk-2025", "--workers", "0", "--db", "{ok}"), "--workers"),
        (("sweep", "dprk-2025", "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"), "either"),
        (("sweep", "dprk-2025", "--scheduler", "tcp://127.0.0.1:{port}", "--db", "{ok}"), "reach"),
        (("sweep", "dprk-2025", "--scheduler", "127.0.0.1", "--db", "{ok}"), "HOST:PORT"),
        (("sweep", "--resume", "42", "--db", "{ok}"), "no run 42"),
        (("sweep", "--resume", "1", "--db", "{ok}"), "not a sweep"),
        (("sweep", "--db", "{ok}"), "name a scenario"),
        (("sweep", "dprk-2025", "--chunk", "0", "--db", "{ok}"), "--chunk"),
        (("sweep", "dprk-2025", "--engines", "abc", "--db", "{ok}"), "abc"),
        (("sweep", "--resume", "1", "--no-store"), "--no-store"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(files, args, needle):
    import socket

    with socket.socket() as s:  # a port nothing listens on: held (bound, never listening)
        s.bind(("127.0.0.1", 0))  # for the whole call, so no other process can take it
        port = s.getsockname()[1]
        fields = {"ok": files / "ok.duckdb", "text": files / "text.duckdb", "base": files}
        argv = [a.format(**fields, port=port) for a in args]
        out = invoke(*argv)
    assert out.exit_code == 2, out.output
    assert out.exception is None or isinstance(out.exception, SystemExit)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], out.stderr
    assert "Traceback" not in out.output
    assert (files / "text.duckdb").read_text() == "not a database\n"


def test_bad_input_through_the_console_script_has_no_traceback(files):
    out = run("runs", "show", "7", "--db", str(files / "text.duckdb"))
    assert out.returncode == 2
    expected = "not a summitry store: it is a text file, not a DuckDB database"
    assert out.stderr.strip() == f"{files / 'text.duckdb'} is {expected}"
