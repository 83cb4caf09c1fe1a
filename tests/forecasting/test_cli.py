"""The registry behind the commands: ``--engine`` choices, the opt-in compromise model in
``summitry forecast`` (table within 80 columns, JSON) and ``summitry backtest``."""

from __future__ import annotations

import json

from cli_output import check_fits, run, words
from summitry.forecasting import registry

NO_STORE = "--no-store"


def test_the_default_forecast_runs_the_default_engines_only():
    data = json.loads(run("forecast", "--samples", "60", "--json", NO_STORE, width=80).stdout)
    assert data["engines"] == list(registry.DEFAULT)
    assert "compromise" not in data
    table = run("forecast", "--samples", "60", NO_STORE, width=80).stdout
    assert "Compromise" not in table


def test_forecast_engine_compromise_shows_its_table_within_80_columns():
    narrow, wide = check_fits("forecast", "--samples", "60", "--engine", "compromise", NO_STORE)
    assert "Compromise model (60 samples, seed 0)" in narrow
    assert {"denuclearization", "sanctions_relief", "security", "normalization"} <= words(narrow)
    assert "Nearest anchor" in wide and "EUM" not in narrow and "deal?" not in narrow
    data = json.loads(
        run(
            "forecast", "--samples", "60", "--engine", "compromise", "--json", NO_STORE, width=80
        ).stdout
    )
    assert data["engines"] == ["eum", "compromise"]
    q = data["compromise"]["settlement"]["security"]
    assert q["p10"] <= q["p50"] <= q["p90"]


def test_engine_all_runs_every_registered_engine():
    out = run("forecast", "--samples", "40", "--engine", "all", "--json", NO_STORE, width=80)
    assert json.loads(out.stdout)["engines"] == list(registry.NAMES)


def test_an_unknown_engine_is_one_line_naming_the_choices():
    for command in ("forecast", "backtest"):
        result = run(command, "--engine", "ktab", NO_STORE, width=80, code=2)
        [line] = result.stderr.strip().splitlines()
        assert "--engine" in line and "compromise" in line and "ktab" in line, line


def test_backtest_scores_the_compromise_model():
    args = ("backtest", "dprk-2019-hanoi", "--samples", "40", "--engine", "compromise")
    data = json.loads(run(*args, "--json", NO_STORE, width=80).stdout)
    assert data["engines"] == ["compromise"]
    assert {row["engine"] for row in data["scores"]} == {"compromise"}
    assert [s["engine"] for s in data["summary"]] == ["compromise"]
    check_fits(*args, NO_STORE)


def test_compare_runs_the_engines_asked_for():
    args = ("compare", "dprk-2019-hanoi", "dprk-2025", "--samples", "40", "--json", NO_STORE)
    default = {r["output"] for r in json.loads(run(*args, width=80).stdout)["outputs"]}
    chosen = json.loads(run(*args, "--engine", "compromise", width=80).stdout)["outputs"]
    names = {r["output"] for r in chosen}
    assert not any(n.startswith("compromise.") for n in default)
    assert "compromise.settlement.security" in names
    assert not any(n.startswith(("smp.", "bargaining.")) for n in names)


def test_report_engine_all_adds_the_compromise_settlements(tmp_path):
    out = tmp_path / "rep"
    args = ("report", "dprk-2025", "--samples", "40", "--no-png", "--no-sensitivity", NO_STORE)
    run(*args, "--engine", "all", "-o", str(out), width=80)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Compromise settlement" in html and "compromise model puts it at" in html
    assert "--no-sensitivity --engine all" in html  # the command that reproduces it
    run(*args, "-o", str(tmp_path / "plain"), width=80)
    plain = (tmp_path / "plain" / "report.html").read_text(encoding="utf-8")
    assert "Compromise" not in plain and "--engine" not in plain
    bad = run(*args, "--engine", "compromise", "-o", str(tmp_path / "x"), width=80, code=2)
    assert "--engine" in bad.stderr and "default, all" in bad.stderr
