"""The Pareto-frontier walk for linear utilities without ratifiers.

docs/models/bargaining.md, "The solver".

Start from A's best package (every piece that A gains on, ties to B, then to the status quo).
A piece on which one principal gains and the other loses is a *move* toward B: filling it (B
gains, A loses) or emptying it (A gave up a gain). Each move trades at a constant rate,
B's gain per unit of A's loss, r_j = |rate_B,j| / |rate_A,j|; sorting the moves by r_j from
high to low (a fractional knapsack) traces the whole Pareto frontier as a concave polyline
P_0 (A's best), P_1, ..., P_n (B's best). With credibility an issue between a and b splits at
z0 into two segments, the part beyond z0 being worth tau_B w^B_d to B (and the part short of
z0 costing A only tau_A w^A_d), which keeps the order consistent within the issue.

The asymmetric Nash product N = alpha ln s_A + (1 - alpha) ln s_B is concave along the
polyline; it still rises from vertex P_k along segment k+1 iff
(1 - alpha) r_{k+1} s_A(P_k) > alpha s_B(P_k), so the optimum lies on the first segment after
which it stops rising, at the closed-form point of that segment where
alpha |dA| s_B = (1 - alpha) dB s_A. A zone of agreement exists iff the polyline meets
{s_A >= 0, s_B >= 0}: at the first vertex with s_B >= 0, or where s_B crosses 0 before it.
"""

from __future__ import annotations

import numpy as np

from summitry.engines.bargaining.linear import PiecewiseLinear
from summitry.engines.bargaining.problem import BoolArray, FloatArray
from summitry.engines.bargaining.search import TOL_ZOPA


def walk_nash(
    pl: PiecewiseLinear, alpha: FloatArray
) -> tuple[BoolArray, FloatArray, BoolArray, FloatArray]:
    """Nash solution of A and B alone (ratifiers ignored): (zopa, fills, degenerate, normal).

    ``degenerate`` marks samples whose zone of agreement has no point with both surpluses
    positive; their fills are A's best point of the zone (the limit of the Nash solution).
    ``normal`` (B, 2) is the frontier's normal (weights on U_A, U_B summing to 1) at the
    solution's segment, zero where the solution is a vertex of degenerate.
    """
    rate_a, rate_b = pl.rates[:, 0, :], pl.rates[:, 1, :]
    length = pl.length
    size, n = length.shape
    sign = np.sign(rate_a)
    sign = np.where(sign == 0.0, np.sign(rate_b), sign)
    sign = np.where(sign == 0.0, pl.tie, sign)
    filled = sign > 0.0
    start = np.where(filled, length, 0.0)
    trade = (rate_a * rate_b < 0.0) & (length > 0.0)
    step = np.where(trade, np.where(filled, -length, length), 0.0)
    key = np.where(trade, rate_b / np.where(trade, rate_a, 1.0), np.inf)  # -(B gain / A loss)
    order = np.argsort(key, axis=1, kind="stable")
    step_s = np.take_along_axis(step, order, axis=1)
    d_a = np.take_along_axis(rate_a, order, axis=1) * step_s  # <= 0
    d_b = np.take_along_axis(rate_b, order, axis=1) * step_s  # >= 0
    s0 = pl.utilities(start)[:, :2] - pl.d[:, :2]
    # surpluses at the vertices P_0 .. P_n
    v_a = np.empty((size, n + 1))
    v_b = np.empty((size, n + 1))
    v_a[:, 0], v_b[:, 0] = s0[:, 0], s0[:, 1]
    np.cumsum(d_a, axis=1, out=v_a[:, 1:])
    np.cumsum(d_b, axis=1, out=v_b[:, 1:])
    v_a[:, 1:] += s0[:, :1]
    v_b[:, 1:] += s0[:, 1:]
    rows = np.arange(size)
    al = alpha

    # Nash: first vertex from which the product stops rising (n if it rises all the way)
    rising = (1.0 - al[:, None]) * d_b * v_a[:, :-1] > al[:, None] * (-d_a) * v_b[:, :-1]
    stop = np.where(rising.all(axis=1), n, np.argmin(rising, axis=1))
    seg = np.maximum(stop - 1, 0)  # the optimum is on segment `seg` (0-based) or at P_0
    pa, pb = v_a[rows, seg], v_b[rows, seg]
    da, db = d_a[rows, seg], d_b[rows, seg]
    moving = (stop > 0) & (da < 0.0) & (db > 0.0) & (da * db < 0.0)
    prod = np.where(moving, da * db, -1.0)
    theta = np.where(moving, np.clip(-(al * da * pb + (1.0 - al) * db * pa) / prod, 0.0, 1.0), 0.0)
    nash_ok = (pa + theta * da > TOL_ZOPA) & (pb + theta * db > TOL_ZOPA)

    # zone of agreement: the first vertex with s_B >= -tol, or the crossing just before it
    tol = TOL_ZOPA
    reach = v_b >= -tol
    first = np.argmax(reach, axis=1)
    seg_z = np.maximum(first - 1, 0)
    ca, cb = v_a[rows, seg_z], v_b[rows, seg_z]
    za, zb = d_a[rows, seg_z], d_b[rows, seg_z]
    gives = (first > 0) & (zb > 0.0)
    zb_safe = np.where(gives, zb, 1.0)
    cross = np.clip(np.where(gives, (-tol - cb) / zb_safe, 0.0), 0.0, 1.0)
    at_a = np.where(first > 0, ca + cross * za, v_a[:, 0])
    zopa = reach.any(axis=1) & (at_a >= -tol)
    degenerate = zopa & ~nash_ok
    # A's best point of Z* gives B its reservation (s_B = 0, or the vertex if B gets no more
    # there), not -tol: the tolerance is for deciding the zone, not a concession B makes.
    # Only where that would leave A below -tol (a zone within the tolerance only) is the
    # crossing at -tol kept.
    cross_0 = np.clip(np.where(gives, -cb / zb_safe, 0.0), 0.0, 1.0)
    cross = np.where(ca + cross_0 * za >= -tol, cross_0, cross)
    # segments before `done` are taken whole, then a fraction `partial` of segment `done`:
    # the Nash point (P_0 itself when the product does not rise from it: stop = 0, theta = 0)
    # or, if degenerate, the crossing found above (P_0 when the zone is reached there). A
    # degenerate sample's crossing is used even when stop = 0: the product's slope at a P_0
    # outside the zone says nothing about where the zone is.
    seg = np.where(degenerate, seg_z, seg)
    theta = np.where(degenerate, np.where(first > 0, cross, 0.0), theta)
    done, partial = seg, theta
    steps = np.arange(n)[None, :]
    frac = np.where(steps < done[:, None], 1.0, 0.0)
    frac = np.where(steps == done[:, None], partial[:, None], frac)
    moved = np.empty_like(step)
    np.put_along_axis(moved, order, frac * step_s, axis=1)
    normal = np.zeros((size, 2))
    ok = moving & ~degenerate
    total = np.where(ok, db - da, 1.0)
    normal[:, 0], normal[:, 1] = np.where(ok, db / total, 0.0), np.where(ok, -da / total, 0.0)
    return zopa, start + moved, degenerate, normal
