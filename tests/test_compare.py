"""`summitry compare`: side-by-side forecasts with bootstrap intervals of the difference."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import summitry as sm
from summitry.cli import app
from summitry.cli.compare import parse_set
from summitry.compare import compare, paired


@pytest.fixture(scope="module")
def dprk():
    return sm.load("dprk-2025")


def test_a_scenario_against_itself_differs_by_nothing(dprk):
    a = sm.forecast(dprk, 300, seed=1)
    b = sm.forecast(dprk, 300, seed=1)
    rows = compare(a, b)
    assert paired(a, b) and rows
    for r in rows:
        if r.diff is not None:
            assert r.diff == 0 and r.low == 0 and r.high == 0


def test_interval_brackets_a_real_shift_and_excludes_zero(dprk):
    a = sm.forecast(dprk, 400, seed=2)
    b = sm.forecast(dprk.with_values({"bargaining.outside_options.b": -0.3}), 400, seed=2)
    by = {r.output: r for r in compare(a, b)}
    z = by["bargaining.zopa"]
    assert z.statistic == "mean"
    assert z.a == pytest.approx(a.bargaining.zopa_exists.mean())
    assert z.diff > 0 and z.low > 0 and z.low <= z.diff <= z.high
    # the override touched only the bargaining inputs: the other engines are unchanged
    assert by["eum.settlement.denuclearization"].diff == 0


def test_independent_samples_are_resampled_independently(dprk):
    a = sm.forecast(dprk, 200, seed=3)
    b = sm.forecast(dprk, 300, seed=4)
    assert not paired(a, b)
    rows = compare(a, b, resamples=200)
    r = next(r for r in rows if r.output == "eum.settlement.denuclearization")
    assert r.low is not None and r.low < r.high
    xs = [r.a, r.b]
    assert xs[0] == pytest.approx(np.median(a.outputs()[r.output]))


def test_parse_set_reads_yaml_values():
    got = parse_set(
        ["bargaining.channel=working", "a.b=0.5", "x.y={dist: uniform, low: 0, high: 1}"]
    )
    assert got == {
        "bargaining.channel": "working",
        "a.b": 0.5,
        "x.y": {"dist": "uniform", "low": 0, "high": 1},
    }
    for bad in ("novalue", "=3", "a.b=", "a.b={unclosed"):
        with pytest.raises(ValueError):
            parse_set([bad])


runner = CliRunner()


def test_cli_json_and_table():
    out = runner.invoke(
        app,
        [
            "compare",
            "dprk-2025",
            "--set",
            "bargaining.channel=working",
            "--samples",
            "200",
            "--json",
            "--no-store",
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["paired"] and data["b"]["overrides"] == {"bargaining.channel": "working"}
    names = {r["output"] for r in data["outputs"]}
    assert "bargaining.zopa" in names and "smp.settlement.security" in names
    table = runner.invoke(app, ["compare", "dprk-2019-hanoi", "dprk-2025", "--samples", "200"])
    assert table.exit_code == 0 and "bargaining.zopa" in table.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["compare", "dprk-2025"], "second scenario"),
        (["compare", "dprk-2025", "--set", "actors.rusia.capability=0.1"], "unknown actor 'rusia'"),
        (["compare", "dprk-2025", "--set", "bargaining.channel=sideways"], "bargaining.channel"),
        (["compare", "dprk-2025", "--set", "oops"], "PATH=VALUE"),
        (["compare", "dprk-2025", "nope-2030"], "nope-2030"),
        (["compare", "dprk-2025", "dprk-2019-hanoi", "--samples", "1"], "--samples"),
    ],
)
def test_cli_bad_input_exits_2(args, needle):
    out = runner.invoke(app, args)
    assert out.exit_code == 2, out.output
    assert needle in out.output
    assert "Traceback" not in out.output


def test_compare_runs_are_kept_in_the_store(tmp_path):
    from summitry.store import Store

    db = tmp_path / "runs.duckdb"
    out = runner.invoke(
        app,
        [
            "compare",
            "dprk-2025",
            "--set",
            "bargaining.channel=working",
            "--samples",
            "50",
            "--db",
            str(db),
        ],
    )
    assert out.exit_code == 0, out.output
    runs = Store(db).runs()
    assert [r.kind for r in runs] == ["compare"]
    record = Store(db).run(runs[0].run_id)
    assert record.info.status == "complete" and record.info.samples == 50
    assert "a.bargaining.zopa" in record.outputs and "b.bargaining.zopa" in record.outputs
    assert record.extra["overrides"] == {"bargaining.channel": "working"}
    assert record.summary["paired"] is True
