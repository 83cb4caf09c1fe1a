"""Every table the CLI prints fits the terminal (80 and 120 columns), cuts no word, drops
columns only in the documented order, and shows every column with --wide (docs/cli.md)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cli_output import check_fits, cut_words, header, headers, long_lines, run, words
from console_script import EXE
from summitry.cli.forecast_view import SETTLEMENT_COLUMNS
from summitry.cli.integrated_view import EVIDENCE, INTEGRATED_COLUMNS
from summitry.scenario import load

NO_STORE = "--no-store"
FORECAST = ("forecast", "dprk-2025", "--samples", "200")
"""dprk-2025 named: these tests read its issues and anchors, whatever the default is."""
SETTLEMENT_HEADS = ("Status", "Initial", "EUM", "SMP", "Nearest anchor")
DROPPED = "Not shown at this width:"


def anchor_words(name: str) -> set[str]:
    """The words of every anchor label of a scenario."""
    return {
        w for issue in load(name).issues for label in issue.anchors.values() for w in words(label)
    }


# -- forecast ------------------------------------------------------------------------------


def engines_part(out: str) -> str:
    """The per-engine tables, after the integrated forecast (docs/integrated.md)."""
    return out.split(EVIDENCE, 1)[1]


def test_forecast_leads_with_the_integrated_forecast_at_80():
    narrow, wide = check_fits(*FORECAST, NO_STORE)
    lead = narrow.split(EVIDENCE)[0]
    assert narrow.startswith("P(deal) ")
    assert header(lead) == "80% with Issue Median 80% model error If deal No deal"
    assert f"{DROPPED} 50%, 95%, Nearest anchor (--wide" in " ".join(lead.split())
    wide_lead = wide.split(EVIDENCE)[0]
    assert header(wide_lead) == (
        "80% with Issue Median 50% 80% 95% model error If deal No deal Nearest anchor"
    )
    order = sorted((c.drop, c.header) for c in INTEGRATED_COLUMNS if c.drop)
    assert [h for _, h in order] == ["50%", "95%", "Nearest anchor", "No deal"]


def test_forecast_at_80_keeps_the_anchor_and_says_what_it_left_out():
    narrow, wide = check_fits(*FORECAST, NO_STORE)
    narrow, wide = engines_part(narrow), engines_part(wide)
    settle = narrow.split("Can there be a deal?")[0]
    assert "Nearest anchor" in settle
    # the EUM p50 of denuclearization lies near "40: Yongbyon complex dismantled, ..."
    assert {"Yongbyon", "dismantled", "written", "permanent"} <= words(settle)
    assert f"{DROPPED} Initial median, Status quo (--wide shows every column)." in " ".join(
        settle.split()
    )
    # --wide: every column, each row on one line, as wide as it needs
    for head in SETTLEMENT_HEADS:
        assert head in wide
    assert DROPPED not in wide
    assert max(len(line) for line in wide.splitlines()) > 80
    row = next(line for line in wide.splitlines() if line.startswith("denuclearization"))
    assert "Yongbyon complex dismantled, written permanent test halt" in row


def test_forecast_at_120_shows_every_column():
    out = run(*FORECAST, NO_STORE, width=120).stdout
    assert long_lines(out, 120) == []
    assert all(head in out for head in SETTLEMENT_HEADS)
    assert DROPPED not in out
    assert (
        cut_words(
            out,
            run(*FORECAST, NO_STORE, "--wide", width=120).stdout,
        )
        == set()
    )


def test_the_settlement_columns_drop_in_the_documented_order():
    order = sorted((c.drop, c.header) for c in SETTLEMENT_COLUMNS if c.drop)
    assert [h for _, h in order] == ["Initial\nmedian", "Status\nquo", "Nearest anchor"]
    # at 70 columns the anchor goes too; the settlements never do
    out = run(*FORECAST, NO_STORE, width=70).stdout
    assert long_lines(out, 70) == []
    out = engines_part(out)
    assert header(out) == "EUM SMP Issue settlement settlement"
    settle = out.split("Can there be a deal?")[0]
    assert f"{DROPPED} Initial median, Status quo, Nearest anchor" in " ".join(settle.split())
    # at 90 only the initial median goes; at 100 nothing
    out = run(*FORECAST, NO_STORE, width=90).stdout
    assert long_lines(out, 90) == []
    out = engines_part(out)
    assert header(out) == "Status EUM SMP Issue quo settlement settlement Nearest anchor"
    assert f"{DROPPED} Initial median (--wide" in " ".join(out.split())
    out = run(*FORECAST, NO_STORE, width=100).stdout
    assert long_lines(out, 100) == [] and DROPPED not in engines_part(out)


@pytest.mark.parametrize("engine", ["eum", "smp", "bargaining", "nbs", "procedural"])
def test_forecast_of_one_engine_fits(engine):
    narrow, _ = check_fits(*FORECAST, "--engine", engine, NO_STORE)
    if engine == "bargaining":
        assert "Offer under" in narrow and "Nearest anchor" in narrow
        assert {"unconstrained", "build-up", "irreversible"} <= words(narrow)
    else:
        assert "Nearest anchor" in narrow


def test_forecast_trace_fits_and_names_every_actor_whole():
    args = ("forecast", "ec-emissions-1994", "--point", "--variant", "scholz-code", "--trace")
    narrow, wide = check_fits(*args, NO_STORE)
    actors = set(load("ec-emissions-1994").actor_ids)
    assert actors <= words(narrow)
    assert {"sender", "target", "kind", "accepted", "position"} <= words(narrow)
    assert "EU target" in " ".join(narrow.split()) and DROPPED in narrow
    assert "capitulation" in words(narrow)
    assert DROPPED not in wide and "EU" in wide


def test_forecast_through_the_console_script_fits_80_columns(tmp_path):
    """End to end: rich reads COLUMNS from the environment of a real process."""
    exe = EXE
    assert exe
    env = {**os.environ, "COLUMNS": "80"}
    out = subprocess.run(
        [exe, *FORECAST, NO_STORE],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert long_lines(out.stdout, 80) == []
    assert "Nearest anchor" in out.stdout and "…" not in out.stdout


EVERY_COLUMN = [
    (
        FORECAST,
        ("Issue", "Status", "Initial", "EUM", "SMP", "Nearest anchor", "Offer under"),
    ),
    (
        ("forecast", "ec-emissions-1994", "--point", "--trace"),
        ("round", "sender", "target", "kind", "EU", "accepted", "position"),
    ),
    (
        ("compare", "dprk-2019-hanoi", "dprk-2025", "--samples", "200"),
        ("Output", "B - A", "90% interval", "Samples"),
    ),
    (("sensitivity", "--n", "16"), ("#", "Input", "ST", "S1", "Distribution")),
    (
        ("backtest", "dprk-2019-hanoi", "--samples", "50"),
        ("Issue, observed", "p50 [p10-p90]", "Err %", "CRPS %", "80%", "PIT"),
    ),
]


@pytest.mark.parametrize(("args", "heads"), EVERY_COLUMN, ids=lambda v: v[0])
def test_every_column_at_120_and_with_wide(args, heads):
    at_120 = run(*args, NO_STORE, width=120).stdout
    wide = run(*args, NO_STORE, "--wide", width=80).stdout
    assert long_lines(at_120, 120) == []
    for out in (at_120, wide):
        assert DROPPED not in out
        tables = " | ".join(headers(out))
        assert all(head in tables for head in heads), tables
    assert cut_words(at_120, wide) == set()


# -- compare and sensitivity ---------------------------------------------------------------


def test_compare_wraps_output_names_only_after_a_dot():
    narrow, wide = check_fits(
        "compare", "dprk-2019-hanoi", "dprk-2025", "--samples", "200", NO_STORE
    )
    for head in ("Output", "B - A", "90% interval", "Samples"):
        assert head in narrow
    # a name cut after a dot: its segments are whole words of the output
    assert {"bargaining", "outcome", "denuclearization", "sanctions_relief"} <= words(narrow)
    assert "bargaining.outcome.denuclearization" in wide


def test_compare_with_set_fits_and_leaves_out_an_empty_samples_column():
    narrow, _ = check_fits(
        "compare",
        "dprk-2025",
        "--set",
        "bargaining.channel=working",
        "--samples",
        "200",
        NO_STORE,
    )
    assert "bargaining.channel=working" in narrow
    full = run(
        "compare", "dprk-2019-hanoi", "dprk-2025", "--samples", "200", "--all", NO_STORE, width=120
    ).stdout
    assert long_lines(full, 120) == []


def test_compare_without_short_figures_has_no_samples_column():
    out = run(
        "compare",
        "ec-emissions-1994",
        "--set",
        "actors.germany.capability=0.5",
        "--samples",
        "50",
        NO_STORE,
        width=80,
    ).stdout
    assert "Samples" not in out and long_lines(out, 80) == []


@pytest.mark.parametrize(
    "args",
    [
        ("--n", "16"),
        ("--method", "morris", "--n", "4"),
        ("--n", "16", "--second-order", "--inputs", "actors.dprk.*"),
    ],
    ids=["sobol", "morris", "sobol-pairs"],
)
def test_sensitivity_fits_and_keeps_input_paths_whole(args):
    narrow, wide = check_fits("sensitivity", *args, NO_STORE)
    caption = " ".join(narrow.split())
    assert "(--top 0 for all)" in caption or "held at their central values" in caption
    # at 80 columns the distribution (then the rank) makes room for whole input paths
    assert "actors.dprk.capability" in narrow
    assert f"{DROPPED} Distribution" in caption
    assert any("Input" in line and "Distribution" in line for line in wide.splitlines())
    assert DROPPED not in wide


def test_sensitivity_at_120_shows_the_distribution():
    out = run("sensitivity", "--n", "16", NO_STORE, width=120).stdout
    assert long_lines(out, 120) == []
    assert "Distribution" in out and DROPPED not in out
    assert "triangular" in out


# -- backtest, runs, scenarios, sweep, report ---------------------------------------------


def test_backtest_fits():
    narrow, _ = check_fits(
        "backtest", "dprk-2019-hanoi", "ec-emissions-1994", "--samples", "50", NO_STORE
    )
    for head in ("Issue", "observed", "p50", "Err", "CRPS", "PIT", "Bargaining", "Caveat"):
        assert head in narrow
    assert (
        long_lines(
            run("backtest", "dprk-2019-hanoi", "--samples", "50", NO_STORE, width=120).stdout, 120
        )
        == []
    )


def test_backtest_of_every_engine_keeps_the_measures_whole():
    narrow, _ = check_fits(
        "backtest", "dprk-2019-hanoi", "--engine", "all", "--samples", "50", NO_STORE
    )
    summary = narrow.split("All episodes")[1]
    for head in ("Integrated", "EUM", "SMP", "Bargaining", "Compromise", "NBS", "Procedural"):
        assert head in summary
    # seven engines: three tables (3, 2, 2), every measure's label on one line in each
    for label in ("MAE, % of scale", "80% intervals reaching the outcome"):
        assert sum(line.startswith(label) for line in summary.splitlines()) == 3, label


@pytest.fixture
def store(tmp_path):
    """A results store with a forecast and a comparison in it."""
    db = tmp_path / "runs.duckdb"
    run("forecast", "dprk-2025", "--samples", "60", "--db", str(db), width=80)
    run(
        "compare",
        "dprk-2025",
        "--set",
        "bargaining.channel=working",
        "--samples",
        "60",
        "--db",
        str(db),
        width=80,
    )
    return str(db)


def test_runs_list_and_show_fit(store):
    listed, _ = check_fits("runs", "list", "--db", store)
    assert {"forecast", "compare", "dprk-2025", "complete"} <= words(listed)
    assert "Started (UTC)" in listed
    narrow = run("runs", "list", "--db", store, width=50).stdout
    assert long_lines(narrow, 50) == [] and "Started (UTC)" in " ".join(narrow.split())
    for run_id in ("1", "2"):
        shown, wide = check_fits("runs", "show", run_id, "--db", store)
        assert "options:" in shown and "p90" in shown
    assert "a.bargaining.outcome.denuclearization" in wide
    assert long_lines(run("runs", "show", "2", "--db", store, width=120).stdout, 120) == []


def test_scenarios_list_show_and_validate_fit():
    listed, _ = check_fits("scenarios", "list")
    assert "dprk-1994-agreed-framework" in listed and "Date" in listed
    for name in ("dprk-2025", "dprk-2019-hanoi", "ec-emissions-1994"):
        shown, _ = check_fits("scenarios", "show", name, ellipsis=True)
        sc = load(name)
        assert {a.id for a in sc.actors} <= words(shown)
        assert anchor_words(name) <= words(shown)
        # the only ellipsis is the one the header writes for "actors.<id>.…"
        assert all("…)" in line for line in shown.splitlines() if "…" in line)
    out = run("scenarios", "validate", "dprk-2025", width=80).stdout
    assert out.strip().endswith("dprk-2025.yaml: ok")


def test_sweep_summary_fits(tmp_path):
    args = (
        "sweep",
        "dprk-2025",
        "--samples",
        "200",
        "--chunk",
        "100",
        "--workers",
        "1",
        "--engines",
        "eum,bargaining",
        NO_STORE,
    )
    narrow = run(*args, width=80).stdout
    assert long_lines(narrow, 80) == []
    assert {"bargaining", "outcome", "denuclearization", "p90"} <= words(narrow)
    assert "…" not in narrow


def test_report_prints_paths_that_fit():
    out = run(
        "report", "ec-emissions-1994", "--samples", "20", "--no-png", "-o", "r", NO_STORE, width=80
    ).stdout
    assert out.split() == [str(Path("r") / "report.html")]
    assert long_lines(out, 80) == []
