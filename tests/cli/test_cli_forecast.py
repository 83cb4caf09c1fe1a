"""`summitry forecast` end to end, through the installed console script."""

from __future__ import annotations

import json
import subprocess
import tempfile

import pytest

from console_script import EXE

WORKDIR = tempfile.mkdtemp(prefix="summitry-cli-")
"""Runs save to ./summitry.duckdb by default: keep that file out of the checkout."""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    assert EXE, "the summitry console script is installed in the test environment"
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, cwd=WORKDIR)


def test_default_forecast_prints_a_table_per_issue():
    out = run("forecast", "--samples", "300")
    assert out.returncode == 0, out.stderr
    for label in ("denuclearization", "sanctions_relief", "security", "normalization"):
        assert label in out.stdout
    assert "p50" in out.stdout and "Nearest anchor" in out.stdout
    assert "Traceback" not in out.stderr


def test_json_output_is_reproducible_and_complete():
    a = run("forecast", "dprk-2019-hanoi", "--samples", "200", "--seed", "4", "--json")
    b = run("forecast", "dprk-2019-hanoi", "--samples", "200", "--seed", "4", "--json")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    data = json.loads(a.stdout)
    assert data["scenario"] == "dprk-2019-hanoi" and data["samples"] == 200
    issue = data["issues"][0]
    assert set(issue["final_median"]) == {"p10", "p50", "p90"}
    assert "trajectory" not in issue


def test_single_sample_json_has_the_trajectory_and_trace():
    out = run(
        "forecast", "ec-emissions-1994", "--point", "--variant", "scholz-code", "--json", "--trace"
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    traj = data["issues"][0]["trajectory"]["median"]
    assert traj[0] == 7.0 and len(traj) == 11
    moves = next(iter(data["trace"].values()))
    assert {"round", "sender", "target", "kind", "accepted"} <= set(moves[0])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("forecast", "no-such-scenario"), "no-such-scenario"),
        (("forecast", "--samples", "0"), "--samples"),
        (("forecast", "--variant", "bogus"), "bogus"),
        (("forecast", "--rounds", "-3"), "--rounds"),
    ],
)
def test_bad_input_exits_2_with_a_message(args, needle):
    out = run(*args)
    assert out.returncode == 2
    assert needle in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_broken_file_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntitle: x\nissues: [\n")
    out = run("forecast", str(bad))
    assert out.returncode == 2
    assert "bad.yaml:" in out.stderr
    assert "Traceback" not in out.stderr


def test_engine_choice_selects_models_and_tables():
    full = run("forecast", "--samples", "200", "--no-store")
    assert full.returncode == 0, full.stderr
    assert "EUM" in full.stdout and "SMP" in full.stdout and "Can there be a deal?" in full.stdout
    smp = run("forecast", "--samples", "200", "--engine", "smp", "--no-store", "--json")
    data = json.loads(smp.stdout)
    assert data["engines"] == ["eum", "smp"] and data["deal"] is None
    assert "smp" in data["issues"][0]
    deal = run("forecast", "--samples", "200", "--engine", "bargaining", "--no-store", "--json")
    data = json.loads(deal.stdout)
    assert 0 <= data["deal"]["p_zopa"] <= 1 and "smp" not in data["issues"][0]
    table = run("forecast", "--samples", "200", "--engine", "bargaining", "--no-store")
    assert table.returncode == 0, table.stderr
    assert "Can there be a deal?" in table.stdout and "SMP" not in table.stdout
    principals = data["deal"]["principals"]
    assert f"A ({principals['a']}):" in table.stdout and f"B ({principals['b']}):" in table.stdout
    n_zopa = data["deal"]["n_zopa"]
    assert f"over the {n_zopa:,} of 200 samples with a zone" in " ".join(table.stdout.split())
    assert "Which strategy pays?" in table.stdout
    bad = run("forecast", "--engine", "ktab", "--no-store")
    assert bad.returncode == 2 and "--engine" in bad.stderr
    ec = run("forecast", "ec-emissions-1994", "--engine", "bargaining", "--no-store")
    assert ec.returncode == 2 and "no bargaining section" in ec.stderr
