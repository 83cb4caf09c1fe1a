"""Plain-loop oracle of the asymmetric NBS (docs/models/nbs.md), written apart from
:mod:`summitry.engines.nbs.model` to test it.

One problem at a time with Python floats: the feasible interval by a loop over actors;
then the Karush-Kuhn-Tucker conditions piece by piece. The kinks of p = 1 (t = d_i) cut
(0, T) into pieces on which N is smooth; the maximiser is the first kink or end where the
right slope is <= 0, or else the root of N' inside the first piece where N' changes
sign, found by scipy's Brent method (brentq) to 1e-13, or by bisection (scipy's bisect)
where Brent's steps stall on a slope that is nearly infinite at one end.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import bisect, brentq

from summitry.engines.nbs.options import NBSOptions

__all__ = ["nbs"]


def _gain(t: float, d: float, p: float) -> float:
    """g(t) = d^p - |d - t|^p, the utility gain over rp at distance t from it (s = 1)."""
    if p == 2.0:
        return t * (2.0 * d - t)
    if p == 1.0:
        return min(t, 2.0 * d - t)
    return d**p - abs(d - t) ** p


def _gain_slope(t: float, d: float, p: float, side: int) -> float:
    """g'(t) from the right (side=+1) or the left (side=-1)."""
    if t == d:
        return -float(side) if p == 1.0 else 0.0
    gap = d - t
    return p * abs(gap) ** (p - 1) * math.copysign(1.0, gap)


def _slope(t: float, actors: list[tuple[float, float]], p: float, side: int) -> float:
    """One-sided N'(t) = sum_i w_i g_i'(t) / g_i(t) (+-inf where a gain is 0)."""
    total = 0.0
    for d, w in actors:
        g, dg = _gain(t, d, p), _gain_slope(t, d, p, side)
        if g <= 0.0:
            return math.inf if dg > 0 else -math.inf
        total += w * dg / g
    return total


def _solve(actors: list[tuple[float, float]], span: float, p: float) -> float:
    cuts = sorted({d for d, _ in actors if p == 1.0 and 0.0 < d < span})
    ends = [0.0, *cuts, span]
    for a, b in itertools.pairwise(ends):
        if _slope(a, actors, p, +1) <= 0.0:
            return a
        if _slope(b, actors, p, -1) >= 0.0:
            continue
        h = (b - a) * 1e-13
        lo, hi = a + h, b - h
        if _slope(lo, actors, p, +1) <= 0.0:
            return lo
        if _slope(hi, actors, p, -1) >= 0.0:
            return hi

        def slope(t: float) -> float:
            return _slope(t, actors, p, +1)

        root, info = brentq(slope, lo, hi, xtol=1e-13, full_output=True, disp=False)
        if not info.converged:
            root = bisect(slope, lo, hi, xtol=1e-13, maxiter=400)
        return float(root)
    return span


def nbs(
    positions: ArrayLike,
    saliences: ArrayLike,
    capabilities: ArrayLike,
    reference_points: ArrayLike,
    options: NBSOptions | None = None,
) -> list[float]:
    """argmax_x sum_i w_i log(u_i(x) - u_i(rp)) per row of 2-D (problems, actors) arrays."""
    opts = options or NBSOptions()
    xs = np.asarray(positions, dtype=float).tolist()
    ss = np.asarray(saliences, dtype=float).tolist()
    cs = np.asarray(capabilities, dtype=float).tolist()
    rps = np.asarray(reference_points, dtype=float).tolist()
    out = []
    for x, s, c, rp in zip(xs, ss, cs, rps, strict=True):
        if math.isnan(rp):
            out.append(math.nan)
            continue
        lo, hi = -math.inf, math.inf
        bargainers: list[tuple[float, float]] = []
        binding: list[float] = []
        for xi, si, ci in zip(x, s, c, strict=True):
            if math.isnan(xi) or math.isnan(si) or si == 0.0:
                continue
            if opts.weights != "equal" and math.isnan(ci):
                continue
            binding.append(xi)
            lo = max(lo, min(rp, 2.0 * xi - rp))
            hi = min(hi, max(rp, 2.0 * xi - rp))
            wi = {"equal": 1.0, "capability": ci, "capability-salience": ci * si}[opts.weights]
            if wi > 0:
                bargainers.append((xi, wi))
        if lo == hi:
            out.append(rp)
            continue
        if not bargainers:
            out.append(math.nan)
            continue
        sign = 1.0 if hi > rp else -1.0
        # the nearest caring actor's reflection of rp ends the interval: T = 2 min_i d_i
        span = 2.0 * min(sign * (xi - rp) for xi in binding)
        t = _solve([(sign * (xi - rp), wi) for xi, wi in bargainers], span, opts.power)
        out.append(rp + sign * t)
    return out
