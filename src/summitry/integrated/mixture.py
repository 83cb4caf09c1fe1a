"""The integrated forecast's mixture, pure functions over arrays (docs/integrated.md).

Per draw s and issue d:

    y_sd = t_sd   if the deal happens in draw s   (deal_s = 1)
           b_sd   otherwise                        (the no-deal point)

so over the draws y is the mixture P(deal) x (terms) + (1 - P(deal)) x (no-deal point).
Quantiles are the inverse of the empirical CDF, Q(u) = inf {y : F(y) >= u} (numpy's
``inverted_cdf``), so every reported value is one the mixture attains: P(deal) = 0 gives
the no-deal point and P(deal) = 1 the terms, exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

LEVELS: tuple[float, ...] = (0.5, 0.8, 0.95)
"""The central intervals reported for every headline distribution."""


def mixture(deal: BoolArray, terms: Array, no_deal: Array) -> Array:
    """y (B, D): the terms (B, D) or (D,) in the draws with a deal, else the no-deal point.

    ``deal`` (B,) bool; ``no_deal`` (B, D). NaN terms in a draw without a deal are never
    used."""
    d = np.asarray(deal, dtype=bool)
    b = np.asarray(no_deal, dtype=float)
    if d.ndim != 1 or b.ndim != 2 or b.shape[0] != d.shape[0]:
        raise ValueError(f"deal (B,) and no_deal (B, D) expected, got {d.shape} and {b.shape}")
    t = np.broadcast_to(np.asarray(terms, dtype=float), b.shape)
    return np.asarray(np.where(d[:, None], t, b), dtype=float)


def quantile(x: Array, u: float) -> float:
    """Q(u) = inf {y : F(y) >= u} of the sample ``x`` (no interpolation)."""
    return float(np.quantile(np.asarray(x, dtype=float), u, method="inverted_cdf"))


def intervals(x: Array, levels: tuple[float, ...] = LEVELS) -> dict[str, Any]:
    """The median and the central intervals [Q((1 - l) / 2), Q((1 + l) / 2)] of ``x``:
    ``{"median": m, "intervals": {"50": [lo, hi], "80": ..., "95": ...}}``."""
    v = np.asarray(x, dtype=float)
    if v.size == 0 or np.isnan(v).any():
        raise ValueError("intervals: need at least one value and no NaN")
    out: dict[str, list[float]] = {}
    for level in levels:
        a = (1.0 - level) / 2.0
        out[f"{round(level * 100)}"] = [quantile(v, a), quantile(v, 1.0 - a)]
    return {"median": quantile(v, 0.5), "intervals": out}


def probability(flags: BoolArray) -> float:
    """The share of draws where ``flags`` holds (a probability in [0, 1])."""
    f = np.asarray(flags, dtype=bool)
    return float(f.mean()) if f.size else float("nan")
