"""The Pareto-frontier walk for linear utilities without ratifiers (MODELS.md s.3).

Start from A's best package (every piece that A gains on, ties to B, then to the status quo).
A piece on which one principal gains and the other loses is a *move* toward B: filling it (B
gains, A loses) or emptying it (A gave up a gain). Each move trades at a constant rate,
B's gain per unit of A's loss, r_j = |rate_B,j| / |rate_A,j|; sorting the moves by r_j from
high to low (a fractional knapsack) traces the whole Pareto frontier as a concave polyline
from A's best to B's best. With credibility an issue between a and b splits at z0 into two
segments, the part beyond z0 being worth tau_B w^B_d to B (and the part short of z0 costing A
only tau_A w^A_d), which keeps the order consistent within the issue.

On each segment the asymmetric Nash product alpha ln s_A + (1 - alpha) ln s_B peaks at a
closed-form point; the best of these segment optima is the exact Nash solution. A zone of
agreement exists iff some segment meets {s_A >= 0, s_B >= 0}.
"""

from __future__ import annotations

import numpy as np

from summitry.engines.bargaining_linear import PiecewiseLinear
from summitry.engines.bargaining_problem import BoolArray, FloatArray
from summitry.engines.bargaining_search import TOL_ZOPA


def walk_nash(
    pl: PiecewiseLinear, alpha: FloatArray
) -> tuple[BoolArray, FloatArray, BoolArray]:
    """Nash solution of A and B alone (ratifiers ignored): (zopa, fills, degenerate).

    ``degenerate`` marks samples whose zone of agreement has no point with both surpluses
    positive; their fills are A's best point of the zone (the limit of the Nash solution).
    """
    rate_a, rate_b = pl.rates[:, 0, :], pl.rates[:, 1, :]
    length = pl.length
    sign = np.sign(rate_a)
    sign = np.where(sign == 0.0, np.sign(rate_b), sign)
    sign = np.where(sign == 0.0, pl.tie, sign)
    filled = sign > 0.0
    start = np.where(filled, length, 0.0)
    trade = (rate_a * rate_b < 0.0) & (length > 0.0)
    step = np.where(trade, np.where(filled, -length, length), 0.0)
    gain_a, gain_b = rate_a * step, rate_b * step
    key = np.where(trade, -np.abs(rate_b) / np.where(trade, np.abs(rate_a), 1.0), np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    d_a = np.take_along_axis(gain_a, order, axis=1)
    d_b = np.take_along_axis(gain_b, order, axis=1)
    s0 = pl.utilities(start)[:, :2] - pl.d[:, :2]
    end_a = s0[:, :1] + np.cumsum(d_a, axis=1)
    end_b = s0[:, 1:] + np.cumsum(d_b, axis=1)
    prev_a = np.concatenate([s0[:, :1], end_a[:, :-1]], axis=1)
    prev_b = np.concatenate([s0[:, 1:], end_b[:, :-1]], axis=1)
    moving = (d_a < 0.0) & (d_b > 0.0)

    al = alpha[:, None]
    prod = np.where(moving, d_a * d_b, -1.0)
    theta = np.where(moving, np.clip(-(al * d_a * prev_b + (1 - al) * d_b * prev_a) / prod, 0, 1), 0)
    s_a, s_b = prev_a + theta * d_a, prev_b + theta * d_b
    positive = (s_a > 0.0) & (s_b > 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(positive, al * np.log(s_a) + (1 - al) * np.log(s_b), -np.inf)

    # segments meeting the zone {s_A >= -tol, s_B >= -tol}: theta in [from_b, to_a]
    tol = TOL_ZOPA
    with np.errstate(divide="ignore", invalid="ignore"):
        from_b = np.where(moving, (-tol - prev_b) / d_b, np.where(prev_b >= -tol, -np.inf, np.inf))
        to_a = np.where(moving, (prev_a + tol) / -d_a, np.where(prev_a >= -tol, np.inf, -np.inf))
    first, last = np.maximum(from_b, 0.0), np.minimum(to_a, 1.0)
    meets = first <= last
    zopa = meets.any(axis=1)

    k = np.argmax(value, axis=1)
    rows = np.arange(pl.size)
    degenerate = zopa & ~np.isfinite(value[rows, k])
    k_deg = np.argmax(meets, axis=1)
    k = np.where(degenerate, k_deg, k)
    t = np.where(degenerate, first[rows, k_deg], theta[rows, k])
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(order.shape[1])[None, :], axis=1)
    frac = np.where(rank < k[:, None], 1.0, np.where(rank == k[:, None], t[:, None], 0.0))
    return zopa, start + frac * step, degenerate
