"""Piecewise-linear representation of the linear-loss bargaining problem.

docs/models/bargaining.md, "The solver".

On issue d every utility in play (A's and B's effective utilities, each ratifier's) is concave
and piecewise linear in z_d, with kinks only at a_d, b_d, z0_d, the ratifiers' ideal points and
the credibility kinks 2a_d - z0_d, 2b_d - z0_d (where the issue term returns to its z0 value).
Packages outside the hull of {a_d, b_d, z0_d, r_vd} are dominated for everybody, so each issue
is cut at those points, within the consenters' box [box_lo_d, box_hi_d] (which contains z0_d),
into "pieces" and a package is a vector of fills x (0 <= x_j <= len_j):
z_d = lo_d + sum of the fills of issue d's pieces. Every utility is then linear in x,
U_i(x) = U_i(lo) + sum_j rate_ij x_j.

The fill relaxation is exact: each utility's rates fall from piece to piece along an issue
(concavity), so refilling an issue's pieces in order with the same total weakly raises every
party's utility at once. Maximising any weighted sum of utilities over the box is a
lexicographic sign rule on the pieces' combined rates (fill iff the rate is positive; exact
zeros fall through to the next objective, and finally toward the status quo).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from summitry.engines.bargaining.problem import BargainingProblem, BoolArray, FloatArray
from summitry.engines.bargaining.search import Rows
from summitry.engines.bargaining.utility import effective_utility, utility

SNAP = 1e-12
"""Packages this close to a cut are put on it (removes round-off from sums of fills)."""


@dataclass(frozen=True)
class PiecewiseLinear(Rows):
    """Pieces of a batch: ``length`` (B, n), party ``rates`` (B, P, n), status-quo tie-break
    rates ``tie`` (B, n), utilities ``base`` (B, P) at z = ``lo`` (B, D), reservations ``d``
    (B, P). Parties: 0 = A (effective), 1 = B (effective), 2.. = ratifiers (raw)."""

    lo: FloatArray
    hi: FloatArray
    cuts: FloatArray
    length: FloatArray
    rates: FloatArray
    tie: FloatArray
    base: FloatArray
    d: FloatArray

    knapsack: ClassVar[bool] = True
    exact: ClassVar[bool] = True

    def combined(self, weights: FloatArray) -> FloatArray:
        """Rates of the weighted sum sum_i weights_i U_i, (B, n)."""
        return np.matmul(weights[:, None, :], self.rates)[:, 0, :]

    def argmax(self, stack: Sequence[FloatArray]) -> FloatArray:
        """Fills maximising the objectives of ``stack`` lexicographically ((B, P) weights each),
        ties finally broken toward the status quo."""
        sign: FloatArray | None = None
        for weights in stack:
            s = np.sign(self.combined(weights))
            sign = s if sign is None else np.where(sign == 0.0, s, sign)
        sign = self.tie if sign is None else np.where(sign == 0.0, self.tie, sign)
        return np.where(sign > 0.0, self.length, 0.0)

    def argmax_subject_to(
        self, stack: Sequence[FloatArray], party: int
    ) -> tuple[FloatArray, BoolArray]:
        """Maximise ``stack`` subject to U_party >= d_party exactly (a continuous knapsack).

        Start from the unconstrained lexicographic maximiser. If it falls short by D, buy the
        shortfall from the pieces that raise U_party, cheapest first: filling an empty piece
        or emptying a full one changes U_party by g_j per unit and objective k by r_kj, so its
        price is -r_kj / g_j. Prices compare lexicographically over the objectives of
        ``stack`` and then the status-quo tie-break (the lexicographic order is the limit of
        c + eps tail, for which the greedy order is optimal); the last piece is bought in
        part. Returns the fills and whether the constraint can be met.
        """
        x = self.argmax(stack)
        short = self.d[:, party] - self.utilities(x)[:, party]
        feasible = np.ones(self.size, dtype=bool)
        idx = np.flatnonzero(short > 0.0)
        if idx.size == 0:
            return x, feasible
        rates = self.rates[idx]
        g = rates[:, party, :]
        xi, length = x[idx], self.length[idx]
        full = xi > 0.0
        useful = np.where(full, g < 0.0, g > 0.0) & (length > 0.0)
        gain = np.where(useful, np.abs(g) * length, 0.0)
        per_unit = np.where(useful, g, 1.0)
        objectives = [np.matmul(w[idx][:, None, :], rates)[:, 0, :] for w in stack]
        prices = [np.where(useful, -r / per_unit, np.inf) for r in [*objectives, self.tie[idx]]]
        order = np.lexsort(prices[::-1], axis=-1)
        gain_s = np.take_along_axis(gain, order, axis=1)
        bought = np.cumsum(gain_s, axis=1)
        need = short[idx]
        enough = bought[:, -1] >= need * (1.0 - 1e-15) - 1e-15
        # the piece bought in part: the first whose cumulative gain covers the need, or the
        # last piece where only the whole lot does, to round-off (argmax of all False is 0)
        covers = bought >= need[:, None]
        last = np.where(covers.any(axis=1), np.argmax(covers, axis=1), bought.shape[1] - 1)
        rows = np.arange(idx.size)
        before = np.where(last > 0, bought[rows, np.maximum(last - 1, 0)], 0.0)
        part = np.clip(
            (need - before) / np.where(gain_s[rows, last] > 0, gain_s[rows, last], 1.0), 0, 1
        )
        steps = np.arange(gain_s.shape[1])[None, :]
        frac_s = np.where(steps < last[:, None], 1.0, 0.0)
        frac_s = np.where(steps == last[:, None], part[:, None], frac_s)
        frac = np.empty_like(frac_s)
        np.put_along_axis(frac, order, frac_s, axis=1)
        frac = np.where(useful, frac, 0.0)
        x[idx] = np.where(full, xi - frac * length, xi + frac * length)
        feasible[idx] = enough
        return x, feasible

    def utilities(self, x: FloatArray) -> FloatArray:
        """U(x) = base + rates . x, (B, P)."""
        return self.base + np.matmul(self.rates, x[:, :, None])[:, :, 0]

    def package(self, x: FloatArray) -> FloatArray:
        """z_d = lo_d + the fills of issue d, (B, D); within 1e-12 of a cut (an ideal point,
        z0, a credibility kink) it is snapped onto it, so vertices come out exact."""
        n_issues = self.lo.shape[1]
        z = self.lo + x.reshape(x.shape[0], n_issues, -1).sum(axis=-1)
        gap = np.abs(z[..., None] - self.cuts)
        near = np.argmin(gap, axis=-1)[..., None]
        snapped = np.take_along_axis(self.cuts, near, axis=-1)[..., 0]
        close = np.take_along_axis(gap, near, axis=-1)[..., 0] <= SNAP
        return np.clip(np.where(close, snapped, z), self.lo, self.hi)


def build_linear(p: BargainingProblem, d: FloatArray, rows: slice) -> PiecewiseLinear:
    """Cut every issue of the samples ``rows`` of ``p`` into pieces; ``d`` is (B, 2 + V);
    ``box_lo``, ``box_hi`` (B, D) the consent box (the hull is cut to it; it contains z0)."""
    a, b, w_a, w_b, z0, tau_a, tau_b, ratifier_ideal, ratifier_weight, box_lo, box_hi = p.arrays(
        rows
    )
    size, n_issues = a.shape
    r_ideal = np.moveaxis(ratifier_ideal, 1, 2)  # (B, D, V)
    r_weight = np.moveaxis(ratifier_weight, 1, 2)
    points = np.concatenate([a[..., None], b[..., None], z0[..., None], r_ideal], axis=-1)
    lo = np.maximum(points.min(axis=-1), box_lo)
    hi = np.minimum(points.max(axis=-1), box_hi)
    kinks = np.concatenate([points, (2.0 * a - z0)[..., None], (2.0 * b - z0)[..., None]], axis=-1)
    cuts = np.sort(np.clip(kinks, lo[..., None], hi[..., None]), axis=-1)
    length = np.diff(cuts, axis=-1)  # (B, D, K)
    mid = 0.5 * (cuts[..., :-1] + cuts[..., 1:])

    def principal(ideal: FloatArray, weight: FloatArray, tau: FloatArray) -> FloatArray:
        rate = -weight[..., None] * np.sign(mid - ideal[..., None])
        gains = np.abs(mid - ideal[..., None]) < np.abs(z0 - ideal)[..., None]
        return np.where(gains, tau[:, None, None] * rate, rate)

    rates = [principal(a, w_a, tau_a), principal(b, w_b, tau_b)]
    for v in range(r_ideal.shape[-1]):
        rates.append(-r_weight[..., v, None] * np.sign(mid - r_ideal[..., v, None]))
    n_pieces = length.shape[-1] * n_issues
    stacked = np.stack(rates, axis=1).reshape(size, len(rates), n_pieces)
    tie = -np.sign(mid - z0[..., None]).reshape(size, n_pieces)
    u_a = effective_utility(lo, a, w_a, z0, tau_a, "linear")
    u_b = effective_utility(lo, b, w_b, z0, tau_b, "linear")
    u_v = utility(lo[:, None, :], ratifier_ideal, ratifier_weight, "linear")
    base = np.concatenate([u_a[:, None], u_b[:, None], u_v], axis=1)
    return PiecewiseLinear(
        lo=lo,
        hi=hi,
        cuts=cuts,
        length=length.reshape(size, n_pieces),
        rates=np.ascontiguousarray(stacked),
        tie=tie,
        base=base,
        d=d,
    )
