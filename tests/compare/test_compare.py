"""`summitry compare`: side-by-side forecasts with bootstrap intervals of the difference."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import summitry as sm
from summitry.cli import app
from summitry.cli.app import console
from summitry.cli.compare import parse_set
from summitry.compare import FEW_SAMPLES, compare, paired


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


def test_rows_count_the_samples_behind_each_statistic(dprk):
    a = sm.forecast(dprk, 300, seed=1)
    b = sm.forecast(dprk.with_values({"bargaining.channel": "working"}), 300, seed=1)
    rows = compare(a, b, resamples=100)
    outs_a, outs_b = a.outputs(), b.outputs()
    zone_a, zone_b = int(a.bargaining.zopa_exists.sum()), int(b.bargaining.zopa_exists.sum())
    assert 0 < zone_a < FEW_SAMPLES  # the deal terms of A rest on a small subset
    for r in rows:
        assert r.n_a == np.isfinite(outs_a[r.output]).sum()
        assert r.n_b == np.isfinite(outs_b[r.output]).sum()
        if r.output.startswith(("bargaining.terms.", "bargaining.surplus_")):
            assert (r.n_a, r.n_b) == (zone_a, zone_b), r.output
            assert r.few(300, 300) == (True, 0 < zone_b < FEW_SAMPLES)
            assert (r.a is None) == (zone_a == 0) and (r.b is None) == (zone_b == 0)
        else:
            assert (r.n_a, r.n_b) == (300, 300), r.output
            assert r.few(300, 300) == (False, False)
    # a run with fewer samples than the threshold in all is not flagged for that alone
    assert not any(compare(a, a, resamples=10)[0].few(50, 50))


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
    # keys only added: every key of earlier versions is still there
    old_top = {"a", "b", "samples", "seed", "paired", "interval", "outputs", "p_deal"}
    assert old_top <= set(data)
    old_row = {"output", "statistic", "a", "b", "diff", "low", "high"}
    assert all(old_row | {"n_a", "n_b"} <= set(r) for r in data["outputs"])
    sc = sm.load("dprk-2025")
    zone = {
        "n_a": int(sm.forecast(sc, 200, 0).bargaining.zopa_exists.sum()),
        "n_b": int(
            sm.forecast(
                sc.with_values({"bargaining.channel": "working"}), 200, 0
            ).bargaining.zopa_exists.sum()
        ),
    }
    by = {r["output"]: r for r in data["outputs"]}
    assert {k: by["bargaining.terms.security"][k] for k in zone} == zone
    assert by["bargaining.zopa"]["n_a"] == by["eum.settlement.security"]["n_b"] == 200
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


def _table_row(out: str, output: str) -> list[str]:
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0] == output:
            return cells
    raise AssertionError(f"no row {output!r}")


def test_cli_table_counts_and_flags_the_samples_behind_deal_terms(monkeypatch):
    monkeypatch.setattr(console, "width", 200)
    sc = sm.load("dprk-2025")
    working = sc.with_values({"bargaining.channel": "working"})
    n_a = int(sm.forecast(sc, 300, 0).bargaining.zopa_exists.sum())
    n_b = int(sm.forecast(working, 300, 0).bargaining.zopa_exists.sum())
    assert 0 < n_a < FEW_SAMPLES and n_b < n_a
    args = ["compare", "dprk-2025", "--set", "bargaining.channel=working", "--samples", "300"]
    out = runner.invoke(app, [*args, "--all", "--no-store"])  # terms equal in A and B too
    assert out.exit_code == 0, out.output
    flag_b = " !" if n_b > 0 else ""
    for issue in sc.issue_ids:
        # shown even where B has no zone of agreement at all (no median to compare)
        cells = _table_row(out.output, f"bargaining.terms.{issue}")
        assert cells[-1] == f"{n_a} ! / {n_b}{flag_b}"
        if n_b == 0:
            assert cells[2] == "-" and cells[3] == "-"
    assert _table_row(out.output, "bargaining.zopa")[-1] == ""  # a mean over every sample
    n_out = len(sc.issue_ids) + 2  # the deal terms of every issue and both surpluses
    assert f"A's figures marked '!' ({n_out} outputs) rest on only {n_a} of 300 samples" in (
        out.output
    )
    assert ("B's figures marked '!'" in out.output) == (n_b > 0)


def test_cli_table_no_warning_when_enough_samples(monkeypatch):
    monkeypatch.setattr(console, "width", 200)
    n = int(sm.forecast(sm.load("dprk-2025"), 800, 0).bargaining.zopa_exists.sum())
    assert FEW_SAMPLES <= n < 800
    # options.veto feeds only the options game: the deal terms are the same in A and B
    args = ["compare", "dprk-2025", "--set", "options.veto=0", "--samples", "800", "--all"]
    out = runner.invoke(app, [*args, "--no-store"])
    assert out.exit_code == 0, out.output
    assert _table_row(out.output, "bargaining.surplus_b")[-1] == f"{n} / {n}"
    assert _table_row(out.output, "eum.settlement.security")[-1] == ""
    samples_cells = [line.split("│")[-2] for line in out.output.splitlines() if "│" in line]
    assert samples_cells and not any("!" in c for c in samples_cells)
    assert "Warning" not in out.output
