"""Scores of point and discrete forecasts, and the proposal-clustered bootstrap.

Pure functions of arrays (docs/benchmark-deu.md, "Scores"):

- absolute error e_i = |f_i - y_i|; MAE = mean e_i, RMSE = sqrt(mean e_i^2), MdAE = median;
- CRPS of a discrete forecast with points z_k and probabilities p_k (Gneiting and Raftery
  2007, eq. 21): CRPS = sum_k p_k |z_k - y| - 1/2 sum_k sum_l p_k p_l |z_k - z_l|; for a
  point forecast (one point) it is the absolute error, so a point model's mean CRPS is its
  MAE;
- the paired difference of two models' absolute errors, with a percentile bootstrap
  interval that resamples **clusters** (DEU's proposals), not issues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ClusterBootstrap",
    "crps_discrete",
    "discrete_quantile",
    "error_summary",
]

Array = NDArray[np.float64]


def error_summary(errors: ArrayLike) -> dict[str, Any]:
    """n, MAE, RMSE and median of the absolute errors ``errors`` (NaN entries left out)."""
    e = np.abs(np.asarray(errors, dtype=np.float64))
    e = e[~np.isnan(e)]
    if e.size == 0:
        return {"issues": 0, "mae": None, "rmse": None, "median_ae": None}
    return {
        "issues": int(e.size),
        "mae": float(np.mean(e)),
        "rmse": float(np.sqrt(np.mean(e * e))),
        "median_ae": float(np.median(e)),
    }


def crps_discrete(points: ArrayLike, probs: ArrayLike, y: ArrayLike) -> Array:
    """CRPS per row of the discrete distribution P(z_k) = p_k (rows of ``points`` and
    ``probs``, (m, K); NaN points carry no mass) at the observation y (m,):

        CRPS = sum_k p_k |z_k - y| - 1/2 sum_k sum_l p_k p_l |z_k - z_l|

    (Gneiting and Raftery 2007, eq. 21); the probabilities of a row are normalised to sum
    to 1. A single point gives |z - y|.
    """
    z = np.asarray(points, dtype=np.float64)
    p = np.where(np.isnan(z), 0.0, np.asarray(probs, dtype=np.float64))
    p = p / p.sum(axis=1, keepdims=True)
    z0 = np.where(np.isnan(z), 0.0, z)
    obs = np.asarray(y, dtype=np.float64)
    near = (p * np.abs(z0 - obs[:, None])).sum(axis=1)
    spread = (p[:, :, None] * p[:, None, :] * np.abs(z0[:, :, None] - z0[:, None, :])).sum(
        axis=(1, 2)
    )
    return np.asarray(np.maximum(near - 0.5 * spread, 0.0), dtype=np.float64)


def discrete_quantile(points: ArrayLike, probs: ArrayLike, q: float) -> Array:
    """Per row the q-quantile of the discrete distribution: the smallest z_k with
    P(Z <= z_k) >= q (1 - 1e-12 of it, against rounding); NaN points carry no mass."""
    z = np.asarray(points, dtype=np.float64)
    p = np.where(np.isnan(z), 0.0, np.asarray(probs, dtype=np.float64))
    p = p / p.sum(axis=1, keepdims=True)
    order = np.argsort(np.where(np.isnan(z), np.inf, z), axis=1, kind="stable")
    zs = np.take_along_axis(z, order, axis=1)
    cum = np.cumsum(np.take_along_axis(p, order, axis=1), axis=1)
    k = np.argmax(cum >= q * (1.0 - 1e-12), axis=1)
    return np.asarray(np.take_along_axis(zs, k[:, None], axis=1)[:, 0], dtype=np.float64)


@dataclass(frozen=True)
class ClusterBootstrap:
    """Resamples of whole clusters: resample r draws K clusters with replacement from the
    K clusters, ``draws[r]`` = ``rng.integers(0, K, size=(resamples, K))[r]`` with
    ``rng = numpy.random.default_rng(seed)``; ``counts[r, k]`` is how often cluster k was
    drawn.

    The statistic of a resample is the mean over every issue of the drawn clusters,
    sum_k counts[r, k] S_k / sum_k counts[r, k] N_k, with S_k the sum of the values of
    cluster k's issues and N_k their number. scipy.stats.bootstrap resamples single
    observations and cannot keep the issues of one proposal together; issues of one
    proposal are coded by the same experts and decided in one act, so they are not
    independent, and resampling them one by one would understate the uncertainty
    (docs/benchmark-deu.md, "The bootstrap").
    """

    clusters: NDArray[np.int64]  # (issues,) cluster index 0..K-1 of each issue
    counts: NDArray[np.int64]  # (resamples, K)
    seed: int

    @classmethod
    def draw(cls, keys: ArrayLike, seed: int, resamples: int) -> ClusterBootstrap:
        """Clusters from ``keys`` (one per issue; clusters numbered in order of first
        appearance) and ``resamples`` draws from ``seed``."""
        k = np.asarray(keys)
        _, first, inverse = np.unique(k, return_index=True, return_inverse=True)
        rank = np.empty(first.size, dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(first.size)
        clusters = rank[inverse.ravel()]
        n = int(first.size)
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, max(n, 1), size=(resamples, n))
        flat = (np.arange(resamples)[:, None] * n + draws).ravel()
        counts = np.bincount(flat, minlength=resamples * n).reshape(resamples, n)
        return cls(clusters.astype(np.int64), counts.astype(np.int64), seed)

    @property
    def n_clusters(self) -> int:
        return int(self.counts.shape[1])

    def means(self, values: ArrayLike) -> Array:
        """The statistic over every resample: the mean of ``values`` (issues,) over the
        issues of the drawn clusters; NaN values are left out (their cluster still counts
        for the others). NaN for a resample that drew no issue with a value."""
        v = np.asarray(values, dtype=np.float64)
        have = ~np.isnan(v)
        k = self.n_clusters
        sums = np.bincount(self.clusters[have], weights=v[have], minlength=k)
        sizes = np.bincount(self.clusters[have], minlength=k).astype(np.float64)
        num = (self.counts * sums).sum(axis=1)
        den = (self.counts * sizes).sum(axis=1)
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)

    def interval(self, values: ArrayLike, level: float = 0.95) -> tuple[float, float]:
        """Percentile interval of :meth:`means` at ``level`` (resamples without a value
        left out); (NaN, NaN) when no resample has one."""
        m = self.means(values)
        m = m[~np.isnan(m)]
        if m.size == 0:
            return (float("nan"), float("nan"))
        tail = 100.0 * (1.0 - level) / 2.0
        lo, hi = np.percentile(m, [tail, 100.0 - tail])
        return (float(lo), float(hi))
