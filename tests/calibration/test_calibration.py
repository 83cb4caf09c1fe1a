"""Calibrated predictive distributions (summitry.calibration; docs/calibration.md).

Synthetic data with a known error law, fixed seeds: every figure below is deterministic,
and each tolerance is at least four binomial standard deviations, so a pass is not luck
and a real miscalibration (a scale off by a factor 1.5) fails.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from summitry.calibration import (
    CalibrationError,
    ErrorModel,
    MixturePredictive,
    add_model_error,
    calibration_from_dict,
    cluster_bootstrap,
    combine,
    crps_grid,
    crps_point,
    crps_samples,
    evaluate,
    fit_calibration,
    fit_error_model,
    fit_weights,
    group_folds,
    load_calibration,
    save_calibration,
)

MODELS = ("truth", "noisy", "random")


def synthetic(
    seed: int,
    n_groups: int = 80,
    per: int = 3,
    b: float = 8.0,
    lo_m: float = 20.0,
    hi_m: float = 80.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Model 'truth' is the latent forecast, 'noisy' it plus N(0, 15), 'random' U(0, 100);
    outcomes = truth + Laplace(0, b), clipped to [0, 100] (mass at the ends)."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(n_groups), per)
    truth = rng.uniform(lo_m, hi_m, g.size)
    f = np.column_stack([truth, truth + rng.normal(0, 15, g.size), rng.uniform(0, 100, g.size)])
    y = np.clip(truth + rng.laplace(0, b, g.size), 0, 100)
    return f, y, g


def binomial_tol(n: int, p: float = 0.8) -> float:
    return 4.0 * math.sqrt(p * (1 - p) / n)


# -- CRPS ---------------------------------------------------------------------------------


def normal_crps(mu: float, sigma: float, y: float) -> float:
    """Closed form (Gneiting and Raftery 2007, eq. 21)."""
    z = (y - mu) / sigma
    return sigma * (
        z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
    )


@pytest.mark.parametrize("x, y", [(30.0, 70.0), (50.0, 50.0), (0.0, 100.0), (12.5, 3.0)])
def test_point_crps_is_the_absolute_error(x, y):
    assert crps_point(x, y) == abs(x - y)
    assert crps_samples([x], y) == pytest.approx(abs(x - y), abs=1e-12)
    assert crps_grid(lambda z: (z >= x).astype(float), y, 0, 100) == pytest.approx(
        abs(x - y), abs=1e-9
    )


@pytest.mark.parametrize("mu, sigma, y", [(0.0, 1.0, 0.3), (50.0, 10.0, 71.0), (5.0, 2.0, -1.0)])
def test_grid_crps_matches_the_normal_closed_form(mu, sigma, y):
    lo, hi = mu - 12 * sigma, mu + 12 * sigma
    got = crps_grid(lambda z: stats.norm.cdf(z, mu, sigma), y, lo, hi, n=200_001)
    assert got == pytest.approx(normal_crps(mu, sigma, y), rel=1e-6)


def test_crps_of_many_samples_approaches_the_normal_closed_form():
    draws = np.random.default_rng(3).normal(50.0, 10.0, 20_000)
    assert crps_samples(draws, 62.0) == pytest.approx(normal_crps(50.0, 10.0, 62.0), rel=0.02)


@pytest.mark.parametrize(
    "m, s, p_lo, p_hi, y",
    [(30.0, 12.0, 0.2, 0.1, 0.0), (30.0, 12.0, 0.2, 0.1, 100.0), (30.0, 12.0, 0.2, 0.1, 41.0),
     (95.0, 5.0, 0.0, 0.4, 90.0), (50.0, 40.0, 0.0, 0.0, 10.0), (2.0, 3.0, 0.5, 0.0, 7.0)],
)  # fmt: skip
def test_mixture_crps_exact_equals_the_grid_integral(m, s, p_lo, p_hi, y):
    d = MixturePredictive(*(np.array([v]) for v in (m, s, p_lo, p_hi)))
    grid = crps_grid(lambda z: d.cdf(z[:, None])[:, 0], y, 0.0, 100.0, n=100_001)
    assert d.crps(np.array([y]))[0] == pytest.approx(grid, abs=1e-5)


def test_mixture_quantile_cdf_and_sampling_agree():
    d = MixturePredictive(np.array([30.0]), np.array([12.0]), np.array([0.2]), np.array([0.1]))
    u = np.linspace(0.0, 1.0, 1001)[:, None]
    q = d.ppf(u)
    assert np.all(d.cdf(q) >= u - 1e-12)  # Q(u) = inf {y: F(y) >= u}
    assert np.all(q[u[:, 0] <= 0.2] == 0.0) and np.all(q[u[:, 0] > 0.9] == 100.0)
    draws = d.sample(np.random.default_rng(0), 40_000)[:, 0]
    tol = 4 * math.sqrt(0.2 * 0.8 / draws.size)
    assert abs((draws == 0).mean() - 0.2) < tol and abs((draws == 100).mean() - 0.1) < tol
    assert d.cdf_left(np.array([0.0]))[0] == 0.0 and d.cdf(np.array([0.0]))[0] == 0.2
    assert d.cdf_left(np.array([100.0]))[0] == pytest.approx(0.9)


def test_pit_is_uniform_when_outcomes_follow_the_distribution():
    rng = np.random.default_rng(11)
    m = rng.uniform(0, 100, 5_000)
    law = ErrorModel(scale=9.0, a_lo=-1.5, b_lo=-4.0, a_hi=-1.5, b_hi=4.0)
    d = law.predictive(m)
    y = d.sample(rng)[0]
    pit = d.pit(y, rng)
    assert stats.kstest(pit, "uniform").pvalue > 1e-3
    wrong = ErrorModel(4.5, -1.5, -4.0, -1.5, 4.0).predictive(m).pit(y, rng)
    assert stats.kstest(wrong, "uniform").pvalue < 1e-6


# -- stacking and the error law ------------------------------------------------------------


def test_stacking_recovers_the_true_model():
    f, y, _ = synthetic(0)
    w = fit_weights(f, y)
    assert w.sum() == pytest.approx(1.0) and np.all(w >= 0)
    assert w[0] > 0.95


def test_stacking_recovers_true_mixture_weights():
    rng = np.random.default_rng(5)
    f = rng.uniform(0, 100, (2_000, 3))
    y = 0.7 * f[:, 0] + 0.3 * f[:, 1] + rng.laplace(0, 3, 2_000)
    np.testing.assert_allclose(fit_weights(f, y), [0.7, 0.3, 0.0], atol=0.02)


def test_combine_renormalises_over_the_models_present():
    f = np.array([[10.0, 30.0, np.nan], [np.nan, np.nan, 5.0], [20.0, np.nan, 40.0]])
    out = combine(f, [0.5, 0.5, 0.0])
    assert out[0] == 20.0 and math.isnan(out[1]) and out[2] == 20.0


def test_error_law_is_recovered_from_its_own_draws():
    rng = np.random.default_rng(2)
    m = rng.uniform(0, 100, 20_000)
    true = ErrorModel(scale=11.0, a_lo=-1.2, b_lo=-3.0, a_hi=-1.6, b_hi=2.5)
    y = true.predictive(m).sample(rng)[0]
    got = fit_error_model(m, y)
    assert got.scale == pytest.approx(11.0, rel=0.03)
    grid = np.linspace(0, 100, 11)
    for a, b in zip(got.masses(grid), true.masses(grid), strict=True):
        np.testing.assert_allclose(a, b, atol=0.02)


# -- out-of-sample evaluation ---------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_out_of_sample_80_percent_intervals_cover_80_percent(seed):
    f, y, g = synthetic(seed)
    ev = evaluate(f, y, g, MODELS, "truth", outer_folds=10, inner_folds=10, n_boot=500)
    assert abs(ev.summary["coverage_80"] - 0.8) <= binomial_tol(y.size)
    assert ev.summary["interval_content_80"] == pytest.approx(0.8, abs=0.01)
    assert ev.summary["mean_weights"]["truth"] > 0.9


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_with_mass_at_the_ends_coverage_matches_the_interval_content(seed):
    """With point masses an interval [Q(0.1), Q(0.9)] holds more than 80%: its coverage
    matches the predictive probability it holds, and the PIT is central 80% of the time."""
    f, y, g = synthetic(seed, b=15.0, lo_m=0.0, hi_m=100.0)
    assert ((y == 0) | (y == 100)).mean() > 0.1
    ev = evaluate(f, y, g, MODELS, "truth", outer_folds=10, inner_folds=10, n_boot=500)
    content = ev.summary["interval_content_80"]
    assert content > 0.82
    assert abs(ev.summary["coverage_80"] - content) <= binomial_tol(y.size, content)
    central = ((ev.pit >= 0.1) & (ev.pit <= 0.9)).mean()
    assert abs(central - 0.8) <= binomial_tol(y.size)


def test_a_miscalibrated_law_is_caught_by_the_coverage_check():
    f, y, g = synthetic(0)
    ev = evaluate(f, y, g, MODELS, "truth", outer_folds=10, inner_folds=10, n_boot=200)
    p = ev.predictive
    narrow = MixturePredictive(p.location, p.scale / 1.5, p.p_lo, p.p_hi)
    q_lo, q_hi = narrow.interval(0.8)
    coverage = ((y >= q_lo) & (y <= q_hi)).mean()
    assert abs(coverage - 0.8) > binomial_tol(y.size)


def test_held_out_forecasts_do_not_depend_on_held_out_outcomes():
    f, y, g = synthetic(4, n_groups=30)
    a = evaluate(f, y, g, MODELS, "truth", outer_folds=5, inner_folds=5, n_boot=100)
    fold0 = a.folds == 0
    y2 = y.copy()
    y2[fold0] = 100.0 - y2[fold0]
    b = evaluate(f, y2, g, MODELS, "truth", outer_folds=5, inner_folds=5, n_boot=100)
    for name in ("location", "scale", "p_lo", "p_hi"):
        np.testing.assert_array_equal(
            getattr(a.predictive, name)[fold0], getattr(b.predictive, name)[fold0]
        )
    assert not np.array_equal(a.crps[fold0], b.crps[fold0])
    assert not np.array_equal(a.predictive.location[~fold0], b.predictive.location[~fold0])


def test_leave_one_group_out_matches_explicit_folds_and_is_deterministic():
    f, y, g = synthetic(6, n_groups=12)
    a = evaluate(f, y, g, MODELS, "truth", n_boot=300)  # the shared-cache path
    b = evaluate(f, y, g, MODELS, "truth", outer_folds=12, inner_folds=11, n_boot=300)
    np.testing.assert_allclose(a.predictive.location, b.predictive.location, rtol=1e-12)
    np.testing.assert_allclose(a.crps, b.crps, rtol=1e-9)
    c = evaluate(f, y, g, MODELS, "truth", n_boot=300)
    assert a.to_dict() == c.to_dict()
    assert json.loads(json.dumps(a.to_dict())) == a.to_dict()


def test_paired_difference_against_a_point_model():
    f, y, g = synthetic(1)
    ev = evaluate(f, y, g, MODELS, "random", outer_folds=10, inner_folds=10, n_boot=2_000)
    d = ev.summary["crps_minus_baseline_mae"]
    assert d["mean"] == pytest.approx((ev.crps - np.abs(y - f[:, 2])).mean())
    assert d["ci95"][0] < d["mean"] < d["ci95"][1] < 0  # far better than a random guess
    assert ev.summary["baseline_mae"] == pytest.approx(np.abs(y - f[:, 2]).mean())


def test_cluster_bootstrap_resamples_whole_groups():
    v = np.repeat([1.0, 3.0, 5.0, 7.0], 5)
    g = np.repeat([0, 1, 2, 3], 5)
    mean, low, high = cluster_bootstrap(v, g, n_boot=4_000, seed=1)
    assert mean == 4.0 and 1.0 <= low < 4.0 < high <= 7.0
    # with 20 issues treated as independent the interval would be about half as wide
    _, ilo, ihi = cluster_bootstrap(v, np.arange(20), n_boot=4_000, seed=1)
    assert (high - low) > 1.6 * (ihi - ilo)
    assert cluster_bootstrap(v, g, n_boot=4_000, seed=1) == (mean, low, high)
    assert cluster_bootstrap(np.full(8, 2.5), np.arange(8) // 2, n_boot=100) == (2.5, 2.5, 2.5)


def test_group_folds():
    g = np.array(["b", "a", "b", "c", "d"])
    np.testing.assert_array_equal(group_folds(g), [1, 0, 1, 2, 3])
    np.testing.assert_array_equal(group_folds(g, 2), [1, 0, 1, 0, 1])
    with pytest.raises(ValueError, match="folds: 5 is not between 2 and the 4 groups"):
        group_folds(g, 5)


def test_evaluate_rejects_bad_input_with_one_line():
    f, y, g = synthetic(0, n_groups=10)
    with pytest.raises(ValueError, match="baseline: 'x' is not one of the models"):
        evaluate(f, y, g, MODELS, "x")
    with pytest.raises(ValueError, match=r"outcomes: values outside \[0.0, 100.0\]"):
        evaluate(f, y + 200, g, MODELS, "truth")
    with pytest.raises(ValueError, match="does not match 2 models"):
        evaluate(f, y, g, MODELS[:2], "truth")


# -- export, load, add_model_error --------------------------------------------------------


@pytest.fixture(scope="module")
def calibration():
    f, y, g = synthetic(7, n_groups=40)
    return fit_calibration(
        f, y, g, MODELS, inner_folds=10, created="2026-12-07", source={"data": "synthetic"}
    )


def test_export_load_round_trip(calibration, tmp_path):
    path = save_calibration(calibration, tmp_path / "cal.json")
    back = load_calibration(path)
    assert back == calibration
    doc = json.loads(path.read_text())
    assert doc["note"] == "learned on EU legislation (DEU 1996-2000)"
    assert doc["created"] == "2026-12-07" and doc["source"] == {"data": "synthetic"}
    assert sum(doc["ensemble"]["weights"].values()) == pytest.approx(1.0)
    assert doc["ensemble"]["weights"]["truth"] > 0.9
    with pytest.raises(FileExistsError, match="exists; not replaced"):
        save_calibration(calibration, path)
    assert load_calibration(save_calibration(calibration, path, overwrite=True)) == calibration


def _mutations():
    def set_(keys, value):
        def f(d):
            node = d
            for k in keys[:-1]:
                node = node[k]
            node[keys[-1]] = value

        return f

    def drop(keys):
        def f(d):
            node = d
            for k in keys[:-1]:
                node = node[k]
            del node[keys[-1]]

        return f

    return [
        (set_(["format"], "other"), "format: 'other' is not 'summitry-calibration'"),
        (set_(["version"], 2), "version: 2 is not supported"),
        (drop(["error_model"]), "error_model: missing"),
        (set_(["ensemble", "weights", "noisy"], -0.5), "ensemble.weights.noisy: -0.5 is negative"),
        (set_(["ensemble", "weights", "truth"], 0.5), "ensemble.weights: sum to"),
        (set_(["ensemble", "weights"], {}), "ensemble.weights: not a non-empty object"),
        (set_(["error_model", "scale"], 0), "error_model.scale: 0.0 is not above 0"),
        (set_(["error_model", "mass_hi", "slope"], "x"), "error_model.mass_hi.slope: 'x' is not"),
        (set_(["error_model", "scale"], float("nan")), "error_model.scale: nan is not a finite"),
        (set_(["scale", "hi"], -1), "scale: lo 0.0 is not below hi -1.0"),
        (set_(["created"], "yesterday"), "created: 'yesterday' is not a date"),
        (set_(["note"], ""), "note: '' is not a non-empty text"),
        (set_(["source"], []), "source: not a JSON object"),
    ]


@pytest.mark.parametrize("mutate, message", _mutations())
def test_invalid_calibration_files_give_one_clear_line(calibration, tmp_path, mutate, message):
    doc = calibration.to_dict()
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(CalibrationError) as err:
        load_calibration(path)
    text = str(err.value)
    assert "\n" not in text and text.startswith(f"{path}: ") and message in text


@pytest.mark.parametrize(
    "content, message",
    [("{not json", ":1: not valid JSON"), ("[1, 2]", "document: not a JSON object"),
     (b"\xff\xfe", "cannot read the file (not UTF-8 text)")],
)  # fmt: skip
def test_unreadable_calibration_files(tmp_path, content, message):
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(CalibrationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_calibration(path)
    with pytest.raises(CalibrationError, match="cannot read the file"):
        load_calibration(tmp_path / "missing.json")


def test_add_model_error_is_deterministic_and_rescales(calibration):
    x = np.linspace(0, 10, 101)
    a = add_model_error(x, calibration, np.random.default_rng(3), lo=0, hi=10)
    b = add_model_error(x, calibration, np.random.default_rng(3), lo=0, hi=10)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.values.shape == x.shape and (a.lo, a.hi) == (0.0, 10.0)
    assert a.values.min() >= 0 and a.values.max() <= 10
    assert a.label == "settlement + model error (learned on EU legislation (DEU 1996-2000))"
    c = add_model_error(10 * x, calibration, np.random.default_rng(3))
    np.testing.assert_allclose(a.values, c.values / 10, rtol=1e-12, atol=1e-12)


def test_add_model_error_draws_follow_the_error_law(calibration):
    out = add_model_error(50.0, calibration, np.random.default_rng(9), draws=20_000)
    assert out.values.shape == (20_000,)
    p_lo, p_hi = calibration.error.masses(np.array([50.0]))
    tol = 4 * math.sqrt(0.25 / 20_000)
    assert abs((out.values == 0).mean() - p_lo[0]) < tol
    assert abs((out.values == 100).mean() - p_hi[0]) < tol
    inner = out.values[(out.values > 0) & (out.values < 100)]
    assert abs(np.median(inner) - 50.0) < 1.0  # the logistic part is centred on the forecast


def test_add_model_error_rejects_values_off_the_scale(calibration):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"samples: values outside the scale \[0, 10\]"):
        add_model_error([5.0, 11.0], calibration, rng, lo=0, hi=10)
    with pytest.raises(ValueError, match="samples: NaN value"):
        add_model_error([np.nan], calibration, rng)
    with pytest.raises(ValueError, match=r"scale: lo 5\.0 is not below hi 5\.0"):
        add_model_error([5.0], calibration, rng, lo=5, hi=5)


def test_calibration_from_dict_round_trips_the_weights(calibration):
    back = calibration_from_dict(calibration.to_dict())
    assert back.models == MODELS
    f = np.array([[40.0, 60.0, 10.0]])
    np.testing.assert_allclose(back.combine(f), calibration.combine(f))


def test_add_model_error_in_chunks_equals_all_at_once(calibration):
    """With one draw per sample, chunks taken in order from one generator give the same
    values bit for bit as the whole array (the stream of uniforms is the same)."""
    x = np.random.default_rng(1).uniform(0, 100, 1_000)
    whole = add_model_error(x, calibration, np.random.default_rng(5)).values
    rng = np.random.default_rng(5)
    parts = [add_model_error(c, calibration, rng).values for c in np.array_split(x, 7)]
    np.testing.assert_array_equal(np.concatenate(parts), whole)
