"""Expected-utility model (EUM), vectorised over a leading batch axis.

Sources: B. Bueno de Mesquita (BDM), "Political forecasting: an expected utility method"
(1994) and *Predicting Politics* (2002); J. B. Scholz, G. J. Calbert, G. A. Smith,
"Unravelling Bueno De Mesquita's group decision model", J. Theoretical Politics 23(4)
510-531 (2011); equation numbers are Scholz's. docs/models/eum.md states the model; the
plain-loop oracle :mod:`summitry.engines.eum.reference` states every rule for one sample,
and this engine reproduces it (the tests check agreement to 1e-9 on every output; in
practice the results are bit-identical).

Contract::

    simulate(capability (B, n), position (B, n), salience (B, n), options,
             uniforms (B, R, n, n) | None) -> EUMResult
        positions (B, R+1, n), median (B, R+1), mean (B, R+1), counts (B, R, 3)
        [conflict, compromise, capitulation], risk (B, R, n), rounds_run (B,), cycled (B,)
    simulate_issues(capability (B, n) | (B, n, D), position (B, n, D), salience (B, n, D),
                    options, uniforms (B, D, R, n, n) | None) -> EUMResult leading with (B, D)

R = options.rounds; row 0 is the initial state, row t the state after round t. ``uniforms``
are U(0, 1) draws, required by ``conflict="stochastic"``: in round t the sender i wins its
conflict with target j iff uniforms[b, t, i, j] < P_ij. Issues are independent runs.

Equations (one issue; w_k = c_k s_k, or w_k = 1 for every k when all c_k s_k are 0;
Delta = max - min of the initial positions, fixed for the run; sums run over actors in
index order, sequentially):

* mean = sum_k w_k x_k / sum_k w_k (clipped to [min x, max x] against rounding).
* median, ``weighted``: the smallest position x with W(<= x) >= W/2 (running sum over the
  actors sorted by position, then index): the Condorcet winner of the linear votes.
  ``king-of-hill`` (Scholz's program): distinct positions in order of first appearance,
  m = the first, then m = p iff sum_k v_k(p, m) > TIE sum_k w_k (linear votes).
* votes (summed in eq. 30): linear v_k(i,j) = w_k (|x_k - x_j| - |x_k - x_i|) / Delta;
  risk v_k(i,j) = w_k ((|x_k - x_j|/Delta)^r_k - (|x_k - x_i|/Delta)^r_k).
* P_ij (eq. 30): pairwise sum_k max(0, v_k(i,j)) / sum_k |v_k(i,j)|, 0.5 if 0/0, so
  P_ij + P_ji = 1; all-pairs: the denominator is sum_k sum_a sum_b |v_k(a,b)| and
  P_ij = 0 when x_i = x_j.
* utilities seen with exponent r (eqs. 15-19, 24), d = |x_i - x_j|/Delta,
  m = |x_i - mu|/Delta, bases clamped at 0: U_s = 2 - 4 (0.5 - 0.5 d)^r,
  U_f = 2 - 4 (0.5 + 0.5 d)^r, U_b = 2 - 4 (0.5 - 0.25 (m + d))^r,
  U_w = 2 - 4 (0.5 + 0.25 (m + d))^r, U_sq = 2 - 4 (0.5)^r. ``mu="mean"``: m is taken
  about the weighted median med, m = |z_i - sum_k w_k z_k / sum_k w_k| / Delta with
  z_k = x_k - med (the quotient clipped to [min z, max z]), free of the scale's offset.
* EU_ij (eq. 25a, the target's salience s_j weighing its resistance):
  s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s - (Q U_sq + (1 - Q)(T U_b + (1 - T) U_w)).
* risk (eqs. 32-33): with every r = 1 (votes, P, utilities), S_i = sum_{j != i} EU_ji,
  R_i = (2 S_i - S_max - S_min) / (S_max - S_min) and r_i = (1 - R_i/3) / (1 + R_i/3),
  clipped to [-1, 1] and [0.5, 2]; every r_i = 1 when S_max - S_min <= TIE.

One round: mu (median or mean, ``options.mu``), r, then P with the votes of that r. Every
ordered pair (sender i, target j), i != j, x_i != x_j, is judged by the target with its own
exponent r_j on both sides (mirror-imaging): a = EU_ij, b = EU_ji. ``proposer="sender"``
also computes e = EU_ij with the sender's own r_i.
``resolution="bdm"`` (docs/models/eum.md, "One round"): a proposal iff a > 0
(``proposer="sender"``: iff e > 0, the classification below unchanged); conflict if b > 0, won by
the larger of a and b (|a - b| <= TIE: a draw, nobody moves; stochastic: by the sender iff
its uniform < P_ij), the loser (target or sender) moving to the winner's position;
compromise if b < 0 and |b| < a, the target moving to x_j + (x_i - x_j)|b|/a (``partial``)
or to (|a| x_i + |b| x_j)/(|a| + |b|) (``weighted``), clipped to the segment; capitulation
if b < 0 and |b| >= a, the target moving to x_i. ``resolution="scholz-code"``: only
targets move; conflict lost if b > 0 and a - b > TIE (stochastic: a, b > 0 and the sender's
uniform < P_ij), compromise if a > 0 > b and a > |b|, capitulation if a > 0 > b otherwise;
with ``proposer="sender"`` only pairs with e > 0 are classified.
Each actor takes one of the moves offered to it (as target, or as a losing sender):
1. by kind first for ``scholz-code`` and ``ranking="type"`` (conflict, compromise,
capitulation); 2. the least movement |new - old| (Scholz's compromises: the least
(|a| x_i + |b| x_j)/(|a| + |b|)), ties within TIE * Delta; 3. the largest a, ties within
TIE; 4. the lowest (sender, target) pair. All moves apply at once.

Stopping: after R rounds; or at round t when no position moved more than tol * Delta; or
when the new state equals an earlier one within tol * Delta (``cycled``). Rows after the
stop repeat the final state, counts are 0 there and risk repeats its last row. Delta = 0:
nothing moves, P = 0.5, r = 1, ``rounds_run`` = 0.

Vectorisation. The batch is cut into slices of about ``_SLICE_CELLS / (n^2 (n-1)/2)``
elements, so that a round's largest temporaries stay in cache and B = 40,000 runs of
8 actors stay far below 1 GB. Within a slice the state is batch-last: x (n, A), pair
quantities (n, n, A) = [sender, target, element], votes (n, M, A) = [voter, pair i < j,
element] (v_k(j, i) = -v_k(i, j) exactly gives the other half). The elements still running
are kept compacted; the only Python loop is over rounds (plus, for the king-of-hill
median, an O(n) scan of O(A) steps: that rule is sequential by definition). Sums over
actors reduce the outermost axis of a C-ordered array, which numpy does sequentially in
index order, and every formula keeps the reference's operation order; powers use
``np.float_power`` (the C library's pow, as Python's ``**``; ``np.power`` may differ in the
last bit). So rounding, and with it every tie, matches the reference's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from summitry.engines.eum.options import EUMOptions

__all__ = [
    "EUMResult",
    "median_position",
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

TIE = 1e-12
"""Tolerance of the ties between model quantities, as in the reference (its "Ties"): EU
values and dangers tie within TIE, movements within TIE * Delta, and a king-of-the-hill
vote total counts as positive beyond TIE * sum_k w_k. Sign tests and x_i == x_j are exact."""

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


@lru_cache(maxsize=64)
def _pairs(n: int) -> tuple[IntArray, IntArray]:
    """The pairs i < j, as two read-only index arrays."""
    ii, jj = (np.asarray(v, dtype=np.int64) for v in np.triu_indices(n, 1))
    ii.flags.writeable = jj.flags.writeable = False
    return ii, jj


@lru_cache(maxsize=64)
def _diag(n: int) -> tuple[IntArray, IntArray]:
    idx = np.arange(n, dtype=np.int64)
    idx.flags.writeable = False
    return idx, idx


# --------------------------------------------------------------------------- mean, median
# Row layout here: x, w (N, n), delta (N,).


def _weighted_mean(x: Array, w: Array) -> Array:
    """Sequential sums; the quotient clipped to [min x, max x] against rounding."""
    mean = _seqsum0((w * x).T) / _seqsum0(w.T)
    return np.minimum(np.maximum(mean, np.min(x, axis=-1)), np.max(x, axis=-1))


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
    xt = np.ascontiguousarray(x.T)
    dist = np.abs(xt[:, None, :] - xt[None, :, :])
    v = _linear_votes(dist, np.ascontiguousarray(w.T), safe, ii, jj)
    upper = _seqsum0(v)  # (M, N): sum_k v_k(i, j) for i < j
    vsum = np.empty((n, n, big_n))
    vsum[ii, jj] = upper
    vsum[jj, ii] = -upper  # v_k(j, i) = -v_k(i, j) exactly
    vsum[_diag(n)] = 0.0
    earlier = np.tril(np.ones((n, n), dtype=bool), -1)  # [p, k]: k < p
    seen = np.any((x[:, :, None] == x[:, None, :]) & earlier, axis=-1)  # (N, n)
    threshold = TIE * _seqsum0(w.T)  # "positive beyond rounding"
    cols = np.arange(big_n)
    king = np.zeros(big_n, dtype=np.int64)
    for p in range(1, n):  # the scan is sequential by definition; each step is O(N)
        wins = ~seen[:, p] & (vsum[p, king, cols] > threshold)
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


def _linear_votes(dist: Array, w: Array, delta: Array, ii: IntArray, jj: IntArray) -> Array:
    """v_k(i, j) = w_k (|x_k - x_j| - |x_k - x_i|) / Delta for the pairs i < j; dist[k, j]."""
    v = np.take(dist, jj, axis=1)
    np.subtract(v, np.take(dist, ii, axis=1), out=v)
    np.multiply(v, w[:, None, :], out=v)
    np.divide(v, delta, out=v)
    return v


def _distances(x: Array, delta: Array) -> tuple[Array, Array]:
    """|x_i - x_j| and its ratio to Delta, (n, n, A)."""
    dist = np.abs(x[:, None, :] - x[None, :, :])
    return dist, dist / delta


def _probability(
    x: Array,
    dist: Array,
    d: Array,
    w: Array,
    delta: Array,
    risk: Array | None,
    options: EUMOptions,
) -> Array:
    """P (n, n, A) of eq. 30 for elements with Delta > 0; ``risk`` None means r = 1.

    ``dist`` = |x_i - x_j| and ``d`` = dist / Delta, as from :func:`_distances`.
    """
    n, big_a = x.shape
    all_pairs = options.probability == "all-pairs"
    p = np.empty((n, n, big_a))  # every entry is set below
    p[_diag(n)] = 0.0 if all_pairs else 0.5
    if n < 2:
        return p
    ii, jj = _pairs(n)
    if options.votes == "risk":  # v_k = w_k ((|x_k - x_j|/Delta)^r_k - (|x_k - x_i|/Delta)^r_k)
        g = d if risk is None else np.float_power(d, risk[:, None, :])
        v = np.take(g, jj, axis=1)
        v -= np.take(g, ii, axis=1)
        v *= w[:, None, :]
    else:
        v = _linear_votes(dist, w, delta, ii, jj)
    tmp = np.empty_like(v)  # one scratch buffer, reused (it stays in cache)
    pos = _seqsum0(np.maximum(v, 0.0, out=tmp))  # sum_k max(0, v_k(i, j)), i < j
    neg = -_seqsum0(np.minimum(v, 0.0, out=tmp))  # sum_k max(0, v_k(j, i)), exactly
    absv = np.abs(v, out=tmp)
    if all_pairs:
        full = np.zeros((n, n, n, big_a))  # [k, a, b]: |v_k(a, b)|, summed in that order
        full[:, ii, jj] = absv
        full[:, jj, ii] = absv
        den = np.broadcast_to(_seqsum0(full.reshape(n**3, big_a)), pos.shape)
    else:
        den = _seqsum0(absv)
    zero = den == 0.0  # no vote either way (x_i = x_j): P = 0.5
    safe = den + zero  # den, or 1 where den is 0
    p_ij = pos / safe
    p_ji = neg / safe
    if np.any(zero):
        p_ij[zero] = 0.5
        p_ji[zero] = 0.5
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
        xl = x[live].T.copy()
        dist, ratio = _distances(xl, d[live])
        rl = None if r is None else r[live].T
        p = _probability(xl, dist, ratio, w[live].T.copy(), d[live], rl, options)
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


def _eu(s_t: Array, p: Array, omp: Array, u_s: Array, u_f: Array, cost: Array | float) -> Array:
    """s (P U_s + (1 - P) U_f) + (1 - s) U_s - cost (eq. 25a) in the reference's order;
    ``omp`` is 1 - P. Subtracting a zero cost changes no bit, so it is skipped."""
    gain = p * u_s
    gain += omp * u_f
    gain *= s_t
    gain += (1.0 - s_t) * u_s
    if not (isinstance(cost, float) and cost == 0.0):
        gain -= cost
    return gain


def _pair_utils(base_s: Array, base_f: Array, r: Array) -> tuple[Array, Array]:
    """U_s and U_f (n, n, A) of every pair, seen with the target's exponent r_j."""
    r_t = r[None, :, :]
    return _util(base_s, r_t), _util(base_f, r_t)


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


def _mean_distance(x: Array, w: Array, delta: Array) -> Array:
    """m_i = |x_i - mean| / Delta (n, A) for ``mu="mean"``, from differences only.

    With med the weighted median and z_k = x_k - med: mean - med = sum_k w_k z_k / sum_k w_k
    (sequential sums, clipped to [min z, max z]) and m_i = |z_i - (mean - med)| / Delta. No
    absolute position is rounded, so m does not depend on where the scale's zero lies, and
    a mean that is one actor's position (all weight there) comes out exact.
    """
    z = x - _weighted_median(x.T, w.T)
    off = _seqsum0(w * z) / _seqsum0(w)
    off = np.minimum(np.maximum(off, np.min(z, axis=0)), np.max(z, axis=0))
    z -= off
    return np.abs(z, out=z) / delta


def _risk(eu1: Array) -> Array:
    """r (n, A) from the r = 1 EU matrix [sender, target, element] (eqs. 32-33)."""
    danger = _seqsum0(eu1)  # S_i = sum_{j} EU_ji (the diagonal is 0), j in index order
    s_max = danger.max(axis=0)
    s_min = danger.min(axis=0)
    flat = s_max - s_min <= TIE  # equal dangers up to rounding
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
    omp: Array  # 1 - p
    dist: Array  # (n, n, A) |x_i - x_j|
    d: Array  # dist / Delta
    base_s: Array  # 0.5 - 0.5 d
    base_f: Array  # 0.5 + 0.5 d
    m: Array  # (n, A) |x_i - mu| / Delta (zeros when Q = 1: mu is not used)


def _state(x: Array, w: Array, s: Array, delta: Array, options: EUMOptions) -> _State:
    """mu, r (every r = 1 for the dangers) and P with the current r, for Delta > 0."""
    n = x.shape[0]
    dist, d = _distances(x, delta)
    half = 0.5 * d
    base_s = 0.5 - half
    base_f = 0.5 + half
    if options.q == 1.0:
        m = np.zeros_like(x)
    elif options.mu == "mean":
        m = _mean_distance(x, w, delta)
    else:
        m = np.abs(x - _median(x.T, w.T, delta, options)) / delta
    p1 = _probability(x, dist, d, w, delta, None, options)
    cost1 = _cost(options, 0.0, m[:, None, :], d, None)
    omp = 1.0 - p1
    eu1 = _eu(s[None, :, :], p1, omp, _util(base_s, None), _util(base_f, None), cost1)
    eu1[_diag(n)] = 0.0
    r = _risk(eu1)
    p = p1
    if options.votes == "risk":
        p = _probability(x, dist, d, w, delta, r, options)
        omp = 1.0 - p
    return _State(r, p, omp, dist, d, base_s, base_f, m)


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


@dataclass(frozen=True)
class _Compromises:
    """The compromise pairs of a round, by flat index into the (n, n, A) pair arrays."""

    where: IntArray
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
    where = np.flatnonzero(mask)
    big_a = x.shape[1]
    i, rest = np.divmod(where, x.shape[0] * big_a)  # flat [i, j, e] -> i and j * A + e
    flat_x = x.ravel()
    x_i, x_j = flat_x[i * big_a + rest % big_a], flat_x[rest]
    a_c, b_c = a.ravel()[where], abs_b.ravel()[where]
    if options.compromise == "weighted":
        new = (np.abs(a_c) * x_i + b_c * x_j) / (np.abs(a_c) + b_c)
    else:
        new = x_j + (x_i - x_j) * b_c / a_c
    new = np.minimum(np.maximum(new, np.minimum(x_i, x_j)), np.maximum(x_i, x_j))
    return _Compromises(where, x_i, x_j, a_c, b_c, new)


def _sender_eu(st: _State, s: Array, options: EUMOptions) -> Array:
    """EU_ij (n, n, A) as the sender i perceives it: eq. 25a with i's exponent r_i in every
    utility (``proposer="sender"``), in the reference's order of operations."""
    n = st.r.shape[0]
    r_s = st.r[:, None, :]
    u_s, u_f = _util(st.base_s, r_s), _util(st.base_f, r_s)
    u_sq = u_s[_diag(n)][:, None, :]  # d = 0 on the diagonal: U_s = U_sq with r_i
    cost = _cost(options, u_sq, st.m[:, None, :], st.d, r_s)
    return _eu(s[None, :, :], st.p, st.omp, u_s, u_f, cost)


def _round(
    x: Array, w: Array, s: Array, delta: Array, options: EUMOptions, u: Array | None
) -> tuple[Array, Array, IntArray]:
    """One round (Delta > 0): new positions (n, A), r used (n, A), counts (A, 3)."""
    n, big_a = x.shape
    st = _state(x, w, s, delta, options)
    if n < 2:
        return x.copy(), st.r, np.zeros((big_a, 3), dtype=np.int64)
    p, d, dist = st.p, st.d, st.dist
    pair = dist != 0.0  # i != j and x_i != x_j
    r_t = st.r[None, :, :]  # the target's exponent on every utility (mirror-imaging)
    u_s, u_f = _pair_utils(st.base_s, st.base_f, st.r)
    u_sq = u_s[_diag(n)][None]  # d = 0 on the diagonal: U_s = 2 - 4 (0.5)^r_j = U_sq
    cost_a = _cost(options, u_sq, st.m[:, None, :], d, r_t)
    cost_b = _cost(options, u_sq, st.m[None], d, r_t)
    a = _eu(s[None, :, :], p, st.omp, u_s, u_f, cost_a)
    b = _eu(s[:, None, :], p.transpose(1, 0, 2), st.omp.transpose(1, 0, 2), u_s, u_f, cost_b)
    abs_b = np.abs(b)
    a_pos = a > 0.0
    a_pos &= pair
    proposed = pair  # the pairs classified at all (scholz-code's own rules ask a > 0)
    if options.proposer == "sender":  # i proposes iff EU_ij > 0 with its own r_i
        proposed = (_sender_eu(st, s, options) > 0.0) & pair
        if options.resolution == "scholz-code":
            a_pos &= proposed
        else:
            a_pos = proposed  # bdm: the sender's gate replaces a > 0
    b_pos = b > 0.0
    gt = a > abs_b
    pos_neg = b < 0.0
    pos_neg &= a_pos
    compromise = pos_neg & gt
    capitulation = pos_neg > gt  # pos_neg and not gt
    won = None
    if options.conflict == "stochastic":  # the sender wins iff its uniform is below P_ij
        assert u is not None
        won = u < p
    sender_loses = None
    if options.resolution == "scholz-code":
        if won is None:
            conflict = (a - b > TIE) & b_pos
            conflict &= proposed
            target_loses = conflict
        else:
            conflict = a_pos & b_pos
            target_loses = conflict & won
    else:
        conflict = a_pos & b_pos
        if won is None:  # |a - b| <= TIE is a draw; a > b iff a - b > 0
            diff = a - b
            target_loses = conflict & (diff > TIE)
            sender_loses = conflict & (diff < -TIE)
        else:
            target_loses = conflict & won
            sender_loses = conflict > won  # conflict and not won
    comp = _compromises(x, a, abs_b, compromise, options)
    # offers to each target (over senders, axis 0): the key (movement |new - x_j|, or for
    # Scholz's compromises their own key; inf where no offer) and the new position
    t_mask = target_loses | capitulation
    t_mask |= compromise
    t_val = dist + _penalty(~t_mask)
    comp_new = np.empty(a.shape)
    np.put(comp_new, comp.where, comp.new)
    if options.resolution == "scholz-code":
        abs_a = np.abs(comp.a)
        key = (abs_a * comp.x_i + comp.abs_b * comp.x_j) / (abs_a + comp.abs_b)
    else:
        key = np.abs(comp.new - comp.x_j)
    np.put(t_val, comp.where, key)
    t_kind = None
    if options.resolution == "scholz-code" or options.ranking == "type":
        t_kind = compromise + 2.0 * capitulation
    offers = _Offers(t_val, t_kind, compromise, comp_new, sender_loses)
    new_x = _select(x, delta, a, dist, offers)
    counts = np.empty((big_a, 3), dtype=np.int64)
    for column, kind in enumerate((conflict, compromise, capitulation)):
        counts[:, column] = np.add.reduce(kind.view(np.uint8).reshape(n * n, big_a), axis=0)
    return new_x, st.r, counts


@dataclass(frozen=True)
class _Offers:
    """The moves offered in a round, for :func:`_select`.

    ``value`` [sender i, target m]: the key of the offer to m (its movement, or Scholz's
    compromise key), inf where there is none; ``kind`` 0 conflict, 1 compromise,
    2 capitulation (only when kinds rank first); ``compromise`` marks offers whose new
    position is ``comp_new`` (else x_i); ``lost`` [sender m, target j]: m lost a conflict
    with j and is offered x_j (``bdm`` only).
    """

    value: Array
    kind: Array | None
    compromise: BoolArray
    comp_new: Array
    lost: BoolArray | None


_POS_INF_BITS = np.uint64(0x7FF0000000000000)
_NEG_INF_BITS = np.uint64(0xFFF0000000000000)


def _penalty(mask: BoolArray, bits: np.uint64 = _POS_INF_BITS) -> Array:
    """+inf (or -inf) where ``mask``, +0.0 elsewhere: adding it to finite values masks them.

    Built from the bit pattern, which is several times faster than ``np.where`` here.
    """
    return (mask.astype(np.uint64) * bits).view(np.float64)


def _first_true(mask: BoolArray, axis: int) -> IntArray:
    """Index of the first True along ``axis`` of an (n, n, A) mask; n where there is none."""
    n = mask.shape[axis]
    order = np.arange(n, dtype=np.uint8).reshape([-1 if k == axis else 1 for k in range(mask.ndim)])
    key = (~mask).view(np.uint8) * np.uint8(n)
    key += order
    return key.min(axis=axis).astype(np.int64)


def _select(x: Array, delta: Array, a: Array, dist: Array, offers: _Offers) -> Array:
    """The move each actor takes among the offers made to it (reference rules, "Ties").

    Offers to actor m as a target sit at [sender i, m] (reduced over axis 0); as the losing
    sender of a conflict at [m, target j] (over axis 1: kind conflict, to x_j, key |x_j -
    x_m|). 1. with kinds: keep the best kind; 2. keep the keys within TIE * Delta of the
    least; 3. keep the EU a within TIE of the largest (skipped when step 2 left one offer
    in every lane); 4. take the lowest (sender, target) pair.
    """
    n, big_a = x.shape
    lanes = np.arange(big_a)
    t_val = offers.value
    l_mask = offers.lost if offers.lost is not None and offers.lost.any() else None
    if offers.kind is not None:
        best = (offers.kind + _penalty(t_val == np.inf)).min(axis=0)
        if l_mask is not None:
            best[l_mask.any(axis=1)] = 0.0  # a lost conflict is of the best kind
        t_val = t_val + _penalty(offers.kind != best)
    least = t_val.min(axis=0)
    l_val = None
    if l_mask is not None:
        l_val = dist + _penalty(~l_mask)
        least = np.minimum(least, l_val.min(axis=1))
    empty = least == np.inf
    n_empty = int(np.count_nonzero(empty))
    limit = least + TIE * delta
    near = t_val <= limit  # in an empty lane every entry (inf <= inf): discounted
    count = np.count_nonzero(near) - n * n_empty
    l_near = None
    if l_val is not None:
        l_near = l_val <= limit[:, None, :]
        count += np.count_nonzero(l_near) - n * n_empty
    if count > empty.size - n_empty:  # some lane holds two offers within the tolerance
        near &= ~empty
        largest = (a + _penalty(~near, _NEG_INF_BITS)).max(axis=0)
        if l_near is not None:
            l_near &= ~empty[:, None, :]
            l_largest = (a + _penalty(~l_near, _NEG_INF_BITS)).max(axis=1)
            largest = np.maximum(largest, l_largest)
        floor = largest - TIE
        near &= a >= floor
        if l_near is not None:
            l_near &= a >= floor[:, None, :]
    first = _first_true(near, 0)
    t_has = (first < n) & ~empty
    first = np.minimum(first, n - 1)
    movers = np.arange(n)[:, None]
    t_value = x[first, lanes]
    is_comp = offers.compromise[first, movers, lanes]
    if is_comp.any():
        t_value = np.where(is_comp, offers.comp_new[first, movers, lanes], t_value)
    out = np.where(t_has, t_value, x)
    if l_near is None:
        return out
    l_first = _first_true(l_near, 1)
    l_has = (l_first < n) & ~empty
    t_low = t_has & (first < movers)  # the first offer comes from a lower sender
    l_value = x[np.minimum(l_first, n - 1), lanes]
    return np.where(~t_low & l_has, l_value, out)


# --------------------------------------------------------------------------- runs


def _run_slice(
    c: Array, x0: Array, s: Array, options: EUMOptions, u: Array | None, out: dict[str, Array]
) -> None:
    """Run one slice of the batch (row layout in and out), writing into the views ``out``.

    The elements still running are kept compacted in batch-last arrays, together with
    their history (for the cycle test); ``idx`` maps them back to rows of the slice.
    """
    big_b, n = x0.shape
    rounds = options.rounds
    w = vote_weights(c, s)
    delta = _range(x0)
    positions, risk, counts = out["positions"], out["risk"], out["counts"]
    cycled = out["cycled"]
    positions[:, 0] = x0
    last = np.zeros(big_b, dtype=np.int64)  # rounds run per element
    idx = np.flatnonzero(delta > 0)
    xs, ws, ss = x0[idx].T.copy(), w[idx].T.copy(), s[idx].T.copy()
    ds = delta[idx]
    tol = options.tol * ds
    hist = np.empty((rounds + 1, n, idx.size))
    hist[0] = xs
    for t in range(rounds):
        if idx.size == 0:
            break
        us = None if u is None else np.moveaxis(u[idx, t], 0, -1)
        new, r, cnt = _round(xs, ws, ss, ds, options, us)
        positions[idx, t + 1] = new.T
        risk[idx, t] = r.T
        counts[idx, t] = cnt
        last[idx] = t + 1
        moving = np.max(np.abs(new - xs), axis=0) > tol
        if t >= 1:  # a cycle: the new state matches row 0 .. t-1 (row t is the old state)
            near = np.max(np.abs(hist[:t] - new[None]), axis=1) <= tol
            again = np.any(near, axis=0) & moving
            cycled[idx[again]] = True
            moving &= ~again
        hist[t + 1] = new
        xs = new
        if not np.all(moving):
            keep = np.flatnonzero(moving)
            idx, xs, ws, ss, ds, tol = (
                idx[keep],
                xs[:, keep],
                ws[:, keep],
                ss[:, keep],
                ds[keep],
                tol[keep],
            )
            hist = hist[:, :, keep]
    out["rounds_run"][:] = last
    # rows after an element's stop repeat its final state; risk repeats its last row
    rows = np.arange(big_b)
    after = np.arange(rounds + 1)[None, :] > last[:, None]
    if np.any(after):
        positions[:] = np.where(after[:, :, None], positions[rows, last][:, None, :], positions)
        if rounds:
            keep_r = np.maximum(last, 1)
            r_after = np.arange(rounds)[None, :] >= keep_r[:, None]
            risk[:] = np.where(r_after[:, :, None], risk[rows, keep_r - 1][:, None, :], risk)
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

    ``capability`` (B, n), one per actor for every issue, or (B, n, D), one per actor and
    issue (issue-specific capability); ``position`` and ``salience`` (B, n, D); ``uniforms``
    (B, D, R, n, n) for stochastic conflict. The result's arrays lead with (B, D).
    """
    c = np.asarray(capability, dtype=np.float64)
    c = _batch("capability", c, 3 if c.ndim == 3 else 2)
    x = _batch("position", position, 3)
    s = _batch("salience", salience, 3)
    if x.shape != s.shape or c.shape not in (x.shape, x.shape[:2]):
        raise ValueError(
            "position and salience must be (B, n, D) and capability (B, n) or (B, n, D), got "
            f"{x.shape}, {s.shape}, {c.shape}"
        )
    big_b, n, dims = x.shape
    flat_x = np.moveaxis(x, 2, 1).reshape(big_b * dims, n)
    flat_s = np.moveaxis(s, 2, 1).reshape(big_b * dims, n)
    if c.ndim == 3:
        flat_c = np.moveaxis(c, 2, 1).reshape(big_b * dims, n)
    else:
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
