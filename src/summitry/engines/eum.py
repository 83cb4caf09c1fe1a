"""Expected-utility model (EUM), vectorised over a leading batch axis.

Sources: B. Bueno de Mesquita (BDM), "Political forecasting: an expected utility method"
(1994) and *Predicting Politics* (2002); J. B. Scholz, G. J. Calbert, G. A. Smith,
"Unravelling Bueno De Mesquita's group decision model", J. Theoretical Politics 23(4)
510-531 (2011). Equation numbers are Scholz's; MODELS.md section 1 is the project's
statement of the model. The plain-loop oracle :mod:`summitry.engines.reference.eum`
implements the same rules for one sample; both agree to 1e-9 on every output.

Equations (one issue, actors k = 1..n; w_k = c_k s_k, or w_k = 1 for all k when every
c_k s_k is 0; Delta = max - min of the initial positions, fixed for the run)

* mean = sum_k w_k x_k / sum_k w_k (eq. 1).
* weighted median (eqs. 2-3): the smallest position x with W(<= x) >= W/2 (actors sorted by
  position then index, running sum in that order). ``king-of-hill``: distinct positions in
  order of first appearance, m = the first, m = p iff sum_k v_k(p, m) > 0 (linear votes).
* votes (eq. 29): linear v_k(i,j) = w_k (|x_k - x_j| - |x_k - x_i|) / Delta;
  risk v_k(i,j) = w_k ((|x_k - x_j|/Delta)^r_k - (|x_k - x_i|/Delta)^r_k).
* P_ij (eq. 30): pairwise sum_k max(0, v_k(i,j)) / sum_k |v_k(i,j)| (0.5 if 0/0), so
  P_ij + P_ji = 1; all-pairs: the denominator is sum_k sum_a sum_b |v_k(a,b)| and
  P_ij = 0 if x_i = x_j. Delta = 0: P = 0.5.
* utilities (eqs. 15-19, 24) seen with exponent r, d = |x_i - x_j|/Delta,
  m = |x_i - mu|/Delta, bases clamped at 0: U_s = 2 - 4(0.5 - 0.5 d)^r,
  U_f = 2 - 4(0.5 + 0.5 d)^r, U_b = 2 - 4(0.5 - 0.25(m + d))^r,
  U_w = 2 - 4(0.5 + 0.25(m + d))^r, U_sq = 2 - 4(0.5)^r.
* EU_ij (eq. 25a): s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s
  - (Q U_sq + (1 - Q)(T U_b + (1 - T) U_w)).
* risk (eqs. 32-33): with every r = 1, S_i = sum_{j != i} EU_ji;
  R_i = (2 S_i - S_max - S_min)/(S_max - S_min) in [-1, 1]; r_i = (1 - R_i/3)/(1 + R_i/3) in
  [0.5, 2]; every r_i = 1 if S_max = S_min.

One round: mu (median or mean), r, then P with the votes of the current r. For every ordered
pair (sender i, target j), i != j, x_i != x_j, the target perceives a = EU_ij and b = EU_ji,
both with its own r_j (mirror-imaging). ``resolution="bdm"``: a proposal iff a > 0; conflict
if b > 0 (deterministic: the larger of a, b wins and the loser, sender or target, moves to
the winner; a == b: nobody moves; stochastic: the sender wins iff uniforms[t, i, j] < P_ij);
compromise if b < 0 and |b| < a (target to x_j + (x_i - x_j)|b|/a, or the EU-weighted
average (|a| x_i + |b| x_j)/(|a| + |b|); clipped to the segment); capitulation if b < 0 and
|b| >= a (target to x_i). Each actor takes the proposed move with the least |new - old|;
ties: largest a, then lowest sender index, then lowest target index (``ranking="type"``
puts the kind first: conflict, compromise, capitulation). ``resolution="scholz-code"``:
lost conflict if a > b > 0 (stochastic: a, b > 0 and uniforms < P_ij), compromise if
a > 0 > b and a > |b|, capitulation if a > 0 > b otherwise; only targets move; a lost
conflict first (nearest), else the compromise with the smallest (|a| x_i + |b| x_j)/(|a| +
|b|), else the nearest capitulation. All moves apply at once.

Stopping: after ``rounds``; or at round t when no position moved more than tol * Delta;
or when the new state equals an earlier one within tol * Delta (``cycled``). Rows after
the stop repeat the final state, counts are 0 there and risk repeats the last row used.
Delta = 0: nothing moves, P = 0.5, r = 1, ``rounds_run = 0``.

Vectorisation layout. A batch of B independent one-issue runs is cut into slices of at
most ``_CHUNK_CELLS / n**3`` elements (bounded memory); within a slice, each round works
only on the elements still running (gathered by index). Actor-pair quantities are
(A, n, n) arrays indexed [element, sender i, target j]. Votes are built only for the
n(n-1)/2 pairs i < j, as an (A, k, pair) array with the voter on the middle axis, so that
numpy reduces over voters sequentially in index order (the reference's summation order);
v_k(j, i) = -v_k(i, j) exactly, which gives the other half. Every other formula is
evaluated in the reference's operation order, so that exact float ties break the same way.
The only loop is over rounds (and, for ``king-of-hill``, an O(n) scan whose steps are
O(A) vector operations, the scan being sequential by definition).

Contract::

    simulate(capability (B, n), position (B, n), salience (B, n), options,
             uniforms (B, R, n, n) | None) -> EUMResult
    simulate_issues(capability (B, n), position (B, n, D), salience (B, n, D), options,
                    uniforms (B, D, R, n, n) | None) -> EUMResult with leading shape (B, D)

``uniforms`` are U(0, 1) draws, needed only for ``conflict="stochastic"``: in round t the
sender i wins a conflict with target j iff uniforms[b, t, i, j] < P_ij.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from summitry.engines.eum_options import PRESETS, EUMOptions, resolve_options

__all__ = [
    "PRESETS",
    "EUMOptions",
    "EUMResult",
    "median_position",
    "resolve_options",
    "risk_exponents",
    "simulate",
    "simulate_issues",
    "vote_weights",
    "weighted_mean",
    "win_probability",
]

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_SLICE_CELLS = 1 << 17
"""Target size (in float64 cells) of the largest per-round temporary, n^3/2 per element:
small enough to stay in cache, large enough to amortise numpy's per-call overhead."""


@dataclass(frozen=True)
class EUMResult:
    """Trajectories of a batch of runs; row 0 is the initial state, row t the state after t."""

    positions: Array  # (..., R+1, n)
    median: Array  # (..., R+1)
    mean: Array  # (..., R+1)   weighted mean, weights c*s
    counts: IntArray  # (..., R, 3) pairs classified [conflict, compromise, capitulation]
    risk: Array  # (..., R, n)  risk exponents used in each round
    rounds_run: IntArray  # (...,)
    cycled: BoolArray  # (...,)


# --------------------------------------------------------------------------- helpers


def _batch(name: str, value: object, ndim: int) -> Array:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _check(capability: Array, position: Array, salience: Array) -> None:
    if capability.shape != position.shape or salience.shape != position.shape:
        raise ValueError(
            "capability, position and salience must have one shape (B, n), got "
            f"{capability.shape}, {position.shape}, {salience.shape}"
        )
    if position.shape[-1] < 1:
        raise ValueError("at least one actor is needed")
    if np.any(capability < 0):
        raise ValueError("capability must be >= 0")
    if np.any(salience < 0) or np.any(salience > 1):
        raise ValueError("salience must lie in [0, 1]")


def vote_weights(capability: Array, salience: Array) -> Array:
    """w_k = c_k s_k along the last axis; a row whose weights are all 0 gets equal weights 1."""
    w = np.asarray(capability, dtype=np.float64) * np.asarray(salience, dtype=np.float64)
    zero = ~np.any(w != 0.0, axis=-1)
    if np.any(zero):
        w[zero] = 1.0
    return w


def _seqsum0(a: Array) -> Array:
    """Sum over axis 0 sequentially in index order, as a plain loop would.

    On a C-ordered array numpy reduces the outermost axis by adding whole slices one after
    the other (no pairwise reassociation); with a single cell per slice it could reduce
    along that axis pairwise instead, so that case accumulates explicitly.
    """
    if a.shape[0] > 2 and a[0].size < 2:
        return np.cumsum(a, axis=0)[-1]
    return np.add.reduce(np.ascontiguousarray(a), axis=0)


def _range(x: Array, axis: int = -1) -> Array:
    return np.asarray(np.max(x, axis=axis) - np.min(x, axis=axis), dtype=np.float64)


def _pairs(n: int) -> tuple[IntArray, IntArray]:
    ii, jj = np.triu_indices(n, 1)
    return ii.astype(np.int64), jj.astype(np.int64)


def _diag(n: int) -> tuple[IntArray, IntArray]:
    idx = np.arange(n, dtype=np.int64)
    return idx, idx


# --------------------------------------------------------------------------- mean, median
# Row layout here: x, w (N, n), delta (N,).


def _weighted_mean(x: Array, w: Array) -> Array:
    return _seqsum0((w * x).T) / _seqsum0(w.T)


def weighted_mean(capability: Array, position: Array, salience: Array) -> Array:
    """sum_k w_k x_k / sum_k w_k per row (eq. 1; w_k = c_k s_k, equal if all are 0)."""
    x = np.atleast_2d(np.asarray(position, dtype=np.float64))
    return _weighted_mean(x, np.atleast_2d(vote_weights(capability, salience)))


def _weighted_median(x: Array, w: Array) -> Array:
    """Smallest x with W(<= x) >= W/2: actors by (position, index), running sum in order."""
    order = np.argsort(x, axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    running = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    first = np.argmax(running >= 0.5 * running[:, -1:], axis=-1)
    return xs[np.arange(x.shape[0]), first]


def _king_of_hill(x: Array, w: Array, delta: Array) -> Array:
    """Scholz's program's median: m = p iff sum_k v_k(p, m) > 0 (linear votes), p in order."""
    big_n, n = x.shape
    if n == 1:
        return x[:, 0].copy()
    ii, jj = _pairs(n)
    safe = np.where(delta > 0, delta, 1.0)
    v = _linear_votes(np.ascontiguousarray(x.T), np.ascontiguousarray(w.T), safe, ii, jj)
    upper = _seqsum0(v)  # (M, N): sum_k v_k(i, j) for i < j
    vsum = np.empty((n, n, big_n))
    vsum[ii, jj] = upper
    vsum[jj, ii] = -upper  # v_k(j, i) = -v_k(i, j) exactly
    vsum[_diag(n)] = 0.0
    earlier = np.tril(np.ones((n, n), dtype=bool), -1)  # [p, k]: k < p
    seen = np.any((x[:, :, None] == x[:, None, :]) & earlier, axis=-1)  # (N, n)
    cols = np.arange(big_n)
    king = np.zeros(big_n, dtype=np.int64)
    for p in range(1, n):  # the scan is sequential by definition; each step is O(N)
        wins = ~seen[:, p] & (vsum[p, king, cols] > 0.0)
        king = np.where(wins, p, king)
    return x[cols, king]


def _median(x: Array, w: Array, delta: Array, options: EUMOptions) -> Array:
    if options.median_rule == "king-of-hill":
        return _king_of_hill(x, w, delta)
    return _weighted_median(x, w)


def median_position(
    capability: Array,
    position: Array,
    salience: Array,
    options: EUMOptions,
    *,
    delta: Array | float | None = None,
) -> Array:
    """The forecast median of each row (B, n) under ``options.median_rule``.

    ``delta`` (the run's fixed Delta) only scales the king-of-hill votes; it defaults to
    each row's range.
    """
    x = np.atleast_2d(np.asarray(position, dtype=np.float64))
    w = np.atleast_2d(vote_weights(capability, salience))
    return _median(x, w, _delta_arg(x, delta), options)


def _delta_arg(x: Array, delta: Array | float | None) -> Array:
    if delta is None:
        return _range(x)
    return np.broadcast_to(np.asarray(delta, dtype=np.float64), x.shape[:1]).copy()


# --------------------------------------------------------------------------- votes and P
# Batch-last layout from here on: x, w, s (n, A); pair arrays (n, n, A) = [sender i,
# target j, element]; votes (n, M, A) = [voter k, pair i < j, element].


def _linear_votes(x: Array, w: Array, delta: Array, ii: IntArray, jj: IntArray) -> Array:
    """v_k(i, j) = w_k (|x_k - x_j| - |x_k - x_i|) / Delta for the pairs i < j."""
    dist = np.abs(x[:, None, :] - x[None, :, :])  # [k, j] = |x_k - x_j|
    v = np.take(dist, jj, axis=1)
    v -= np.take(dist, ii, axis=1)
    v *= w[:, None, :]
    v /= delta
    return v


def _votes(x: Array, w: Array, delta: Array, risk: Array | None, options: EUMOptions) -> Array:
    n = x.shape[0]
    ii, jj = _pairs(n)
    if options.votes != "risk":
        return _linear_votes(x, w, delta, ii, jj)
    g = np.abs(x[:, None, :] - x[None, :, :]) / delta  # [k, j] = |x_k - x_j| / Delta
    if risk is not None:
        g = np.float_power(g, risk[:, None, :])
    v = np.take(g, jj, axis=1)
    v -= np.take(g, ii, axis=1)
    v *= w[:, None, :]
    return v


def _probability(
    x: Array, w: Array, delta: Array, risk: Array | None, options: EUMOptions
) -> Array:
    """P (n, n, A) of eq. 30 for elements with Delta > 0; ``risk`` None means r = 1."""
    n, big_a = x.shape
    all_pairs = options.probability == "all-pairs"
    p = np.full((n, n, big_a), 0.5)
    if all_pairs:
        p[_diag(n)] = 0.0
    if n < 2:
        return p
    ii, jj = _pairs(n)
    v = _votes(x, w, delta, risk, options)
    absv = np.abs(v)
    pos = _seqsum0(np.maximum(v, 0.0))  # sum_k max(0, v_k(i, j)), i < j
    neg = -_seqsum0(np.minimum(v, 0.0))  # sum_k max(0, v_k(j, i)), exactly
    if all_pairs:
        full = np.zeros((n, n, n, big_a))  # [k, a, b]: |v_k(a, b)|, summed in that order
        full[:, ii, jj] = absv
        full[:, jj, ii] = absv
        den = np.broadcast_to(_seqsum0(full.reshape(n**3, big_a)), pos.shape)
    else:
        den = _seqsum0(absv)
    ok = den > 0.0
    safe = np.where(ok, den, 1.0)
    p_ij = np.where(ok, pos / safe, 0.5)
    p_ji = np.where(ok, neg / safe, 0.5)
    if all_pairs:
        same = x[ii] == x[jj]
        p_ij[same] = 0.0
        p_ji[same] = 0.0
    p[ii, jj] = p_ij
    p[jj, ii] = p_ji
    return p


def win_probability(
    capability: Array,
    position: Array,
    salience: Array,
    risk: Array | None,
    options: EUMOptions,
    *,
    delta: Array | float | None = None,
) -> Array:
    """P[b, i, j], the probability that i prevails over j (eq. 30); inputs (B, n).

    pairwise: P_ij = sum_k max(0, v_k(i,j)) / sum_k |v_k(i,j)| (0.5 when 0/0), so
    P_ij + P_ji = 1. all-pairs: the denominator is sum_k sum_a sum_b |v_k(a,b)|, P_ij = 0 if
    x_i = x_j. Votes per ``options.votes`` with ``risk`` (B, n) (None: r = 1). Delta
    defaults to each row's range; P = 0.5 where Delta = 0.
    """
    x = np.atleast_2d(np.asarray(position, dtype=np.float64))
    w = np.atleast_2d(vote_weights(capability, salience))
    d = _delta_arg(x, delta)
    r = None if risk is None else np.atleast_2d(np.asarray(risk, dtype=np.float64))
    big_b, n = x.shape
    out = np.full((big_b, n, n), 0.5)
    live = d > 0
    if np.any(live):
        p = _probability(
            x[live].T.copy(), w[live].T.copy(), d[live], None if r is None else r[live].T, options
        )
        out[live] = np.moveaxis(p, 2, 0)
    return out


# --------------------------------------------------------------------------- utilities


def _util(base: Array, r: Array | None) -> Array:
    """2 - 4 base^r (eqs. 15-19, 24) for a base known to be >= 0; r None means r = 1."""
    if r is None:
        return 2.0 - 4.0 * base
    out = np.float_power(base, r)
    out *= -4.0
    out += 2.0
    return out


def _eu(s_t: Array, p: Array, u_s: Array, u_f: Array, cost: Array | float) -> Array:
    """s (P U_s + (1 - P) U_f) + (1 - s) U_s - cost (eq. 25a), in the reference's order."""
    gain = p * u_s
    lose = 1.0 - p
    lose *= u_f
    gain += lose
    gain *= s_t
    gain += (1.0 - s_t) * u_s
    gain -= cost
    return gain


def _cost(
    options: EUMOptions, u_sq: Array | float, m: Array, d: Array, r: Array | None
) -> Array | float:
    """Q U_sq + (1 - Q)(T U_b + (1 - T) U_w); exactly Q U_sq = U_sq when Q = 1."""
    q, t = options.q, options.t
    if q == 1.0:
        return u_sq
    md = 0.25 * (m + d)
    u_b = _util(np.maximum(0.5 - md, 0.0), r)
    u_w = _util(np.maximum(0.5 + md, 0.0), r)
    return q * u_sq + (1.0 - q) * (t * u_b + (1.0 - t) * u_w)


def _risk(eu1: Array) -> Array:
    """r (n, A) from the r = 1 EU matrix [sender, target, element] (eqs. 32-33)."""
    danger = _seqsum0(eu1)  # S_i = sum_{j} EU_ji (the diagonal is 0), j in index order
    s_max = danger.max(axis=0)
    s_min = danger.min(axis=0)
    flat = s_max == s_min
    span = np.where(flat, 1.0, s_max - s_min)
    big_r = np.clip((2.0 * danger - s_max - s_min) / span, -1.0, 1.0)
    r = np.clip((1.0 - big_r / 3.0) / (1.0 + big_r / 3.0), 0.5, 2.0)
    r[:, flat] = 1.0
    return r


@dataclass(frozen=True)
class _State:
    """What a round computes before the pairs are resolved (batch-last layout)."""

    r: Array  # (n, A)
    p: Array  # (n, n, A)
    dist: Array  # (n, n, A) |x_i - x_j|
    d: Array  # dist / Delta
    base_s: Array  # 0.5 - 0.5 d
    base_f: Array  # 0.5 + 0.5 d
    m: Array  # (n, A) |x_i - mu| / Delta (zeros when Q = 1: mu is not used)


def _state(x: Array, w: Array, s: Array, delta: Array, options: EUMOptions) -> _State:
    """mu, r (every r = 1 for the dangers) and P with the current r, for Delta > 0."""
    n = x.shape[0]
    dist = np.abs(x[:, None, :] - x[None, :, :])
    d = dist / delta
    half = 0.5 * d
    base_s = 0.5 - half
    base_f = 0.5 + half
    if options.q == 1.0:
        m = np.zeros_like(x)
    else:
        xr, wr = x.T, w.T
        mu = _weighted_mean(xr, wr) if options.mu == "mean" else _median(xr, wr, delta, options)
        m = np.abs(x - mu) / delta
    p1 = _probability(x, w, delta, None, options)
    cost1 = _cost(options, 0.0, m[:, None, :], d, None)
    eu1 = _eu(s[None, :, :], p1, _util(base_s, None), _util(base_f, None), cost1)
    eu1[_diag(n)] = 0.0
    r = _risk(eu1)
    p = _probability(x, w, delta, r, options) if options.votes == "risk" else p1
    return _State(r, p, dist, d, base_s, base_f, m)


def risk_exponents(
    capability: Array,
    position: Array,
    salience: Array,
    options: EUMOptions,
    *,
    delta: Array | float | None = None,
) -> Array:
    """Risk exponents r (B, n) in [0.5, 2] of each row's state (eqs. 32-33); 1 if Delta = 0."""
    x = np.atleast_2d(np.asarray(position, dtype=np.float64))
    s = np.atleast_2d(np.asarray(salience, dtype=np.float64))
    w = np.atleast_2d(vote_weights(capability, salience))
    d = _delta_arg(x, delta)
    out = np.ones_like(x)
    live = d > 0
    if np.any(live):
        st = _state(x[live].T.copy(), w[live].T.copy(), s[live].T.copy(), d[live], options)
        out[live] = st.r.T
    return out


# --------------------------------------------------------------------------- one round


def _lexmin(mask: BoolArray, keys: list[Array], axis: int) -> BoolArray:
    """Narrow ``mask`` along ``axis`` to the entries minimal in each key in turn.

    Later keys are only consulted while some lane still holds more than one entry.
    """
    for number, key in enumerate(keys):
        if number and not np.any(np.count_nonzero(mask, axis=axis) > 1):
            break
        best = np.min(np.where(mask, key, np.inf), axis=axis, keepdims=True)
        mask &= key == best
    return mask


def _pick(mask: BoolArray, values: Array, axis: int) -> tuple[BoolArray, Array, IntArray]:
    """(any, value at the first True, its index) along ``axis``."""
    index = np.argmax(mask, axis=axis)
    value = np.take_along_axis(values, np.expand_dims(index, axis), axis=axis)
    return np.any(mask, axis=axis), np.squeeze(value, axis=axis), index


@dataclass(frozen=True)
class _Compromises:
    """The compromise pairs of a round, as flat (sender, target, element) indices."""

    where: tuple[IntArray, IntArray, IntArray]
    x_i: Array
    x_j: Array
    a: Array
    abs_b: Array
    new: Array  # the target's new position


def _compromises(
    x: Array, a: Array, abs_b: Array, mask: BoolArray, options: EUMOptions
) -> _Compromises:
    """Target j's compromise with sender i (a > |b|), clipped to the segment [x_i, x_j]:
    ``partial`` x_j + (x_i - x_j)|b|/a, ``weighted`` (|a| x_i + |b| x_j)/(|a| + |b|)."""
    i, j, e = np.nonzero(mask)
    x_i, x_j, a_c, b_c = x[i, e], x[j, e], a[i, j, e], abs_b[i, j, e]
    if options.compromise == "weighted":
        new = (np.abs(a_c) * x_i + b_c * x_j) / (np.abs(a_c) + b_c)
    else:
        new = x_j + (x_i - x_j) * b_c / a_c
    new = np.minimum(np.maximum(new, np.minimum(x_i, x_j)), np.maximum(x_i, x_j))
    return _Compromises((i, j, e), x_i, x_j, a_c, b_c, new)


def _round(
    x: Array, w: Array, s: Array, delta: Array, options: EUMOptions, u: Array | None
) -> tuple[Array, Array, IntArray]:
    """One round (Delta > 0): new positions (n, A), r used (n, A), counts (A, 3)."""
    n, big_a = x.shape
    st = _state(x, w, s, delta, options)
    if n < 2:
        return x.copy(), st.r, np.zeros((big_a, 3), dtype=np.int64)
    p, d = st.p, st.d
    r_t = st.r[None, :, :]  # the target's exponent on every utility (mirror-imaging)
    u_s = _util(st.base_s, r_t)
    u_f = _util(st.base_f, r_t)
    u_sq = _util(np.full((1, n, big_a), 0.5), r_t)
    a = _eu(s[None, :, :], p, u_s, u_f, _cost(options, u_sq, st.m[:, None, :], d, r_t))
    b = _eu(
        s[:, None, :], p.transpose(1, 0, 2), u_s, u_f, _cost(options, u_sq, st.m[None], d, r_t)
    )
    pair = st.dist != 0.0  # i != j and x_i != x_j
    abs_b = np.abs(b)
    a_pos = a > 0.0
    a_pos &= pair
    b_pos = b > 0.0
    b_neg = b < 0.0
    gt = a > abs_b
    won = None if options.conflict != "stochastic" else u < p
    if options.resolution == "scholz-code":
        if won is None:
            conflict = (a > b) & b_pos & pair
            lost = conflict
        else:
            conflict = a_pos & b_pos
            lost = conflict & won
        pos_neg = a_pos & b_neg
        compromise = pos_neg & gt
        capitulation = pos_neg & ~gt
        comp = _compromises(x, a, abs_b, compromise, options)
        new_x = _choose_scholz(x, st.dist, a, lost, comp, compromise, capitulation)
    else:
        conflict = a_pos & b_pos
        compromise = a_pos & b_neg
        capitulation = compromise & ~gt
        compromise &= gt
        if won is None:
            target_loses = conflict & (a > b)
            sender_loses = conflict & (a < b)
        else:
            target_loses = conflict & won
            sender_loses = conflict & ~won
        comp = _compromises(x, a, abs_b, compromise, options)
        new_x = _choose_bdm(
            x, st.dist, a, comp, target_loses, sender_loses, compromise, capitulation, options
        )
    counts = np.stack(
        [np.count_nonzero(m, axis=(0, 1)) for m in (conflict, compromise, capitulation)], axis=1
    ).astype(np.int64)
    return new_x, st.r, counts


def _choose_bdm(
    x: Array,
    dist: Array,
    a: Array,
    comp: _Compromises,
    target_loses: BoolArray,
    sender_loses: BoolArray,
    compromise: BoolArray,
    capitulation: BoolArray,
    options: EUMOptions,
) -> Array:
    """Each actor's move: least |new - old| among moves offered to it as target (over
    senders, axis 0) or as a losing sender (over targets, axis 1); ties by the largest a,
    the lowest sender, the lowest target (``ranking="type"``: the kind first)."""
    n = x.shape[0]
    typed = options.ranking == "type"
    # as target j, over senders i: to x_i (a move of |x_i - x_j|) or to the compromise
    t_mask = target_loses | capitulation
    t_mask |= compromise
    t_new = np.repeat(x[:, None, :], n, axis=1)
    t_new[comp.where] = comp.new
    t_move = dist.copy()
    t_move[comp.where] = np.abs(comp.new - comp.x_j)
    t_keys = [t_move, -a]
    if typed:
        kind = np.where(compromise, 1.0, np.where(capitulation, 2.0, 0.0))
        t_keys.insert(0, kind)
    t_has, t_val, t_idx = _pick(_lexmin(t_mask, t_keys, 0), t_new, 0)
    if not np.any(sender_loses):
        return np.where(t_has, t_val, x)
    t_key = [np.take_along_axis(k, t_idx[None], 0)[0] for k in t_keys]
    # as losing sender i, over targets j: to x_j, a move of |x_j - x_i|
    l_keys = [dist, -a]
    l_new = np.broadcast_to(x[None, :, :], a.shape)
    l_has, l_val, l_idx = _pick(_lexmin(sender_loses.copy(), l_keys, 1), l_new, 1)
    l_key = [np.take_along_axis(k, l_idx[:, None], 1)[:, 0] for k in l_keys]
    if typed:
        l_key.insert(0, np.zeros_like(x))
    # compare the two bests lexicographically; the target-side sender t_idx != the mover
    t_first = np.zeros_like(t_has)
    undecided = np.ones_like(t_has)
    for kt, kl in zip(t_key, l_key, strict=True):
        t_first |= undecided & (kt < kl)
        undecided &= kt == kl
    t_first |= undecided & (t_idx < np.arange(n)[:, None])
    use_t = t_has & (~l_has | t_first)
    return np.where(use_t, t_val, np.where(l_has, l_val, x))


def _choose_scholz(
    x: Array,
    dist: Array,
    a: Array,
    lost: BoolArray,
    comp: _Compromises,
    compromise: BoolArray,
    capitulation: BoolArray,
) -> Array:
    """Scholz's program: a lost conflict, else the compromise with the smallest weighted
    position (|a| x_i + |b| x_j)/(|a| + |b|), else a capitulation; over senders (axis 0);
    ties by the largest a, then the lowest sender."""
    n = x.shape[0]
    to_sender = np.broadcast_to(x[:, None, :], a.shape)
    value = np.full(a.shape, np.inf)
    abs_a = np.abs(comp.a)
    value[comp.where] = (abs_a * comp.x_i + comp.abs_b * comp.x_j) / (abs_a + comp.abs_b)
    comp_new = np.repeat(x[None, :, :], n, axis=0)
    comp_new[comp.where] = comp.new
    out = x.copy()
    done = np.zeros(x.shape, dtype=bool)
    for mask, key, new in (
        (lost, dist, to_sender),
        (compromise, value, comp_new),
        (capitulation, dist, to_sender),
    ):
        if not np.any(mask):
            continue
        has, val, _ = _pick(_lexmin(mask.copy(), [key, -a], 0), new, 0)
        has &= ~done
        out = np.where(has, val, out)
        done |= has
    return out


# --------------------------------------------------------------------------- runs


def _run_slice(
    c: Array, x0: Array, s: Array, options: EUMOptions, u: Array | None, out: dict[str, Array]
) -> None:
    """Run one slice of the batch (row layout in and out), writing into the views ``out``."""
    big_b, n = x0.shape
    rounds = options.rounds
    w = vote_weights(c, s)
    delta = _range(x0)
    tol = options.tol * delta
    positions, risk, counts = out["positions"], out["risk"], out["counts"]
    rounds_run, cycled = out["rounds_run"], out["cycled"]
    positions[:, 0] = x0
    wt, st = w.T.copy(), s.T.copy()
    xt = x0.T.copy()  # current state, batch-last
    active = np.flatnonzero(delta > 0)
    last = np.zeros(big_b, dtype=np.int64)  # last row computed per element
    for t in range(rounds):
        if active.size == 0:
            break
        xa = xt[:, active]
        ua = None if u is None else np.moveaxis(u[active, t], 0, -1)
        new, r, cnt = _round(xa, wt[:, active], st[:, active], delta[active], options, ua)
        positions[active, t + 1] = new.T
        risk[active, t] = r.T
        counts[active, t] = cnt
        last[active] = t + 1
        xt[:, active] = new
        tol_a = tol[active]
        moving = np.max(np.abs(new - xa), axis=0) > tol_a
        if t >= 1:
            earlier = positions[active, :t]  # rows 0 .. t-1; row t is xa
            again = np.any(
                np.max(np.abs(earlier - new.T[:, None, :]), axis=2) <= tol_a[:, None], axis=1
            )
            again &= moving
            cycled[active[again]] = True
            moving &= ~again
        active = active[moving]
    rounds_run[:] = last
    # rows after an element's stop repeat its final state; risk repeats its last row
    rows = np.arange(big_b)
    after = np.arange(rounds + 1)[None, :] > last[:, None]
    if np.any(after):
        positions[:] = np.where(after[:, :, None], positions[rows, last][:, None, :], positions)
        if rounds:
            keep = np.maximum(last, 1)
            r_after = np.arange(rounds)[None, :] >= keep[:, None]
            risk[:] = np.where(r_after[:, :, None], risk[rows, keep - 1][:, None, :], risk)
    flat = positions.reshape(-1, n)
    w_rows = np.repeat(w, rounds + 1, axis=0)
    med = _median(flat, w_rows, np.repeat(delta, rounds + 1), options)
    out["median"][:] = med.reshape(big_b, rounds + 1)
    out["mean"][:] = _weighted_mean(flat, w_rows).reshape(big_b, rounds + 1)


def simulate(
    capability: Array,
    position: Array,
    salience: Array,
    options: EUMOptions | None = None,
    uniforms: Array | None = None,
) -> EUMResult:
    """Run the EUM on B independent one-issue cases, inputs (B, n) (module docstring)."""
    opts = EUMOptions() if options is None else options
    c = _batch("capability", capability, 2)
    x = _batch("position", position, 2)
    s = _batch("salience", salience, 2)
    _check(c, x, s)
    big_b, n = x.shape
    rounds = int(opts.rounds)
    if rounds < 0:
        raise ValueError("options.rounds must be >= 0")
    u: Array | None = None
    if opts.conflict == "stochastic":
        if uniforms is None:
            raise ValueError('conflict="stochastic" needs uniforms of shape (B, rounds, n, n)')
        u = np.asarray(uniforms, dtype=np.float64)
        if u.shape != (big_b, rounds, n, n):
            raise ValueError(f"uniforms must have shape {(big_b, rounds, n, n)}, not {u.shape}")
    out: dict[str, Array] = {
        "positions": np.empty((big_b, rounds + 1, n)),
        "median": np.empty((big_b, rounds + 1)),
        "mean": np.empty((big_b, rounds + 1)),
        "counts": np.zeros((big_b, rounds, 3), dtype=np.int64),
        "risk": np.ones((big_b, rounds, n)),
        "rounds_run": np.zeros(big_b, dtype=np.int64),
        "cycled": np.zeros(big_b, dtype=bool),
    }
    cells = max(1, n * n * max(n - 1, 1) // 2)
    step = max(64, _SLICE_CELLS // cells)
    for lo in range(0, big_b, step):
        hi = min(big_b, lo + step)
        part = {key: arr[lo:hi] for key, arr in out.items()}
        _run_slice(c[lo:hi], x[lo:hi], s[lo:hi], opts, None if u is None else u[lo:hi], part)
    return EUMResult(**out)  # type: ignore[arg-type]


def simulate_issues(
    capability: Array,
    position: Array,
    salience: Array,
    options: EUMOptions | None = None,
    uniforms: Array | None = None,
) -> EUMResult:
    """Run every issue of a batch as an independent one-dimensional run.

    ``capability`` (B, n), ``position`` and ``salience`` (B, n, D), ``uniforms``
    (B, D, R, n, n) for stochastic conflict. The result's arrays lead with (B, D).
    """
    c = _batch("capability", capability, 2)
    x = _batch("position", position, 3)
    s = _batch("salience", salience, 3)
    if x.shape != s.shape or x.shape[:2] != c.shape:
        raise ValueError(
            "position and salience must be (B, n, D) and capability (B, n), got "
            f"{x.shape}, {s.shape}, {c.shape}"
        )
    big_b, n, dims = x.shape
    flat_x = np.moveaxis(x, 2, 1).reshape(big_b * dims, n)
    flat_s = np.moveaxis(s, 2, 1).reshape(big_b * dims, n)
    flat_c = np.repeat(c, dims, axis=0)
    flat_u = None
    if uniforms is not None:
        uu = np.asarray(uniforms, dtype=np.float64)
        if uu.shape[:2] != (big_b, dims):
            raise ValueError(f"uniforms must lead with {(big_b, dims)}, not {uu.shape[:2]}")
        flat_u = uu.reshape(big_b * dims, *uu.shape[2:])
    res = simulate(flat_c, flat_x, flat_s, options, flat_u)
    lead = (big_b, dims)
    return EUMResult(
        positions=res.positions.reshape(*lead, *res.positions.shape[1:]),
        median=res.median.reshape(lead + res.median.shape[1:]),
        mean=res.mean.reshape(lead + res.mean.shape[1:]),
        counts=res.counts.reshape(*lead, *res.counts.shape[1:]),
        risk=res.risk.reshape(*lead, *res.risk.shape[1:]),
        rounds_run=res.rounds_run.reshape(lead),
        cycled=res.cycled.reshape(lead),
    )
