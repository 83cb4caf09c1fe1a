"""Elementwise rules of the SMP: votes, victory odds, utility, distance, risk attitudes.

All functions broadcast over leading axes. Source: KTAB (github.com/lsyaseen/KTAB),
kmodel (votes, victory, risk) and examples/smp (utility, distance); see docs/models/smp.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.engines.smp.options import (
    BIG_R_NOTHING,
    BINARY_VICTORY_FLOOR,
    BINARY_VICTORY_THRESHOLD,
    BINARY_VOTE_SCALE,
)

__all__ = [
    "distances",
    "perceived_risk",
    "risk_attitude",
    "seq_prod",
    "seq_sum",
    "utility",
    "victory_pair",
    "vote",
]

Array = NDArray[np.float64]

PERCEPTION_WEIGHTS: dict[str, tuple[float, float]] = {
    "one-third": (2.0, 1.0),
    "none": (1.0, 0.0),
    "half": (1.0, 1.0),
    "two-thirds": (1.0, 2.0),
    "full": (0.0, 1.0),
}
"""(weight of R_h, weight of R_i); R^h_i = (a R_h + b R_i)/(a + b)."""


FEW_TERMS = 16
"""seq_sum adds an inner axis of at most this many terms slice by slice, without a copy."""


def _part(x: Array, axis: int, i: int) -> Array:
    """The i-th slice of x along ``axis`` (>= 0), a view."""
    index: tuple[Any, ...] = (*(slice(None),) * axis, i)
    part: Array = x[index]
    return part


def seq_sum(
    x: Array, axis: int = -1, start: Array | float | None = None, overwrite: bool = False
) -> Array:
    """Left-to-right sum along ``axis``, from ``start`` if given: ((start + x0) + x1) + ...

    KTAB accumulates every sum this way; numpy's sum along a contiguous axis is pairwise, and
    its rounding can break exact ties (common with binary votes) differently. Here the axis
    is moved to the front of a C-contiguous array, where numpy's reduction adds one whole
    slice after another (with one element per slice it would go pairwise, so that case uses
    the strictly sequential cumsum). A short inner axis (at most FEW_TERMS) is added slice by
    slice instead, which is the same arithmetic without copying x. With ``overwrite`` a
    C-contiguous moved view of x serves as scratch space.
    """
    ndim = np.ndim(x)
    length = np.shape(x)[axis]
    if 0 < length <= FEW_TERMS and axis % max(ndim, 1) != 0:
        # a short axis inside the array: add its slices one after another (no copy)
        total = np.array(_part(x, axis % ndim, 0), dtype=np.float64)
        if start is not None:
            total = np.add(start, total)
        for i in range(1, length):
            total += _part(x, axis % ndim, i)
        return total
    y = np.moveaxis(x, axis, 0)
    if not (overwrite and y.flags.c_contiguous and y.dtype == np.float64):
        y = np.array(y, dtype=float, order="C")
    if start is not None:
        y[0] += start
    rest = y.shape[1:]
    flat = y.reshape(y.shape[0], -1)
    if flat.shape[1] == 1:
        return np.cumsum(flat[:, 0])[-1].reshape(rest)
    return np.add.reduce(flat, axis=0).reshape(rest)


def seq_prod(x: Array, axis: int = -1) -> Array:
    """Left-to-right product along ``axis`` (KTAB's order); see seq_sum."""
    ndim = np.ndim(x)
    length = np.shape(x)[axis]
    if 0 < length <= FEW_TERMS and axis % max(ndim, 1) != 0:
        total = np.array(_part(x, axis % ndim, 0), dtype=np.float64)
        for i in range(1, length):
            total *= _part(x, axis % ndim, i)
        return total
    y = np.array(np.moveaxis(x, axis, 0), dtype=float, order="C")
    rest = y.shape[1:]
    flat = y.reshape(y.shape[0], -1)
    if flat.shape[1] == 1:
        return np.cumprod(flat[:, 0])[-1].reshape(rest)
    return np.multiply.reduce(flat, axis=0).reshape(rest)


def vote(rule: str, w: Array | float, du: Array) -> Array:
    """Vote of weight w given the utility difference du = u(a) - u(b).

    prop: w du; binary: w clip(du/1e-8, -1, 1); propbin: w (0.8 du + 0.2 binary);
    propcbc: w (0.5 du + 0.5 du^3); cubic: w du^3; asymprosp: w du (du<0), 2 w du/3 (du>0).
    """
    if rule == "prop":
        return w * du
    if rule == "cubic":
        return w * (du * du * du)
    if rule == "propcbc":
        return w * ((1 - 0.5) * du + 0.5 * (du * du * du))
    if rule in ("binary", "propbin"):
        binary = np.clip(du / BINARY_VOTE_SCALE, -1.0, 1.0)
        if rule == "binary":
            return w * binary
        return w * ((1 - 0.2) * du + 0.2 * binary)
    if rule == "asymprosp":
        gain = (2.0 * w * du) / 3.0
        return np.where(du > 0.0, gain, np.where(du < 0.0, w * du, 0.0 * du))
    raise ValueError(f"unknown voting rule {rule!r}")


def victory_pair(model: str, s1: Array, s2: Array) -> tuple[Array, Array]:
    """(P[side 1 wins], P[side 2 wins]) from coalition strengths s1, s2 > 0.

    x = s^nu with nu = 1, 2, 4, 8; binary: x = (1, 1e-6) if s1 >= 1.1 s2 (and mirrored),
    otherwise x1 = (2.1 s1/(s1+s2) - 1)/0.1, x2 = 1 - x1. P = x/(x1 + x2).
    """
    if model == "linear":
        x1, x2 = s1, s2
    elif model == "square":
        x1, x2 = s1 * s1, s2 * s2
    elif model == "quartic":
        x1, x2 = (s1 * s1) * (s1 * s1), (s2 * s2) * (s2 * s2)
    elif model == "octic":
        q1, q2 = (s1 * s1) * (s1 * s1), (s2 * s2) * (s2 * s2)
        x1, x2 = q1 * q1, q2 * q2
    elif model == "binary":
        t = BINARY_VICTORY_THRESHOLD
        mid = ((s1 / (s1 + s2)) * (t + 1.0) - 1.0) / (t - 1.0)
        win1 = s1 >= t * s2
        win2 = ~win1 & (s2 >= t * s1)
        x1 = np.where(win1, 1.0, np.where(win2, BINARY_VICTORY_FLOOR, mid))
        x2 = np.where(win1, BINARY_VICTORY_FLOOR, np.where(win2, 1.0, 1 - mid))
    else:
        raise ValueError(f"unknown victory model {model!r}")
    return x1 / (x1 + x2), x2 / (x1 + x2)


def distances(ideal: Array, position: Array, salience: Array) -> Array:
    """d[..., a, x] = sqrt(sum_k (s_ak (q_ak - theta_xk))^2 / sum_k s_ak^2).

    ideal, salience: (..., n, K) of the evaluating actors; position: (..., m, K).
    """
    diff = (ideal[..., :, None, :] - position[..., None, :, :]) * salience[..., :, None, :]
    num = seq_sum(diff * diff)
    den = seq_sum(salience * salience)
    return np.sqrt(num / den[..., :, None])


def utility(d: Array, r: Array | float) -> Array:
    """u(d, R) = (1 - d)(1 + d R) for d <= 1, (1 - d)(1 + R) beyond."""
    return (1 - d) * (1 + np.minimum(d, 1.0) * r)


def risk_attitude(p: Array, rule: str) -> Array:
    """Risk attitudes from the risk-neutral PCE probabilities p (..., n).

    mid: (3p - p_max - 2 p_min)/(2 (p_max - p_min)); min: (p - p_min)/(p_max - p_min);
    max: (2p - p_max - p_min)/(p_max - p_min); all zero if p is constant.
    """
    lo = p.min(axis=-1, keepdims=True)
    hi = p.max(axis=-1, keepdims=True)
    span = hi - lo
    flat = span <= 0.0
    safe = np.where(flat, 1.0, span)
    if rule == "min":
        r = (p - lo) / safe
    elif rule == "mid":
        r = (3 * p - (hi + 2 * lo)) / (2 * safe)
    elif rule == "max":
        r = (2 * p - (hi + lo)) / safe
    else:
        raise ValueError(f"unknown risk range {rule!r}")
    return np.where(flat, BIG_R_NOTHING, r)


def perceived_risk(r: Array, rule: str) -> Array:
    """rp[..., h, i]: h's estimate of i's risk attitude, from r (..., n)."""
    rh = r[..., :, None]
    ri = r[..., None, :]
    if rule == "full":
        return np.broadcast_to(ri, rh.shape[:-1] + ri.shape[-1:]).copy()
    if rule == "none":
        return np.broadcast_to(rh, rh.shape[:-1] + ri.shape[-1:]).copy()
    if rule == "one-third":
        return ((2.0 * rh) + ri) / 3.0
    if rule == "two-thirds":
        return (rh + (2.0 * ri)) / 3.0
    if rule == "half":
        return (rh + ri) / 2
    raise ValueError(f"unknown risk perception {rule!r}")
