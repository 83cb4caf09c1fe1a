"""The asymmetric Nash bargaining solution with the reference point as disagreement, batched.

For each problem: maximise N(x) = sum_i w_i log(u_i(x) - u_i(rp)) with
u_i(x) = -s_i |x - x_i|^p over the points x that every actor weakly prefers to rp (Nash
1950; the weighted form of Kalai 1977 as used in the DEU literature, Achen 2006). Arrays
carry problems on the leading axes and actors on the last; NaN marks an absent actor.
docs/models/nbs.md states the equations, the lemmas the solver relies on and every rule.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from summitry.engines.compromise.model import Array, broadcast_inputs
from summitry.engines.nbs.options import NBSOptions

__all__ = ["feasible_interval", "nbs"]

_MAX_STEPS = 400  # bisection halvings; about 60 ever run on a 0-100 scale


def _actors(
    x: Array, s: Array, c: Array, opts: NBSOptions
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], Array]:
    """(binding, bargaining, w): binding actors have a position and a salience > 0 (and a
    capability when the weight uses it); bargaining ones also a weight w_i > 0."""
    have = ~np.isnan(x) & ~np.isnan(s)
    if opts.weights != "equal":
        have &= ~np.isnan(c)
    raw = {"equal": np.ones_like(x), "capability": c, "capability-salience": c * s}
    w = np.where(have, raw[opts.weights], 0.0)
    binding = have & (s > 0)
    return binding, binding & (w > 0), w


def feasible_interval(
    positions: ArrayLike, saliences: ArrayLike, reference_points: ArrayLike
) -> tuple[Array, Array]:
    """(lo, hi) of the points every actor with salience > 0 weakly prefers to rp.

    Actor i accepts x iff |x - x_i| <= |rp - x_i|, the interval between rp and 2 x_i - rp;
    the intersection contains rp ({rp} as soon as actors stand on both sides of rp, or one
    at rp). Infinite ends where no actor binds; NaN where rp is missing. Shapes (...).
    """
    lead, x, rp, arr = broadcast_inputs(positions, reference_points, saliences=saliences)
    binding = ~np.isnan(x) & ~np.isnan(arr["saliences"]) & (arr["saliences"] > 0)
    lo, hi = _bounds(x, rp, binding)
    return lo.reshape(lead), hi.reshape(lead)


def _bounds(x: Array, rp: Array, binding: NDArray[np.bool_]) -> tuple[Array, Array]:
    far = 2.0 * x - rp[:, None]
    with np.errstate(invalid="ignore"):
        lo = np.where(binding, np.minimum(rp[:, None], far), -np.inf).max(axis=1, initial=-np.inf)
        hi = np.where(binding, np.maximum(rp[:, None], far), np.inf).min(axis=1, initial=np.inf)
    missing = np.isnan(rp)
    return np.where(missing, np.nan, lo), np.where(missing, np.nan, hi)


def _slope(t: Array, d: Array, w: Array, power: float) -> Array:
    """N'(t) on t = |x - rp| in (0, T]: sum_i w_i g_i'(t) / g_i(t), g_i = d_i^p - |d_i - t|^p.

    ``d`` is (rows, n) with every bargaining actor at d_i > 0 and the others at d = inf with
    w = 0; at a kink of p = 1 the actor's term is 0, between the one-sided slopes, so N'
    stays monotone. p = 2: g_i'/g_i = 1/t - 1/(2 d_i - t); p = 1: sign(d_i - t)/min(t, 2 d_i - t).
    """
    tt = t[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        if power == 2.0:
            return np.asarray(w.sum(axis=1) / t - (w / (2.0 * d - tt)).sum(axis=1))
        if power == 1.0:
            return np.asarray((w * np.sign(d - tt) / np.minimum(tt, 2.0 * d - tt)).sum(axis=1))
        gap = d - tt
        term = power * np.abs(gap) ** (power - 1) * np.sign(gap) / (d**power - np.abs(gap) ** power)
        return np.asarray(np.where(w > 0, w * term, 0.0).sum(axis=1))


def nbs(
    positions: ArrayLike,
    saliences: ArrayLike,
    capabilities: ArrayLike,
    reference_points: ArrayLike,
    options: NBSOptions | None = None,
) -> Array:
    """The asymmetric NBS per problem, with rp as the disagreement point.

    Shapes: positions (..., n), saliences and capabilities broadcast to it, reference
    points (...); result (...). rp where the feasible set is {rp} (actors with salience > 0
    on both sides of rp or one at rp); NaN where rp is missing or, the feasible set being
    wider, no actor has salience > 0 and weight > 0. Otherwise the maximiser, bracketed by
    bisection on N' (decreasing: N is concave for p >= 1) to ``options.tol``.
    """
    opts = options or NBSOptions()
    lead, x, rp, arr = broadcast_inputs(
        positions, reference_points, saliences=saliences, capabilities=capabilities
    )
    binding, bargaining, w = _actors(x, arr["saliences"], arr["capabilities"], opts)
    lo, hi = _bounds(x, rp, binding)
    up = hi > rp
    span = np.where(up, hi - rp, rp - lo)  # T: 0 where the feasible set is {rp}
    out = np.where(bargaining.any(axis=1) | (span == 0), rp, np.nan)
    rows = np.flatnonzero(~np.isnan(out) & (span > 0))
    if rows.size:
        sign = np.where(up[rows], 1.0, -1.0)
        r = rp[rows]
        dist = sign[:, None] * (x[rows] - r[:, None])  # > 0 for every binding actor here
        # T = 2 min_i d_i over the binding actors, so that 2 d_i - t >= 0 holds exactly
        end = 2.0 * np.where(binding[rows], dist, np.inf).min(axis=1)
        d = np.where(bargaining[rows], dist, np.inf)
        ww = np.where(bargaining[rows], w[rows], 0.0)
        scale = np.maximum(np.abs(r), np.abs(np.where(binding[rows], x[rows], 0.0)).max(axis=1))
        tol = np.maximum(opts.tol, 8 * np.finfo(float).eps * scale)
        t_lo, t_hi = np.zeros(rows.size), end.copy()
        at_end = _slope(t_hi, d, ww, opts.power) >= 0
        for _ in range(_MAX_STEPS):
            open_ = t_hi - t_lo > tol
            if not open_.any():
                break
            mid = 0.5 * (t_lo + t_hi)
            rising = _slope(mid, d, ww, opts.power) > 0
            t_lo = np.where(open_ & rising, mid, t_lo)
            t_hi = np.where(open_ & ~rising, mid, t_hi)
        t = np.where(at_end, end, 0.5 * (t_lo + t_hi))
        out[rows] = r + sign * t
    return out.reshape(lead)
