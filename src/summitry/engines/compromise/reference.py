"""Plain-loop oracle of the compromise model and its baselines (docs/models/compromise.md).

One problem at a time, Python floats and loops over actors; written apart from the
batched code in :mod:`summitry.engines.compromise.model` and ``baselines`` to test it.
Inputs are 2-D (problems, actors) arrays (NaN = absent) and 1-D reference points.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from summitry.engines.compromise.options import CompromiseOptions

__all__ = ["compromise", "mean_position", "weighted_median"]


def _rows(*arrays: ArrayLike) -> list[list[list[float]]]:
    return [np.asarray(a, dtype=float).tolist() for a in arrays]


def compromise(
    positions: ArrayLike,
    saliences: ArrayLike,
    capabilities: ArrayLike,
    reference_points: ArrayLike | None = None,
    options: CompromiseOptions | None = None,
) -> list[float]:
    """x* = (sum_i c_i s_i x_i [+ w_rp rp]) / (sum_i c_i s_i [+ w_rp]) per row."""
    opts = options or CompromiseOptions()
    xs, ss, cs = _rows(positions, saliences, capabilities)
    rps: list[float] = (
        [math.nan] * len(xs)
        if reference_points is None
        else np.asarray(reference_points, dtype=float).tolist()
    )
    out = []
    for x, s, c, rp in zip(xs, ss, cs, rps, strict=True):
        num = den = 0.0
        count = 0
        for xi, si, ci in zip(x, s, c, strict=True):
            if math.isnan(xi) or math.isnan(si) or math.isnan(ci):
                continue
            num += ci * si * xi
            den += ci * si
            count += 1
        if opts.reference == "actor":
            w_rp = opts.reference_weight * (den / count if count else 0.0)
            num += w_rp * rp
            den += w_rp
        out.append(num / den if den > 0 and not math.isnan(num) else math.nan)
    return out


def weighted_median(
    positions: ArrayLike, saliences: ArrayLike, capabilities: ArrayLike
) -> list[float]:
    """Smallest actor position whose weight at or below reaches half the total, per row."""
    xs, ss, cs = _rows(positions, saliences, capabilities)
    out = []
    for x, s, c in zip(xs, ss, cs, strict=True):
        actors = [
            (xi, ci * si)
            for xi, si, ci in zip(x, s, c, strict=True)
            if not (math.isnan(xi) or math.isnan(si) or math.isnan(ci))
        ]
        total = sum(w for _, w in actors)
        best = math.nan
        if total > 0:
            for cand in sorted({xi for xi, _ in actors}):
                below = sum(w for xi, w in actors if xi <= cand)
                if below >= (1.0 - 1e-12) * total / 2:
                    best = cand
                    break
        out.append(best)
    return out


def mean_position(positions: ArrayLike) -> list[float]:
    """Mean of the non-NaN positions per row (NaN when there are none)."""
    out = []
    for x in _rows(positions)[0]:
        have = [xi for xi in x if not math.isnan(xi)]
        out.append(sum(have) / len(have) if have else math.nan)
    return out
