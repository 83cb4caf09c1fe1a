"""CRPS of point forecasts, of samples and of any CDF on a grid (Gneiting and Raftery 2007).

    CRPS(F, y) = int (F(z) - 1{y <= z})^2 dz = E|X - y| - E|X - X'| / 2,   X, X' ~ F

A point forecast x is the distribution with all mass at x: its CRPS is |x - y|.
docs/calibration.md, "Scores".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scoringrules as sr  # type: ignore[import-untyped]
from numpy.typing import ArrayLike

from summitry.calibration.predictive import Array

__all__ = ["crps_grid", "crps_point", "crps_samples"]


def crps_point(forecast: ArrayLike, outcome: ArrayLike) -> Array:
    """CRPS of a point forecast: the absolute error |x - y|."""
    return np.abs(np.asarray(forecast, dtype=float) - np.asarray(outcome, dtype=float))


def crps_samples(samples: ArrayLike, outcome: ArrayLike) -> Array:
    """CRPS of the empirical distribution of ``samples`` (last axis: members) at
    ``outcome``: E|X - y| - E|X - X'| / 2, exact for that distribution, computed from the
    sorted members in O(M log M) (scoringrules.crps_ensemble, estimator "qd")."""
    out: Any = sr.crps_ensemble(
        np.asarray(outcome, dtype=float), np.asarray(samples, dtype=float), estimator="qd"
    )
    return np.asarray(out, dtype=float)


def crps_grid(
    cdf: Callable[[Array], Array], outcome: float, lo: float, hi: float, n: int = 20_001
) -> float:
    """int_lo^hi (F(z) - 1{y <= z})^2 dz by the midpoint rule on n points with y added, for
    any distribution on [lo, hi] (F = 0 below lo, 1 from hi on; point masses allowed) and
    lo <= y <= hi. Midpoints never fall on y or the ends, so the jumps there cost nothing;
    the error is O(((hi - lo) / n)^2) where F is smooth.
    """
    z = np.union1d(np.linspace(lo, hi, n), [outcome])
    mid = (z[1:] + z[:-1]) / 2.0
    return float((((cdf(mid) - (mid >= outcome)) ** 2) * np.diff(z)).sum())
