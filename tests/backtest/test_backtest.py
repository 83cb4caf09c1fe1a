"""Backtests (docs/backtest.md): the scores against closed forms and a brute-force oracle, the
runner end to end, reproducibility, the command line and the results store, and the rule
that an outcome never changes a forecast."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner

from summitry.backtest import (
    CLIP,
    NoOutcomeError,
    backtest,
    band_error,
    brier,
    crps_sample,
    episodes_with_outcome,
    intervals_meet,
    log_score,
    pit,
    score_samples,
    skill,
)
from summitry.cli import app
from summitry.forecast import forecast
from summitry.scenario import Scenario, bundled_names, load, load_text
from summitry.store import Store, scenario_from_data

# --- oracles ---------------------------------------------------------------------------------


def crps_double_loop(x: list[float] | np.ndarray, y: float) -> float:
    """E|X - y| - 1/2 E|X - X'| over the empirical distribution, pair by pair."""
    x = np.asarray(x, dtype=float)
    pairs = np.abs(x[:, None] - x[None, :]).mean()
    return float(np.abs(x - y).mean() - 0.5 * pairs)


def crps_integral(x: list[float] | np.ndarray, y: float) -> float:
    """integral (F_n(t) - 1{t >= y})^2 dt, exactly, piece by piece between the knots."""
    x = np.sort(np.asarray(x, dtype=float))
    knots = np.unique(np.append(x, y))
    total = 0.0
    for a, b in itertools.pairwise(knots):
        f = np.count_nonzero(x <= a) / x.size
        h = 1.0 if a >= y else 0.0
        total += (f - h) ** 2 * (b - a)
    return total


def crps_normal(mu: float, sigma: float, y: float) -> float:
    """Closed form for N(mu, sigma^2) (Gneiting & Raftery 2007, eq. 21 worked out)."""
    z = (y - mu) / sigma
    return sigma * (
        z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
    )


def crps_uniform01(y: float) -> float:
    """Closed form for U(0, 1): E|X - y| - 1/6, E|X - y| = (y^2 + (1-y)^2)/2 inside."""
    if y < 0:
        return -y + 0.5 - 1 / 6
    if y > 1:
        return y - 0.5 - 1 / 6
    return (y**2 + (1 - y) ** 2) / 2 - 1 / 6


# --- CRPS ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mu", "sigma", "y"), [(0, 1, 0), (0, 1, 1.5), (40, 12, 10), (5, 0.5, 7)])
def test_crps_of_a_large_normal_sample_matches_the_closed_form(mu, sigma, y):
    x = np.random.default_rng(1).normal(mu, sigma, 200_000)
    assert crps_sample(x, y) == pytest.approx(crps_normal(mu, sigma, y), rel=0.01)


@pytest.mark.parametrize("y", [-0.5, 0.0, 0.25, 0.5, 0.9, 1.0, 2.0])
def test_crps_of_a_uniform_grid_matches_the_closed_form(y):
    n = 100_000
    grid = (np.arange(n) + 0.5) / n  # the quantiles of U(0, 1)
    assert crps_sample(grid, y) == pytest.approx(crps_uniform01(y), abs=1e-6)


def test_crps_of_a_point_mass_is_the_absolute_error():
    assert crps_sample(np.full(500, 7.0), 7.0) == 0.0
    assert crps_sample(np.full(500, 7.0), 4.5) == pytest.approx(2.5, abs=1e-12)
    assert crps_sample([3.0], 10.0) == 7.0


def test_crps_equals_the_double_loop_and_the_integral():
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 10, 57):
        x = rng.choice([0.0, 1.0, 2.5, rng.normal()], n) if n > 3 else rng.normal(size=n)
        for y in (-1.0, 0.0, 0.7, 2.5, 4.0):
            exact = crps_double_loop(x, y)
            assert crps_sample(x, y) == pytest.approx(exact, abs=1e-12)
            assert crps_integral(x, y) == pytest.approx(exact, abs=1e-12)


def test_crps_rejects_empty_and_non_finite_input():
    with pytest.raises(ValueError, match="at least one sample"):
        crps_sample([], 1.0)
    with pytest.raises(ValueError, match="finite"):
        crps_sample([1.0, math.nan], 1.0)


samples_st = st.lists(
    st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False), min_size=1, max_size=40
)
obs_st = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(x=samples_st, y=obs_st)
def test_crps_is_non_negative_and_zero_only_at_a_point_mass_on_y(x, y):
    score = crps_sample(x, y)
    assert score >= 0.0
    assert score == pytest.approx(crps_double_loop(x, y), abs=1e-9)
    if score == 0.0:
        assert all(v == y for v in x)
    if any(v != y for v in x):
        assert score > 0.0


@settings(max_examples=150, deadline=None)
@given(x=samples_st, y=obs_st, shift=st.floats(-1e3, 1e3), scale=st.floats(0.01, 100))
def test_crps_moves_with_a_shift_and_scales_with_the_units(x, y, shift, scale):
    base = crps_sample(x, y)
    moved = crps_sample(np.asarray(x) + shift, y + shift)
    assert moved == pytest.approx(base, abs=1e-9 * (1 + abs(shift) + max(map(abs, x)) + abs(y)))
    stretched = crps_sample(np.asarray(x) * scale, y * scale)
    assert stretched == pytest.approx(base * scale, rel=1e-9, abs=1e-9 * scale)


# --- PIT, coverage, errors, probabilities -----------------------------------------------------


def test_pit_counts_samples_below_with_ties_halved():
    assert pit([1, 2, 3, 4], 2.5) == 0.5
    assert pit([1, 2, 3, 4], 0) == 0.0
    assert pit([1, 2, 3, 4], 9) == 1.0
    assert pit([1, 2, 2, 4], 2) == pytest.approx((1 + 0.5 * 2) / 4)
    assert pit(np.full(10, 3.0), 3.0) == 0.5  # a point mass at the observation


def test_pit_of_a_normal_sample_is_its_cdf():
    x = np.random.default_rng(3).normal(0, 1, 100_000)
    for y in (-1.2816, 0.0, 0.5, 1.2816):
        assert pit(x, y) == pytest.approx(stats.norm.cdf(y), abs=0.005)


def test_pit_of_calibrated_forecasts_is_uniform():
    rng = np.random.default_rng(11)
    values = [pit(rng.normal(m, 1, 400), rng.normal(m, 1)) for m in rng.normal(0, 5, 400)]
    assert stats.kstest(values, "uniform").pvalue > 0.01


def test_band_error_is_zero_inside_and_the_distance_outside():
    assert band_error(5, 4, 6) == 0.0
    assert band_error(4, 4, 6) == 0.0
    assert band_error(1, 4, 6) == 3.0
    assert band_error(9.5, 4, 6) == 3.5
    assert band_error(7, 7, 7) == 0.0


def test_intervals_meet_when_they_share_a_point():
    assert intervals_meet((10, 90), (50, 50))
    assert intervals_meet((10, 90), (85, 95))
    assert intervals_meet((10, 90), (90, 99))
    assert not intervals_meet((10, 90), (92, 99))
    assert not intervals_meet((10, 90), (0, 9.9))


def test_score_samples_on_a_uniform_sample():
    x = np.linspace(0, 100, 100_001)
    inside = score_samples(x, 50, 50, 50, (0, 100))
    assert (inside["p10"], inside["p50"], inside["p90"]) == pytest.approx((10, 50, 90))
    assert inside["covered"] and inside["abs_error"] == 0 and inside["pit"] == pytest.approx(0.5)
    assert inside["crps_pct"] == pytest.approx(100 * crps_uniform01(0.5), rel=1e-4)
    outside = score_samples(x, 95, 92, 99, (0, 200))
    assert not outside["covered"]
    assert outside["abs_error"] == pytest.approx(42)  # the median 50 to the band's low end 92
    assert outside["abs_error_pct"] == pytest.approx(21)  # of a scale 200 wide
    assert outside["pit"] == pytest.approx(0.95, abs=1e-4)
    assert score_samples(x, 95, 85, 99, (0, 100))["covered"]


def test_brier_and_log_score():
    assert brier(0.5, True) == brier(0.5, False) == 0.25
    assert brier(0.9, True) == pytest.approx(0.01)
    assert brier(0.9, False) == pytest.approx(0.81)
    assert log_score(0.5, True) == pytest.approx(math.log(2))
    assert log_score(0.8, False) == pytest.approx(-math.log(0.2))
    assert log_score(0.0, True) == pytest.approx(-math.log(CLIP))  # clipped, not infinite
    assert log_score(1.0, True) == pytest.approx(-math.log(1 - CLIP))


def test_skill_score():
    assert skill(5.0, 10.0) == 0.5
    assert skill(0.0, 10.0) == 1.0
    assert skill(20.0, 10.0) == -1.0
    assert skill(3.0, 0.0) is None


# --- the runner ------------------------------------------------------------------------------

PAST = """\
name: past-talks
title: Past talks (test fixture)
date: 2020-01-10
issues:
  - id: border
    label: Where the border runs
    scale: [0, 10]
    status_quo: {value: 3, source: notes}
  - id: trade
    label: Trade access
    scale: [0, 100]
    status_quo: {value: 20, source: notes}
actors:
  - id: west
    name: West
    capability: {dist: uniform, low: 0.3, high: 0.5}
    positions:
      border: {dist: triangular, low: 0, mode: 2, high: 4}
      trade: {dist: uniform, low: 50, high: 80}
    salience: {border: 0.8, trade: 0.5}
  - id: east
    name: East
    capability: 0.4
    positions:
      border: {dist: triangular, low: 6, mode: 8, high: 10}
      trade: {dist: uniform, low: 10, high: 40}
    salience: {border: 0.7, trade: {dist: uniform, low: 0.3, high: 0.9}}
  - id: broker
    name: Broker
    capability: 0.2
    positions: {border: 5, trade: 45}
    salience: {border: 0.4, trade: 0.4}
bargaining:
  principals: {a: west, b: east}
  outside_options:
    a: {dist: uniform, low: -0.1, high: 0.1}
    b: {dist: uniform, low: -0.1, high: 0.1}
  credibility: {a: 0.8, b: 0.8}
  patience: {a: 0.9, b: 0.9}
outcome:
  date: 2020-03-01
  deal: {value: true, source: treaty}
  issues:
    border: {value: 6, low: 5, high: 7, source: treaty}
    trade: {value: 40, source: treaty}
"""


FORECAST_OF = {
    "integrated": "integrated.{}",
    "eum": "eum.settlement.{}",
    "smp": "smp.settlement.{}",
    "bargaining": "bargaining.outcome.{}",
}
"""Each engine's per-sample forecast of an issue, by its Forecast.outputs() name."""


@pytest.fixture()
def past() -> Scenario:
    return load_text(PAST, "past.yaml")


def test_the_runner_scores_what_the_forecast_says(past: Scenario):
    bt = backtest([past], samples=64, seed=3)
    fc = forecast(past, 64, 3)
    out = fc.integrated.outputs() | fc.outputs()  # the integrated forecast: docs/integrated.md
    zone = out["bargaining.zopa"] == 1
    assert bt.engines == ("integrated", "eum", "smp", "bargaining")
    assert len(bt.scores) == 4 * 2
    for r in bt.scores.to_dict(orient="records"):
        x = out[FORECAST_OF[r["engine"]].format(r["issue"])]
        obs = past.outcome.issues[r["issue"]]  # type: ignore[union-attr]
        low, high = obs.band
        width = past.issue(r["issue"]).scale[1]
        median = float(np.quantile(x, 0.5))
        assert r["n"] == x.size
        assert (r["p10"], r["p50"], r["p90"]) == pytest.approx(
            tuple(np.quantile(x, [0.1, 0.5, 0.9]))
        )
        assert r["abs_error"] == pytest.approx(max(low - median, median - high, 0))
        assert r["abs_error_pct"] == pytest.approx(100 * r["abs_error"] / width)
        assert r["crps"] == pytest.approx(crps_double_loop(x, obs.value), abs=1e-9)
        assert r["pit"] == pytest.approx(
            (np.sum(x < obs.value) + 0.5 * np.sum(x == obs.value)) / x.size
        )
        sq = past.issue(r["issue"]).status_quo.central()  # type: ignore[union-attr]
        assert r["status_quo_error_pct"] == pytest.approx(100 * max(low - sq, sq - high, 0) / width)
        k = past.issue_ids.index(r["issue"])
        start = float(np.median(fc.result.median[:, k, 0]))
        assert r["initial_median"] == pytest.approx(start)
    deal = bt.deals.to_dict(orient="records")
    p = fc.deal_summary()["private_information"]["p_deal"]  # type: ignore[index]
    q = fc.integrated.p_deal
    assert q is not None and q <= zone.mean()
    assert deal == [
        pytest.approx(
            {
                "episode": "past-talks",
                "deal": True,
                "p_deal": p,
                "p_zone": zone.mean(),
                "brier": (1 - p) ** 2,
                "log_score": -math.log(min(max(p, CLIP), 1 - CLIP)),
                "brier_zone": (1 - zone.mean()) ** 2,
                "log_score_zone": -math.log(min(max(zone.mean(), CLIP), 1 - CLIP)),
                "p_deal_integrated": q,
                "brier_integrated": (1 - q) ** 2,
                "log_score_integrated": -math.log(min(max(q, CLIP), 1 - CLIP)),
            }
        )
    ]
    assert bt.episodes[0]["samples_with_zone"] == int(zone.sum())
    assert set(bt.outputs) == {f"past-talks.{k}" for k in out if not k.startswith("options")}


def test_the_summary_counts_and_averages(past: Scenario):
    bt = backtest([past], samples=48, seed=1)
    by_engine = {s["engine"]: s for s in bt.summary()}
    for engine, s in by_engine.items():
        rows = bt.scores[bt.scores["engine"] == engine]
        assert (s["episodes"], s["observations"]) == (1, 2)
        assert s["mae_pct"] == pytest.approx(rows["abs_error_pct"].mean())
        assert s["crps_pct"] == pytest.approx(rows["crps_pct"].mean())
        assert s["covered"] == int(rows["covered"].sum())
        sq = s["skill_status_quo"]
        assert sq["observations"] == 2
        assert sq["skill"] == pytest.approx(
            1 - rows["abs_error_pct"].mean() / rows["status_quo_error_pct"].mean()
        )
    assert by_engine["bargaining"]["deal"]["episodes"] == 1
    assert "deal" not in by_engine["eum"]


def test_a_chosen_engine_alone(past: Scenario):
    bt = backtest([past], samples=32, seed=0, engines=["smp"])
    assert bt.engines == ("smp",)
    assert set(bt.scores["engine"]) == {"smp"} and bt.deals.empty
    assert all(k.startswith("past-talks.smp.") for k in bt.outputs)


def test_without_any_zone_of_agreement_the_bargaining_forecast_is_the_status_quo(
    past: Scenario,
):
    hopeless = past.with_values({"bargaining.outside_options.a": 0.95})
    bt = backtest([hopeless], samples=32, seed=0, engines=["bargaining"])
    assert bt.deals["p_zone"].tolist() == [0.0]
    status_quo = forecast(hopeless, 32, 0, engines=("bargaining",)).draws.status_quo
    for r in bt.scores.to_dict(orient="records"):
        k = hopeless.issue_ids.index(r["issue"])
        assert (r["p10"], r["p50"], r["p90"]) == pytest.approx(
            tuple(np.quantile(status_quo[:, k], [0.1, 0.5, 0.9]))
        )


def test_same_seed_same_scores_other_seed_other_scores(past: Scenario):
    a = backtest([past], samples=40, seed=9)
    b = backtest([past], samples=40, seed=9)
    pd.testing.assert_frame_equal(a.scores, b.scores, check_exact=True)
    pd.testing.assert_frame_equal(a.deals, b.deals, check_exact=True)
    assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
    c = backtest([past], samples=40, seed=10)
    assert not a.scores["crps"].equals(c.scores["crps"])


def test_scenarios_without_an_outcome_or_twice_are_refused(past: Scenario):
    with pytest.raises(NoOutcomeError, match=r"dprk-2025\.yaml: no outcome section"):
        backtest(["dprk-2025"], samples=8)
    with pytest.raises(ValueError, match="given twice"):
        backtest([past, past], samples=8)
    with pytest.raises(ValueError, match="unknown engine"):
        backtest([past], samples=8, engines=["options"])


def test_the_bundled_episodes_are_found_and_scored():
    names = episodes_with_outcome()
    assert {"ec-emissions-1994", "dprk-2018-singapore", "dprk-2019-hanoi"} <= set(names)
    assert "dprk-2025" not in names
    assert names == [n for n in bundled_names() if load(n).outcome is not None]
    bt = backtest(samples=32, seed=0)
    assert [e["episode"] for e in bt.episodes] == names
    numbers = bt.scores.drop(columns=["episode", "engine", "issue", "covered"])
    finite = numbers.drop(columns=["status_quo", "status_quo_error_pct"])
    assert np.isfinite(finite.to_numpy(dtype=float)).all()
    deals = dict(zip(bt.deals["episode"], bt.deals["deal"], strict=True))
    assert bool(deals["dprk-2018-singapore"]) and not bool(deals["dprk-2019-hanoi"])
    assert "ec-emissions-1994" not in deals  # no bargaining section, no deal recorded
    ec = bt.scores[bt.scores["episode"] == "ec-emissions-1994"]
    assert set(ec["engine"]) == {"integrated", "eum", "smp"} and (ec["observed"] == 8.83).all()
    assert np.isnan(ec["status_quo_error_pct"]).all()  # the EC file tables no status quo


@pytest.mark.parametrize("name", bundled_names())
def test_an_outcome_never_changes_a_forecast(name: str):
    """Every bundled scenario, with and without an outcome (its own, else a made-up one)."""
    sc = load(name)
    if sc.outcome is None:
        sc = sc.with_values({"outcome.date": "2030-01-01", "outcome.deal.value": True})
    blind = sc.model_copy(update={"outcome": None})
    assert sc.outcome is not None and blind.outcome is None
    assert blind.quantities() == sc.quantities()
    seen, unseen = forecast(sc, 24, 5), forecast(blind, 24, 5)
    a, b = seen.outputs(), unseen.outputs()
    assert list(a) == list(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert seen.deal_summary() == unseen.deal_summary()
    assert seen.summary() == unseen.summary()


# --- the command line and the store -----------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(app, ["backtest", *args], env={"COLUMNS": "100"})


def test_cli_default_scores_every_bundled_episode(tmp_path: Path):
    db = tmp_path / "runs.duckdb"
    result = invoke("--samples", "16", "--db", str(db))
    assert result.exit_code == 0, result.stderr
    for name in episodes_with_outcome():
        assert name in result.stdout
    assert "dprk-2025" not in result.stdout
    assert "All episodes" in result.stdout and "Caveat" in result.stdout
    assert "saved as run 1" in result.stderr


def test_cli_json_is_the_backtest_record(past: Scenario, tmp_path: Path):
    path = tmp_path / "past.yaml"
    path.write_text(PAST)
    result = invoke(str(path), "--samples", "24", "--seed", "2", "--json", "--no-store")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    expected = backtest([past], samples=24, seed=2).to_dict()
    assert data == json.loads(json.dumps(expected))
    assert [e["episode"] for e in data["episodes"]] == ["past-talks"]
    assert {s["engine"] for s in data["summary"]} == {"integrated", "eum", "smp", "bargaining"}
    assert not (tmp_path / "summitry.duckdb").exists() and not Path("summitry.duckdb").exists()


def test_cli_run_is_kept_in_a_real_duckdb_file(past: Scenario, tmp_path: Path):
    path = tmp_path / "past.yaml"
    path.write_text(PAST)
    db = tmp_path / "runs.duckdb"
    result = invoke(str(path), "--samples", "20", "--engine", "eum", "--json", "--db", str(db))
    assert result.exit_code == 0, result.stderr
    store = Store(db)
    [info] = store.runs(kind="backtest")
    record = store.run(info.run_id)
    assert record.info.seed == 0 and record.info.samples == 20
    assert record.options == {"engines": ["eum"], "episodes": ["past-talks"]}
    assert record.summary == json.loads(result.stdout)
    assert record.outputs == [
        "past-talks.eum.settlement.border",
        "past-talks.eum.mean.border",
        "past-talks.eum.shift.border",
        "past-talks.eum.settlement.trade",
        "past-talks.eum.mean.trade",
        "past-talks.eum.shift.trade",
    ]
    stored = scenario_from_data(record.extra["scenarios"]["past-talks"])
    assert stored == past and stored.outcome == past.outcome
    _, values = store.outputs(info.run_id)
    fc = forecast(past, 20, 0, engines=("eum",))
    np.testing.assert_array_equal(
        values["past-talks.eum.settlement.trade"], fc.outputs()["eum.settlement.trade"]
    )


def test_cli_refuses_a_scenario_without_an_outcome():
    result = invoke("dprk-2025", "--no-store")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dprk-2025.yaml: no outcome section")
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-scenario"], "no-such-scenario: no such scenario or file"),
        (["--engine", "options"], "--engine: unknown engine 'options'"),
        (["dprk-2019-hanoi", "dprk-2019-hanoi"], "scenario 'dprk-2019-hanoi' is named twice"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(args: list[str], message: str):
    result = invoke(*args, "--no-store")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_cli_reports_a_broken_outcome_with_file_and_line(tmp_path: Path):
    path = tmp_path / "past.yaml"
    text = PAST.replace("trade: {value: 40, source: treaty}", "trade: {value: 400, source: treaty}")
    path.write_text(text)
    result = invoke(str(path), "--no-store")
    assert result.exit_code == 2
    line = next(i + 1 for i, s in enumerate(text.splitlines()) if "value: 400" in s)
    assert result.stderr.strip() == (
        f"{path}:{line}: outcome.issues.trade.value: 400 is above 100 (scale [0, 100])"
    )


def test_cli_with_nothing_to_score_for_the_engine_exits_2():
    result = invoke("ec-emissions-1994", "--engine", "bargaining", "--no-store")
    assert result.exit_code == 2
    assert "nothing to score with --engine bargaining" in result.stderr
