"""The model-error law, fitted by maximum likelihood to out-of-sample (forecast, outcome) pairs.

With t = (m - lo) / (hi - lo) - 1/2 for the forecast m (docs/calibration.md, "Model error"):

    (P(Y = lo), P(interior), P(Y = hi)) = softmax(a_lo + b_lo t, 0, a_hi + b_hi t)

(multinomial logit, interior the reference class; a ridge of RIDGE on the four
coefficients keeps them finite when an end has no outcome), and the interior outcomes
follow Logistic(m, s) truncated to (lo, hi), with s the maximum-likelihood scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, log_expit, logsumexp

from summitry.calibration.predictive import Array, MixturePredictive, at_ends

__all__ = ["RIDGE", "ErrorModel", "fit_error_model"]

RIDGE = 1e-2
"""Penalty RIDGE * |coefficients|^2 added to the multinomial negative log-likelihood."""


@dataclass(frozen=True)
class ErrorModel:
    """Parameters of the error law on the scale [lo, hi] (docs/calibration.md)."""

    scale: float
    a_lo: float
    b_lo: float
    a_hi: float
    b_hi: float
    lo: float = 0.0
    hi: float = 100.0

    def masses(self, m: ArrayLike) -> tuple[Array, Array]:
        """(p_lo, p_hi) at forecasts m (clipped to [lo, hi])."""
        t = _t(m, self.lo, self.hi)
        z = np.stack([self.a_lo + self.b_lo * t, np.zeros_like(t), self.a_hi + self.b_hi * t])
        p = np.exp(z - logsumexp(z, axis=0))
        return np.asarray(p[0], dtype=float), np.asarray(p[2], dtype=float)

    def predictive(self, m: ArrayLike) -> MixturePredictive:
        """The predictive distribution at forecasts m (clipped to [lo, hi])."""
        loc = np.clip(np.asarray(m, dtype=float), self.lo, self.hi)
        p_lo, p_hi = self.masses(loc)
        return MixturePredictive(loc, np.full_like(loc, self.scale), p_lo, p_hi, self.lo, self.hi)


def _t(m: ArrayLike, lo: float, hi: float) -> Array:
    return np.asarray((np.clip(np.asarray(m, dtype=float), lo, hi) - lo) / (hi - lo) - 0.5)


def _fit_masses(t: Array, cls: Array) -> tuple[float, float, float, float]:
    """Multinomial logit of class (0 lo, 1 interior, 2 hi) on t, ridge-penalised MLE."""
    onehot = np.eye(3)[cls]

    def nll(theta: Array) -> tuple[float, Array]:
        z = np.stack([theta[0] + theta[1] * t, np.zeros_like(t), theta[2] + theta[3] * t], 1)
        logp = z - logsumexp(z, axis=1, keepdims=True)
        resid = np.exp(logp) - onehot  # d nll / d z
        grad = np.array(
            [resid[:, 0].sum(), (resid[:, 0] * t).sum(), resid[:, 2].sum(), (resid[:, 2] * t).sum()]
        )
        value = -(onehot * logp).sum() + RIDGE * float(theta @ theta)
        return float(value), grad + 2 * RIDGE * theta

    res = minimize(nll, np.zeros(4), jac=True, method="BFGS", options={"gtol": 1e-8})
    a_lo, b_lo, a_hi, b_hi = (float(v) for v in res.x)
    return a_lo, b_lo, a_hi, b_hi


def _fit_scale(m: Array, y: Array, lo: float, hi: float) -> float:
    """Maximum-likelihood scale of Logistic(m, s) truncated to (lo, hi) for interior y."""
    width = hi - lo

    def nll(log_s: float) -> float:
        s = np.exp(log_s)
        z = (y - m) / s
        logpdf = log_expit(z) + log_expit(-z) - log_s
        mass = expit((hi - m) / s) - expit((lo - m) / s)
        return float(-(logpdf - np.log(mass)).sum())

    res = minimize_scalar(
        nll,
        bounds=(np.log(1e-3 * width), np.log(10.0 * width)),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(np.exp(res.x))


def fit_error_model(
    forecasts: ArrayLike, outcomes: ArrayLike, lo: float = 0.0, hi: float = 100.0
) -> ErrorModel:
    """Fit the error law to out-of-sample forecasts m_i and outcomes y_i (NaN rows left out).

    Raises ValueError when fewer than 2 interior outcomes remain (no scale can be fitted).
    """
    m = np.asarray(forecasts, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    keep = ~np.isnan(m) & ~np.isnan(y)
    m, y = np.clip(m[keep], lo, hi), y[keep]
    low, high = at_ends(y, lo, hi)
    cls = np.where(low, 0, np.where(high, 2, 1))
    inner = cls == 1
    if inner.sum() < 2:
        raise ValueError("need at least 2 outcomes strictly inside the scale to fit the error law")
    a_lo, b_lo, a_hi, b_hi = _fit_masses(_t(m, lo, hi), cls)
    scale = _fit_scale(m[inner], y[inner], lo, hi)
    return ErrorModel(scale, a_lo, b_lo, a_hi, b_hi, lo, hi)
