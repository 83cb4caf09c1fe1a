"""Stacking of point forecasts: non-negative weights summing to 1 that minimise the MAE.

    w = argmin_{w >= 0, sum w = 1}  sum_i | y_i - sum_j w_j f_ij |

solved exactly as a linear program (scipy.optimize.linprog, HiGHS) on the issues where
every model has a forecast (Wolpert 1992; Breiman 1996; docs/calibration.md, "Stacking").
The combined forecast renormalises the weights over the models present for an issue.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linprog

from summitry.calibration.predictive import Array

__all__ = ["combine", "fit_weights"]


def fit_weights(forecasts: ArrayLike, outcomes: ArrayLike) -> Array:
    """Simplex weights minimising sum_i |y_i - f_i . w| over complete rows (no NaN).

    ``forecasts`` is (issues, models), ``outcomes`` (issues,). Raises ValueError when no
    row is complete. One model: weight 1.
    """
    f = np.asarray(forecasts, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    if f.ndim != 2 or y.shape != f.shape[:1]:
        raise ValueError(f"forecasts {f.shape} and outcomes {y.shape} do not match")
    keep = ~np.isnan(f).any(axis=1) & ~np.isnan(y)
    f, y = f[keep], y[keep]
    n, k = f.shape
    if n == 0:
        raise ValueError("no issue has a forecast from every model")
    if k == 1:
        return np.ones(1)
    # variables: w (k), e_plus (n), e_minus (n); f w + e_plus - e_minus = y
    eye = np.eye(n)
    a_eq = np.vstack([np.hstack([f, eye, -eye]), np.r_[np.ones(k), np.zeros(2 * n)]])
    b_eq = np.r_[y, 1.0]
    cost = np.r_[np.zeros(k), np.ones(2 * n)]
    res = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status != 0:  # pragma: no cover - the LP is always feasible and bounded
        raise RuntimeError(f"stacking LP failed: {res.message}")
    w = np.clip(np.asarray(res.x[:k], dtype=float), 0.0, None)
    return np.asarray(w / w.sum(), dtype=float)


def combine(forecasts: ArrayLike, weights: ArrayLike) -> Array:
    """sum_j w_j f_ij / sum_{j present} w_j per issue; NaN where no weighted model is present."""
    f = np.asarray(forecasts, dtype=float)
    w = np.broadcast_to(np.asarray(weights, dtype=float), f.shape)
    have = ~np.isnan(f)
    den = np.where(have, w, 0.0).sum(axis=1)
    num = np.where(have, w * np.nan_to_num(f), 0.0).sum(axis=1)
    return np.asarray(np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan), float)
