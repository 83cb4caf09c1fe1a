"""Out-of-sample evaluation by groups (proposals): nested group cross-validation.

For each outer fold (by default one group left out), on the other groups only:

1. out-of-fold ensemble forecasts m_i from stacking weights fitted without the inner fold
   of issue i (by default leave one more group out: jackknife+/CV+ residuals, Barber et
   al. 2021);
2. the error law fitted to those (m_i, y_i) (:func:`fit_error_model`);
3. stacking weights fitted on all of them give the held-out issues' forecasts, and the
   error law turns them into predictive distributions.

Nothing is ever scored on what it was fitted to. docs/calibration.md, "Evaluation".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chisquare

from summitry.calibration.errormodel import fit_error_model
from summitry.calibration.predictive import Array, MixturePredictive
from summitry.calibration.stacking import combine, fit_weights

__all__ = ["Evaluation", "cluster_bootstrap", "evaluate", "group_folds"]

LEVEL = 0.8
"""Level of the central predictive interval whose coverage is reported."""


def group_folds(groups: ArrayLike, folds: int | None = None) -> NDArray[np.int64]:
    """Fold number of each issue: one fold per group (``folds=None``), else the sorted
    distinct groups dealt round-robin into ``folds`` folds."""
    g = np.asarray(groups)
    uniq, inv = np.unique(g, return_inverse=True)
    if folds is None:
        return np.asarray(inv, dtype=np.int64)
    if folds < 2 or folds > uniq.size:
        raise ValueError(f"folds: {folds} is not between 2 and the {uniq.size} groups")
    return np.asarray(inv % folds, dtype=np.int64)


def cluster_bootstrap(
    values: ArrayLike,
    groups: ArrayLike,
    n_boot: int = 10_000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """(mean, low, high): the mean of ``values`` and the percentile interval of
    :class:`summitry.benchmark.scores.ClusterBootstrap` (whole groups resampled with
    replacement, the mean over the issues of the drawn groups; docs/calibration.md)."""
    from summitry.benchmark.scores import ClusterBootstrap

    v = np.asarray(values, dtype=float)
    low, high = ClusterBootstrap.draw(np.asarray(groups), seed, n_boot).interval(v, level)
    return float(v.mean()), low, high


@dataclass(frozen=True)
class Evaluation:
    """Per-issue out-of-sample predictive distributions and scores, and their summary.

    ``predictive`` holds issue i's distribution from the fold that left its group out;
    ``weights`` is (outer folds, models); ``baseline_error`` is |y - baseline forecast|,
    the CRPS of that point forecast.
    """

    models: tuple[str, ...]
    baseline: str
    outcomes: Array
    groups: NDArray[Any]
    folds: NDArray[np.int64]
    forecast: Array
    predictive: MixturePredictive
    crps: Array
    pit: Array
    interval: tuple[Array, Array]
    covered: NDArray[np.bool_]
    abs_error: Array
    baseline_error: Array
    weights: Array
    summary: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Summary and per-issue rows as plain JSON-ready Python values."""
        p = self.predictive
        rows = [
            {
                "group": _plain(self.groups[i]),
                "outcome": float(self.outcomes[i]),
                "forecast": float(self.forecast[i]),
                "scale": float(p.scale[i]),
                "p_lo": float(p.p_lo[i]),
                "p_hi": float(p.p_hi[i]),
                "interval": [float(self.interval[0][i]), float(self.interval[1][i])],
                "crps": float(self.crps[i]),
                "pit": float(self.pit[i]),
                "baseline_error": float(self.baseline_error[i]),
            }
            for i in range(self.outcomes.size)
        ]
        return {"summary": self.summary, "issues": rows}


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def evaluate(
    forecasts: ArrayLike,
    outcomes: ArrayLike,
    groups: ArrayLike,
    models: Sequence[str],
    baseline: str,
    *,
    lo: float = 0.0,
    hi: float = 100.0,
    outer_folds: int | None = None,
    inner_folds: int | None = None,
    n_boot: int = 10_000,
    seed: int = 0,
) -> Evaluation:
    """Nested group cross-validation of the stacked ensemble with its error law.

    ``forecasts`` (issues, models) with NaN where a model has no forecast, ``outcomes`` and
    ``groups`` (issues,). ``baseline`` names the point model the paired differences are
    taken against (CRPS of the ensemble minus the baseline's absolute error, and the
    ensemble's minus the baseline's absolute error), each with a cluster-bootstrap 95%
    interval over groups (``n_boot`` resamples, ``seed``); the PIT draws use ``seed`` too.
    Deterministic. Issues with a NaN outcome or no baseline forecast are left out.
    """
    f = np.asarray(forecasts, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    g = np.asarray(groups)
    names = tuple(models)
    if f.ndim != 2 or f.shape[1] != len(names):
        raise ValueError(f"forecasts: shape {f.shape} does not match {len(names)} models")
    if y.shape != f.shape[:1] or g.shape != y.shape:
        raise ValueError(f"outcomes {y.shape} and groups {g.shape} must be ({f.shape[0]},)")
    if baseline not in names:
        raise ValueError(f"baseline: {baseline!r} is not one of the models {list(names)}")
    if np.any((y < lo) | (y > hi)):
        raise ValueError(f"outcomes: values outside [{lo}, {hi}]")
    b = names.index(baseline)
    keep = ~np.isnan(y) & ~np.isnan(f[:, b])
    f, y, g = f[keep], y[keep], g[keep]
    outer = group_folds(g, outer_folds)
    _, ginv = np.unique(g, return_inverse=True)

    cache: dict[frozenset[int], Array] = {}

    def weights_without(drop: frozenset[int]) -> Array:
        if drop not in cache:
            train = ~np.isin(ginv, list(drop))
            cache[drop] = fit_weights(f[train], y[train])
        return cache[drop]

    n = y.size
    m = np.full(n, np.nan)
    scale, p_lo, p_hi = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    all_w = []
    # with leave-one-group-out at both levels, the fit without groups {k, j} serves the
    # outer fold k with inner fold j and the outer fold j with inner fold k
    shared = outer_folds is None and inner_folds is None
    for k in range(int(outer.max()) + 1):
        test = outer == k
        train = ~test
        inner = group_folds(g[train], inner_folds)
        m_oof = np.full(int(train.sum()), np.nan)
        for j in range(int(inner.max()) + 1):
            fold = inner == j
            if shared:
                w_j = weights_without(frozenset({k, int(ginv[train][fold][0])}))
            else:
                sub = np.flatnonzero(train)[~fold]
                w_j = fit_weights(f[sub], y[sub])
            m_oof[fold] = combine(f[train][fold], w_j)
        law = fit_error_model(m_oof, y[train], lo, hi)
        w = weights_without(frozenset({k})) if shared else fit_weights(f[train], y[train])
        all_w.append(w)
        pred = law.predictive(combine(f[test], w))
        m[test], scale[test] = pred.location, pred.scale
        p_lo[test], p_hi[test] = pred.p_lo, pred.p_hi
    predictive = MixturePredictive(m, scale, p_lo, p_hi, lo, hi)
    crps = predictive.crps(y)
    pit = predictive.pit(y, np.random.default_rng(seed))
    q_lo, q_hi = predictive.interval(LEVEL)
    covered = (y >= q_lo) & (y <= q_hi)
    content = predictive.cdf(q_hi) - predictive.cdf_left(q_lo)  # >= LEVEL with point masses
    abs_error = np.abs(y - m)
    base_err = np.abs(y - f[:, b])
    a = (1.0 - LEVEL) / 2.0
    hist = np.histogram(pit, bins=10, range=(0.0, 1.0))[0]
    d_crps = cluster_bootstrap(crps - base_err, g, n_boot, seed)
    d_mae = cluster_bootstrap(abs_error - base_err, g, n_boot, seed)
    summary: dict[str, Any] = {
        "issues": int(n),
        "groups": int(ginv.max()) + 1,
        "outer_folds": int(outer.max()) + 1,
        "models": list(names),
        "baseline": baseline,
        "mean_crps": float(crps.mean()),
        "mae": float(abs_error.mean()),
        "baseline_mae": float(base_err.mean()),
        "coverage_80": float(covered.mean()),
        "interval_content_80": float(content.mean()),
        "crps_minus_baseline_mae": {"mean": d_crps[0], "ci95": [d_crps[1], d_crps[2]]},
        "mae_minus_baseline_mae": {"mean": d_mae[0], "ci95": [d_mae[1], d_mae[2]]},
        "mean_weights": dict(zip(names, np.mean(all_w, axis=0).tolist(), strict=True)),
        "pit_central_80": float(((pit >= a) & (pit <= 1.0 - a)).mean()),
        "pit_histogram": hist.tolist(),
        "pit_uniformity_p": float(chisquare(hist).pvalue),
        "n_boot": n_boot,
        "seed": seed,
    }
    return Evaluation(
        names, baseline, y, g, outer, m, predictive, crps, pit, (q_lo, q_hi), covered,
        abs_error, base_err, np.asarray(all_w), summary,
    )  # fmt: skip
