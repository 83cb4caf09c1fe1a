"""Coalitions, victory matrices and probabilistic Condorcet elections (PCE), batched.

Every function works on arrays with arbitrary leading axes; ``mask`` (..., M) marks the
options that exist (padding lets problems of different sizes share one array).
Source: KTAB kmodel (Model::coalitions, vProb, condPCE, markovUniformPCE,
markovIncentivePCE); see docs/models/smp.md.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from summitry.engines.smp.options import (
    MARKOV_INCENTIVE_TOL,
    MARKOV_MAX_ITER,
    MARKOV_SELF_SUPPORT,
    MARKOV_UNIFORM_TOL,
    PCE_MIN_COALITION,
)
from summitry.engines.smp.rules import seq_prod, seq_sum, victory_pair, vote

__all__ = ["coalitions", "pce", "scalar_pce", "victory_matrix"]

Array = NDArray[np.float64]
Mask = NDArray[np.bool_]

CHUNK_ELEMENTS = 1 << 15
"""Elements per block when summing votes (small blocks stay in cache)."""


@lru_cache(maxsize=64)
def _pairs(m: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Row and column indices (a, b) of the pairs a > b of m options, in row order."""
    first, second = np.tril_indices(m, -1)
    first.flags.writeable = False
    second.flags.writeable = False
    return first, second


def coalitions(u: Array, w: Array, rule: str) -> Array:
    """C[..., a, b] = 1e-8 + sum_k [vote_k(a over b)]+ with u (..., k, M), w (..., k),
    summed over voters in order, as KTAB does. KTAB votes on each unordered pair once, as
    (a, b) with a > b: C[a, b] = 1e-8 + the positive parts of those votes, C[b, a] = 1e-8 +
    the negative parts, C[a, a] = 1e-8 (this matters only for the asymmetric 'asymprosp'
    rule). Built in blocks of pairs of about CHUNK_ELEMENTS elements, which keeps them in
    cache.
    """
    k, m = u.shape[-2], u.shape[-1]
    lead = u.shape[:-2]
    out = np.full((*lead, m, m), PCE_MIN_COALITION)
    first, second = _pairs(m)  # first > second
    uk = np.moveaxis(u, -2, 0)  # voters first: (k, ..., M)
    wk = np.moveaxis(np.broadcast_to(w, (*lead, k)), -1, 0)[..., None]
    per = max(1, CHUNK_ELEMENTS // max(1, int(np.prod(lead, dtype=np.int64)) * k))
    for start in range(0, first.size, per):
        a, b = first[start : start + per], second[start : start + per]
        v = vote(rule, wk, uk[..., a] - uk[..., b])  # (k, ..., pairs)
        out[..., a, b] = seq_sum(np.maximum(v, 0.0), 0, PCE_MIN_COALITION, True)
        out[..., b, a] = seq_sum(np.maximum(-v, 0.0), 0, PCE_MIN_COALITION, True)
    return out


def victory_matrix(c: Array, model: str) -> Array:
    """V[a, b] = P[a beats b] from coalition strengths (pairs evaluated with a > b).

    For the power models x/(x_a + x_b) is the same number whichever side is evaluated first,
    so the whole matrix is x / (x + x^T); the binary model needs KTAB's pair order.
    """
    if model != "binary":
        power = {"linear": 1, "square": 2, "quartic": 4, "octic": 8}[model]
        xs = c
        for _ in range(power.bit_length() - 1):
            xs = xs * xs
        return xs / (xs + np.swapaxes(xs, -1, -2))
    p1, p2 = victory_pair(model, c, np.swapaxes(c, -1, -2))
    m = c.shape[-1]
    lower = np.tri(m, m, -1, dtype=bool)
    upper = lower.T
    return np.where(lower, p1, np.where(upper, np.swapaxes(p2, -1, -2), 0.5))


def _freeze_loop(p: Array, step_fn, tol: float, mask: Mask) -> Array:  # type: ignore[no-untyped-def]
    """Iterate p <- (p + q)/2, q = step_fn(p), per problem until max|q - p| <= tol."""
    active = np.ones(p.shape[:-1], dtype=bool)
    for _ in range(MARKOV_MAX_ITER):
        q = step_fn(p)
        change = np.max(np.where(mask, np.abs(q - p), 0.0), axis=-1)
        p = np.where(active[..., None], (p + q) / 2.0, p)
        active &= change > tol
        if not active.any():
            break
    return p


def pce(c: Array, v: Array, model: str, mask: Mask | None = None) -> Array:
    """Probability that each option prevails, (..., M), given C and V = victory_matrix(C)."""
    if mask is None:
        mask = np.ones(c.shape[:-1], dtype=bool)
    pair = mask[..., :, None] & mask[..., None, :]
    if model == "conditional":
        p = seq_prod(np.where(mask[..., None, :], v, 1.0)) * mask
        return p / seq_sum(p)[..., None]
    count = mask.sum(axis=-1, keepdims=True).astype(float)
    p0 = mask / count
    vm = np.where(pair, v, 0.0)
    if model == "markov-uniform":

        def uniform_step(p: Array) -> Array:
            return seq_sum(vm * (p[..., :, None] + p[..., None, :])) / count

        return _freeze_loop(p0, uniform_step, MARKOV_UNIFORM_TOL, mask)
    if model == "markov-incentive":
        m = c.shape[-1]
        inc = np.where(pair, c * v + MARKOV_SELF_SUPPORT * np.eye(m), 0.0)
        col = seq_sum(inc, -2)[..., None, :]
        chal = inc / np.where(col > 0.0, col, 1.0)  # chal[a, b]: a challenges incumbent b
        chal_t = np.swapaxes(chal, -1, -2)

        def incentive_step(p: Array) -> Array:
            flow = p[..., :, None] * chal_t + p[..., None, :] * chal
            return seq_sum(vm * flow)

        return _freeze_loop(p0, incentive_step, MARKOV_INCENTIVE_TOL, mask)
    raise ValueError(f"unknown PCE model {model!r}")


def scalar_pce(
    u: Array, w: Array, rule: str, victory: str, model: str, mask: Mask | None = None
) -> Array:
    """PCE over options with voter utilities u (..., k, M) and voting weights w (..., k)."""
    c = coalitions(u, w, rule)
    return pce(c, victory_matrix(c, victory), model, mask)
