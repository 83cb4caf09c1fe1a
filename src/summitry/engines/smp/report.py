"""The SMP's reported outcome: per estimator h, the probability that each position prevails.

For each h, a PCE over the distinct positions (KTAB merges positions closer than POS_TOL,
keeping the first of each group in actor order), voters k weighted by capability c_k, with
utilities U^h(k, a) = u(d_ka, R^h_k); actor i is reported with the probability of the last
distinct position equivalent to its own (KTAB's State::posProb). Done naively this costs
O(n^4) per turn. For proportional voting we use that U^h(k,a) - U^h(k,b) = X + t_h Y with
t_h = alpha R_h (alpha the weight of the estimator's own attitude, see perceived_risk), so
C^h(a,b) = 1e-8 + sum_k c_k [X_kab + t_h Y_kab]+ is piecewise linear in t_h: sorting the n
values t_h and accumulating each voter's contribution over the range of h where it is
positive gives all C^h in O(n^3 log n). Source: KTAB examples/smp/libsrc/smp.cpp
(SMPState::pDist), kmodel/kstate.cpp (State::posProb, setUENdx).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from summitry.engines.smp.options import PCE_MIN_COALITION, POS_TOL, SMPOptions
from summitry.engines.smp.pce import coalitions, pce, victory_matrix
from summitry.engines.smp.rules import PERCEPTION_WEIGHTS, seq_sum

__all__ = ["estimator_probabilities", "prop_coalitions", "unique_positions"]

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]
Method = Literal["auto", "direct", "breakpoint"]

CHUNK_ELEMENTS = 1 << 14
"""Upper bound on elements of the blocks built at once."""
DIRECT_BELOW = 12
"""'auto' uses the direct O(n^4) sum below this many actors (it is cheaper there)."""


def unique_positions(theta: Array) -> tuple[Mask, NDArray[np.int64]]:
    """(is_rep (B, n), rep_of (B, n)): first-of-group markers in actor order, and for each
    actor the last representative within POS_TOL of its position."""
    b, n, _ = theta.shape
    gap = theta[:, :, None, :] - theta[:, None, :, :]
    same = np.sqrt(seq_sum(gap * gap)) < POS_TOL
    is_rep = np.zeros((b, n), dtype=bool)
    for i in range(n):
        is_rep[:, i] = ~np.any(same[:, i, :i] & is_rep[:, :i], axis=-1)
    match = same & is_rep[:, None, :]
    rep_of = (n - 1) - np.argmax(match[..., ::-1], axis=-1)
    return is_rep, rep_of


def prop_coalitions(d_opt: Array, risk: Array, capability: Array, perception: str) -> Array:
    """C^h[a, b] for proportional voting, one sample: d_opt (n, M) voter-to-option
    distances, risk (n,) attitudes R, capability (n,). Returns (n_h, M, M).

    Each unordered pair is built once: with L = sum_k c_k (X_k + t Y_k), the support for b
    against a is S_ab - L.
    """
    n, m = d_opt.shape
    wa, wb = PERCEPTION_WEIGHTS[perception]
    alpha, beta = wa / (wa + wb), wb / (wa + wb)
    f = 1 - d_opt
    g = f * np.minimum(d_opt, 1.0)
    ts = alpha * risk
    order = np.argsort(ts, kind="stable")
    t_sorted = ts[order]
    nb = n + 1
    out = np.zeros((n, m, m))
    beta_r = (beta * risk)[:, None]
    cap = capability[:, None]
    first, second = np.triu_indices(m, 1)
    per = max(1, CHUNK_ELEMENTS // max(1, n))
    for start in range(0, first.size, per):
        ia, ib = first[start : start + per], second[start : start + per]
        pairs = ia.size
        y = g[:, ia] - g[:, ib]  # (k, pairs)
        x = f[:, ia] - f[:, ib]
        x += beta_r * y
        with np.errstate(divide="ignore", invalid="ignore"):
            tau = np.divide(x, y)
        np.negative(tau, out=tau)
        # voter k counts for the h with t_h > tau (y > 0) or t_h < tau (y < 0); an h with
        # t_h == tau adds exactly nothing, so one search side serves both cases
        cut = np.searchsorted(t_sorted, tau, side="right")
        sign = np.sign(y)
        wx = cap * x
        wy = cap * y
        from_start = (sign < 0) | ((sign == 0) & (x > 0))  # active from the lowest t_h
        bins = (np.arange(pairs)[None, :] * nb + cut).ravel()
        size = pairs * nb
        sx = np.bincount(bins, (wx * sign).ravel(), size).reshape(pairs, nb)
        sy = np.bincount(bins, (wy * sign).ravel(), size).reshape(pairs, nb)
        sx[:, 0] += np.where(from_start, wx, 0.0).sum(axis=0)
        sy[:, 0] += np.where(from_start, wy, 0.0).sum(axis=0)
        s_ab = np.cumsum(sx, axis=1)[:, :n] + t_sorted * np.cumsum(sy, axis=1)[:, :n]
        s_ba = s_ab - (wx.sum(axis=0)[:, None] + t_sorted * wy.sum(axis=0)[:, None])
        unsorted = np.empty((pairs, n))
        unsorted[:, order] = np.maximum(s_ab, 0.0)
        out[:, ia, ib] = unsorted.T
        unsorted[:, order] = np.maximum(s_ba, 0.0)
        out[:, ib, ia] = unsorted.T
    return PCE_MIN_COALITION + out


def estimator_probabilities(
    d: Array,
    risk: Array,
    rp: Array,
    theta: Array,
    capability: Array,
    options: SMPOptions,
    method: Method = "auto",
) -> Array:
    """prob[b, h, i] = P^h(actor i's position prevails), (B, n, n).

    d (B, n, n): distance from k's ideal to x's position; risk (B, n); rp (B, n, n) = R^h_k.
    ``method``: 'direct' sums every voter for every estimator; 'breakpoint' uses the
    piecewise-linear algebra (proportional voting only); 'auto' picks.
    """
    b, n, _ = d.shape
    is_rep, rep_of = unique_positions(theta)
    width = int(is_rep.sum(axis=-1).max())
    opt_idx = np.argsort(~is_rep, axis=-1, kind="stable")[:, :width]  # (B, M)
    omask = np.take_along_axis(is_rep, opt_idx, axis=-1)
    d_opt = np.take_along_axis(d, opt_idx[:, None, :], axis=2)  # (B, n_k, M)
    if method == "auto":
        method = "breakpoint" if options.voting == "prop" and n >= DIRECT_BELOW else "direct"
    if method == "breakpoint":
        if options.voting != "prop":
            raise ValueError("the breakpoint method needs proportional voting")
        c = np.stack(
            [
                prop_coalitions(d_opt[s], risk[s], capability[s], options.perception)
                for s in range(b)
            ]
        )
        mask = np.broadcast_to(omask[:, None, :], c.shape[:-1])
        p = pce(c, victory_matrix(c, options.victory), options.pce, mask)
    else:
        p = np.empty((b, n, width))
        step = max(1, CHUNK_ELEMENTS // max(1, b * n * width * width))
        f = (1 - d_opt)[:, None]
        dm = np.minimum(d_opt, 1.0)[:, None]
        for start in range(0, n, step):
            hs = slice(start, min(n, start + step))
            u = f * (1 + dm * rp[:, hs, :, None])  # (B, h, k, M)
            w = np.broadcast_to(capability[:, None, :], u.shape[:-1])
            c = coalitions(u, w, options.voting)
            mask = np.broadcast_to(omask[:, None, :], c.shape[:-1])
            p[:, hs] = pce(c, victory_matrix(c, options.victory), options.pce, mask)
    rank = np.cumsum(is_rep, axis=-1) - 1  # option index of each representative
    col = np.take_along_axis(rank, rep_of, axis=-1)  # (B, n)
    return np.take_along_axis(p, np.broadcast_to(col[:, None, :], (b, n, n)), axis=-1)
