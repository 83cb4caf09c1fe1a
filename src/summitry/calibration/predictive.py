"""The predictive distribution: point masses at the scale ends and a truncated logistic.

For a forecast m on the scale [lo, hi] (docs/calibration.md, "The predictive
distribution"):

    P(Y = lo) = p_lo,   P(Y = hi) = p_hi,
    Y | lo < Y < hi  ~  Logistic(m, s) truncated to (lo, hi),

so F(y) = p_lo + (1 - p_lo - p_hi) (G(y) - G(lo)) / (G(hi) - G(lo)) on [lo, hi), with G the
logistic CDF of location m and scale s, and F(hi) = 1. This is the generalised truncated
and censored logistic of Jordan, Krueger and Lerch (2019), whose CRPS has a closed form
(:func:`scoringrules.crps_gtclogistic`, Gneiting and Raftery 2007).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scoringrules as sr  # type: ignore[import-untyped]
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, logit

__all__ = ["Array", "MixturePredictive", "at_ends"]

Array = NDArray[np.float64]

END_TOL = 1e-9
"""An outcome within this fraction of the scale's width from an end counts as at the end."""


def at_ends(y: ArrayLike, lo: float, hi: float) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(at lo, at hi): which outcomes sit at the scale ends (within END_TOL of the width)."""
    v = np.asarray(y, dtype=float)
    tol = END_TOL * (hi - lo)
    return v <= lo + tol, v >= hi - tol


@dataclass(frozen=True)
class MixturePredictive:
    """Per-issue predictive distributions (arrays broadcast together; docs/calibration.md).

    ``location`` m and ``scale`` s of the logistic part, ``p_lo`` and ``p_hi`` the point
    masses at ``lo`` and ``hi`` (p_lo + p_hi < 1).
    """

    location: Array
    scale: Array
    p_lo: Array
    p_hi: Array
    lo: float = 0.0
    hi: float = 100.0

    def _g(self, y: Array) -> Array:
        return np.asarray(expit((y - self.location) / self.scale), dtype=float)

    def _ends(self) -> tuple[Array, Array]:
        return self._g(np.asarray(self.lo)), self._g(np.asarray(self.hi))

    def cdf(self, y: ArrayLike) -> Array:
        """F(y) = P(Y <= y)."""
        v = np.asarray(y, dtype=float)
        g_lo, g_hi = self._ends()
        inner = (self._g(v) - g_lo) / (g_hi - g_lo)
        f = self.p_lo + (1.0 - self.p_lo - self.p_hi) * np.clip(inner, 0.0, 1.0)
        return np.asarray(np.where(v < self.lo, 0.0, np.where(v >= self.hi, 1.0, f)), float)

    def cdf_left(self, y: ArrayLike) -> Array:
        """F(y-) = P(Y < y): differs from F(y) only at the point masses."""
        v = np.asarray(y, dtype=float)
        f = self.cdf(v)
        lo_end, hi_end = at_ends(v, self.lo, self.hi)
        out = np.where(lo_end, 0.0, np.where(hi_end, 1.0 - self.p_hi, f))
        return np.asarray(out, dtype=float)

    def ppf(self, u: ArrayLike) -> Array:
        """The quantile Q(u) = inf {y : F(y) >= u} for u in [0, 1]."""
        q = np.asarray(u, dtype=float)
        g_lo, g_hi = self._ends()
        mid = 1.0 - self.p_lo - self.p_hi
        v = np.clip((q - self.p_lo) / np.where(mid > 0, mid, 1.0), 0.0, 1.0)
        g = np.clip(g_lo + v * (g_hi - g_lo), 1e-300, 1.0 - 1e-16)
        inner = np.clip(self.location + self.scale * logit(g), self.lo, self.hi)
        out = np.where(q <= self.p_lo, self.lo, np.where(q > 1.0 - self.p_hi, self.hi, inner))
        return np.asarray(out, dtype=float)

    def interval(self, level: float = 0.8) -> tuple[Array, Array]:
        """The central interval [Q((1 - level) / 2), Q((1 + level) / 2)]."""
        a = (1.0 - level) / 2.0
        return self.ppf(np.full_like(self.location, a)), self.ppf(
            np.full_like(self.location, 1.0 - a)
        )

    def crps(self, y: ArrayLike) -> Array:
        """CRPS(F, y) = int (F(z) - 1{y <= z})^2 dz, exact (scoringrules.crps_gtclogistic)."""
        out: Any = sr.crps_gtclogistic(
            np.asarray(y, dtype=float),
            self.location,
            self.scale,
            self.lo,
            self.hi,
            self.p_lo,
            self.p_hi,
        )
        return np.asarray(out, dtype=float)

    def pit(self, y: ArrayLike, rng: np.random.Generator) -> Array:
        """Randomised PIT: F(y-) + V (F(y) - F(y-)), V ~ U(0, 1) from ``rng`` (one per y).

        Uniform on (0, 1) when the outcomes follow the predictive distributions (Czado,
        Gneiting and Held 2009); the randomisation only acts at the point masses.
        """
        v = np.asarray(y, dtype=float)
        left, right = self.cdf_left(v), self.cdf(v)
        return np.asarray(left + rng.random(v.shape) * (right - left), dtype=float)

    def sample(self, rng: np.random.Generator, size: int = 1) -> Array:
        """``size`` draws per distribution by inversion, shape (size, *location.shape)."""
        u = rng.random((size, *np.shape(self.location)))
        return self.ppf(u)
