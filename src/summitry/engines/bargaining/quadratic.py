"""Piecewise-quadratic representation of the quadratic-loss bargaining problem.

docs/models/bargaining.md, "The solver".

With u_X(z) = 1 - sum_d w_d (z_d - x_d)^2 every party's issue term is a concave quadratic,
and the credibility discount bends A's and B's terms only where the term crosses its z0 value
(z_d = z0_d or its mirror 2x_d - z0_d). On each issue the hull of {a, b, z0, r_v}, cut to the
consenters' box [box_lo, box_hi] (which contains z0), is cut at those points into at most
four regions; on a region every term is -k (z - x)^2 + const, so a weighted sum of terms is
maximised in closed form, z = sum_i k_i x_i / sum_i k_i, clipped to the region (the contract
curve when only A and B carry weight). Objectives are applied lexicographically by narrowing
each issue's interval of maximisers; the last one is closeness to z0 (strictly concave), so
the maximiser is unique.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from summitry.engines.bargaining.problem import BargainingProblem, BoolArray, FloatArray
from summitry.engines.bargaining.search import Rows

TIE_TOL = 1e-14
"""Two candidate values within this (relative) distance count as a tie."""


@dataclass(frozen=True)
class PiecewiseQuadratic(Rows):
    """Regions of a batch: ``cuts`` (B, D, R + 1), party ``centre``/``weight`` (B, P, D),
    credibility ``tau`` (B, P) (1 for ratifiers), curvature ``curv`` (B, P, D, R), status quo
    ``z0`` (B, D), reservations ``d`` (B, P). Points are packages z (B, D)."""

    cuts: FloatArray
    centre: FloatArray
    weight: FloatArray
    tau: FloatArray
    curv: FloatArray
    z0: FloatArray
    d: FloatArray

    knapsack: ClassVar[bool] = False
    exact: ClassVar[bool] = False

    def argmax_subject_to(
        self, stack: Sequence[FloatArray], party: int
    ) -> tuple[FloatArray, BoolArray]:
        raise NotImplementedError("quadratic utilities use the multiplier chord")

    def terms(self, z: FloatArray) -> FloatArray:
        """Effective issue terms of every party at points z (B, D, ...) -> (B, P, D, ...)."""
        extra = z.ndim - 2
        shape = (slice(None), slice(None), slice(None)) + (None,) * extra
        centre, weight = self.centre[shape], self.weight[shape]
        z0 = self.z0[(slice(None), None, slice(None)) + (None,) * extra]
        tau = self.tau[(slice(None), slice(None)) + (None,) * (extra + 1)]
        base = -weight * (z0 - centre) ** 2
        gain = -weight * (z[:, None] - centre) ** 2 - base
        return base + np.where(gain > 0.0, tau * gain, gain)

    def argmax(self, stack: Sequence[FloatArray]) -> FloatArray:
        """Packages maximising the objectives of ``stack`` lexicographically ((B, P) weights)."""
        left, right = self.cuts[..., :-1], self.cuts[..., 1:]
        low, high = self.cuts[..., 0].copy(), self.cuts[..., -1].copy()
        levels: list[FloatArray | None] = [*stack, None]
        for weights in levels:
            if weights is None:  # closeness to the status quo
                curv = np.ones_like(left)
                moment = np.broadcast_to(self.z0[..., None], left.shape)
            else:
                curv = np.einsum("bp,bpdr->bdr", weights, self.curv)
                moment = np.einsum("bp,bpdr,bpd->bdr", weights, self.curv, self.centre)
            rl = np.maximum(left, low[..., None])
            rr = np.minimum(right, high[..., None])
            valid = rl <= rr
            flat = curv <= 0.0
            stationary = moment / np.where(flat, 1.0, curv)
            point = np.where(flat, rl, np.clip(stationary, rl, rr))
            if weights is None:
                value = -((point - self.z0[..., None]) ** 2)
            else:
                value = np.einsum("bp,bpdr->bdr", weights, self.terms(point))
            value = np.where(valid, value, -np.inf)
            best = value.max(axis=-1, keepdims=True)
            win = valid & (value >= best - TIE_TOL * (1.0 + np.abs(best)))
            low = np.where(win, point, np.inf).min(axis=-1)
            high = np.where(win, np.where(flat, rr, point), -np.inf).max(axis=-1)
        return 0.5 * (low + high)

    def utilities(self, z: FloatArray) -> FloatArray:
        """(B, P) utilities 1 + sum_d terms at packages z (B, D)."""
        return 1.0 + self.terms(z).sum(axis=-1)

    def package(self, z: FloatArray) -> FloatArray:
        return np.clip(z, self.cuts[..., 0], self.cuts[..., -1])


def build_quadratic(p: BargainingProblem, d: FloatArray, rows: slice) -> PiecewiseQuadratic:
    """Cut every issue of the samples ``rows`` of ``p`` into regions; ``d`` is (B, 2 + V);
    ``box_lo``, ``box_hi`` (B, D) the consent box (the hull is cut to it; it contains z0)."""
    a, b, w_a, w_b, z0, tau_a, tau_b, ratifier_ideal, ratifier_weight, box_lo, box_hi = p.arrays(
        rows
    )
    size, _ = a.shape
    n_rat = ratifier_ideal.shape[1]
    centre = np.concatenate([a[:, None], b[:, None], ratifier_ideal], axis=1)  # (B, P, D)
    weight = np.concatenate([w_a[:, None], w_b[:, None], ratifier_weight], axis=1)
    tau = np.concatenate([tau_a[:, None], tau_b[:, None], np.ones((size, n_rat))], axis=1)
    points = np.concatenate([centre, z0[:, None]], axis=1)
    lo = np.maximum(points.min(axis=1), box_lo)
    hi = np.minimum(points.max(axis=1), box_hi)
    kinks = np.stack([lo, hi, z0, 2.0 * a - z0, 2.0 * b - z0], axis=-1)
    cuts = np.sort(np.clip(kinks, lo[..., None], hi[..., None]), axis=-1)
    mid = 0.5 * (cuts[..., :-1] + cuts[..., 1:])  # (B, D, R)
    gains = np.abs(mid[:, None] - centre[..., None]) < np.abs(z0[:, None] - centre)[..., None]
    curv = weight[..., None] * np.where(gains, tau[:, :, None, None], 1.0)
    return PiecewiseQuadratic(
        cuts=cuts, centre=centre, weight=weight, tau=tau, curv=curv, z0=z0, d=d
    )
