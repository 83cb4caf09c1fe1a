"""Plain-loop reference implementation of the expected-utility model (EUM).

One sample at a time, ordinary Python loops over actors (numpy only holds the results).
It is the test oracle of the vectorised engine :mod:`summitry.engines.eum`; both follow
docs/models/eum.md and the rules written here. Sources: Bueno de Mesquita (BDM),
"Political forecasting: an expected utility method" (1994) and *Predicting Politics*
(2002); Scholz, Calbert & Smith, "Unravelling Bueno De Mesquita's group decision model",
J. Theoretical Politics 23(4) 2011 (equation numbers below are theirs). See
docs/models/eum.md for the prose version.

Inputs: capability c (n,) >= 0, position x (n,) on any finite scale, salience s (n,) in
[0, 1]. Delta = max - min of the *initial* positions, fixed for the run.

Weights. w_k = c_k s_k; if every w_k is 0, every w_k = 1 (equal weights). The same w is
used by the mean, both medians and the votes.

Equations (all sums run over actors in index order, sequentially):

* mean = sum_k w_k x_k / sum_k w_k (clipped to [min x, max x] against rounding).
* votes (summed in eq. 30): linear v_k(i,j) = w_k (|x_k - x_j| - |x_k - x_i|) / Delta;
  risk v_k(i,j) = w_k ((|x_k - x_j|/Delta)^r_k - (|x_k - x_i|/Delta)^r_k).
* P (eq. 30): pairwise  P_ij = sum_k max(0, v_k(i,j)) / sum_k |v_k(i,j)|, 0.5 if the
  denominator is 0; all-pairs P_ij = sum_k max(0, v_k(i,j)) / sum_k sum_a sum_b |v_k(a,b)|,
  0 if x_i == x_j, 0.5 if the denominator is 0. Delta == 0: P = 0.5 everywhere.
* utilities (eqs. 15-19, 24), with d = |x_i - x_j| / Delta, m = |x_i - mu| / Delta and the
  perceiver's exponent r (bases clamped at 0 against rounding); with ``mu="mean"``,
  m = |z_i - sum_k w_k z_k / sum_k w_k| / Delta with z_k = x_k - (weighted median) (the
  quotient clipped to [min z, max z]): the same m, from differences only (see "Scale"):
  U_s = 2 - 4 (0.5 - 0.5 d)^r, U_f = 2 - 4 (0.5 + 0.5 d)^r,
  U_b = 2 - 4 (0.5 - 0.25 (m + d))^r, U_w = 2 - 4 (0.5 + 0.25 (m + d))^r, U_sq = 2 - 4 0.5^r.
* EU_ij (eq. 25a; the challenged actor's salience s_j weighs resistance):
  EU_ij = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s - (Q U_sq + (1 - Q)(T U_b + (1 - T) U_w)).
* risk (eqs. 32-33): with every r = 1, S_i = sum_{j != i} EU_ji (all j, also those at x_i);
  R_i = (2 S_i - S_max - S_min)/(S_max - S_min) clipped to [-1, 1];
  r_i = (1 - R_i/3)/(1 + R_i/3) clipped to [0.5, 2]; every r_i = 1 if
  S_max - S_min <= 1e-12 (equal dangers up to rounding: EU values are of order 1).

Medians. ``weighted``: sort actors by (position, index); the median is the position of the
first actor whose running weight (sequential cumulative sum in that order) is >= 0.5 times
the cumulative total, i.e. the smallest x with W(<= x) >= W/2. In one dimension this is
the Condorcet winner of the linear votes. ``king-of-hill``: distinct positions in order of
first appearance (by actor index); m = the first; for each next p, m = p iff
sum_k v_k(p, m) > 0 with linear votes (r = 1).

One round t (1-based; row t of the outputs). mu = median or mean of the current state.
r = risk exponents. P from the votes with the current r. For every ordered pair (sender
i, target j), i != j, x_i != x_j, the target j perceives both
a = EU_ij and b = EU_ji with its own exponent r_j (mirror-imaging).

Who decides a proposal (``options.proposer``; docs/models/eum.md, "Whose view decides a
proposal"): ``target`` (default), a > 0 as above; ``sender``, e > 0 where e = EU_ij as the
sender i perceives it (its own exponent r_i in every utility). The target classifies the
proposal by (a, b) either way.

``resolution="bdm"`` (docs/models/eum.md, "One round", steps 2-5): a proposal exists iff
a > 0 (``sender``: iff e > 0). Then conflict if b > 0; compromise if b < 0 and |b| < a;
capitulation if b < 0 and |b| >= a (b == 0 exactly: nothing happens). With ``sender`` a may
be <= 0: then b > 0 is a conflict the target expects to win and b < 0 a capitulation.
Conflict, deterministic: the larger of a, b wins, the loser (sender or target) moves to the
winner's position; a tie (|a - b| <= TIE) moves nobody (mover -1). Conflict, stochastic: the
sender wins iff uniforms[t-1, i, j] < P_ij. Compromise: the target moves to ``partial``
x_j + (x_i - x_j)|b|/a or ``weighted`` (|a| x_i + |b| x_j)/(|a| + |b|), clipped to the
segment [x_i, x_j]. Capitulation: the target moves to x_i. Every actor takes one of the moves
offered to it (as target, or as the losing sender of a conflict): the one that moves it
least; ``ranking="type"`` first keeps the best kind present (conflict > compromise >
capitulation).

``resolution="scholz-code"``: the same pairs and perceptions (the target is the
"receiver"). Conflict lost by the target if b > 0 and a - b > TIE (stochastic: a > 0 and
b > 0, lost iff uniforms[t-1, i, j] < P_ij; a won conflict moves nobody); compromise if
a > 0 > b and a > |b|; capitulation if a > 0 > b and a <= |b|; with ``sender`` only
pairs with e > 0 are classified. Only the target moves. It
takes a lost conflict if any (the nearest), else the compromise with the smallest
(|a| x_i + |b| x_j)/(|a| + |b|), else the nearest capitulation. ``ranking`` is not used.

Ties (:data:`TIE` = 1e-12). Among an actor's offers (after the kind filter above): keep
those whose movement (Scholz's compromises: the key above) is within TIE * Delta of the
smallest; then those whose sender's EU_ij (a) is within TIE of the largest; then take the
lowest (sender, target) pair. Mathematically equal quantities computed in a different order
differ by a few ulps; the tolerance lets symmetric ties resolve by index in every engine.
Sign tests (a > 0, b > 0, b < 0, |b| < a) and position equality (x_i == x_j) are exact.

Scale. Every model quantity is a difference of positions divided by Delta, so a map
x -> a x + b (a > 0) changes nothing mathematically. In floating point, a power-of-two a
(with b = 0) changes no bit at all, and a round that starts from an exactly mapped state
(e.g. integer positions, b an integer) computes bit-identical P, r and EU values and so
classifies every pair alike; only its new positions are rounded on each scale. That is why m
is not computed as |x_i - mean| / Delta: the rounding of the mean is relative to |mean|,
i.e. to the offset b, and with r = 0.5 a base 0.5 - (m + d)/4 that should be 0 (x_i at
one end, x_j and the mean at the other) but is 1e-16 becomes 1e-8 in U_b. Later rounds
start from rounded compromise positions; there the two scales can take different
decisions at ties (exact sign tests, x_i == x_j).

All accepted moves apply at once. Stop after ``options.rounds``, or at round t when no
position moved more than ``tol * Delta`` (not a cycle), or when the new state equals an
earlier one within ``tol * Delta`` (max abs difference; a cycle: ``cycled = True``). Rows
after the stop repeat the final state, counts are 0 there and risk repeats the last row
used. Delta == 0: nothing moves, P = 0.5, r = 1, ``rounds_run = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from summitry.engines.eum.options import EUMOptions

Array = NDArray[np.float64]
Kind = Literal["conflict", "compromise", "capitulation"]
View = Literal["challenger", "target"]

KINDS: tuple[Kind, Kind, Kind] = ("conflict", "compromise", "capitulation")
"""Order of the columns of :attr:`ReferenceRun.counts` (and the ``ranking="type"`` order)."""

TIE = 1e-12
"""Tolerance of every tie between model quantities (module docstring, "Ties").

Two EU values (or two dangers S_i) tie when they differ by at most ``TIE`` (absolute: EU
values are of order 1); two positions or movements tie when they differ by at most
``TIE * Delta``; a king-of-the-hill vote total is "positive" when it exceeds
``TIE * sum_k w_k``. Mathematically equal quantities computed in another order (by the
vectorised engine, or on an affinely mapped scale) differ by a few ulps; without this
tolerance such symmetric ties would be broken by rounding noise. Set it to 0.0 for exact
float comparisons.
"""


@dataclass(frozen=True)
class TraceRecord:
    """One classified (sender, target) pair of one round.

    ``eu_ij`` (sender challenges target) and ``eu_ji`` (target challenges sender) are both as
    the target perceives them. ``mover`` is the actor the pair would move (the target, or the
    losing sender of a ``bdm`` conflict; -1 for a drawn conflict), ``new_position`` where it
    would go (the target's current position when nobody moves), ``accepted`` whether that move
    was the one the mover took.
    """

    round: int
    sender: int
    target: int
    eu_ij: float
    eu_ji: float
    kind: Kind
    accepted: bool
    new_position: float
    mover: int


@dataclass(frozen=True)
class ReferenceRun:
    """The trajectory of one run: row 0 is the initial state, row t the state after round t."""

    positions: Array  # (R+1, n)
    median: Array  # (R+1,)
    mean: Array  # (R+1,)
    counts: NDArray[np.int64]  # (R, 3): conflict, compromise, capitulation
    risk: Array  # (R, n): risk exponents used in each round
    rounds_run: int
    cycled: bool
    trace: list[TraceRecord] = field(default_factory=list)


# --------------------------------------------------------------------------- inputs


def _check_inputs(capability: Array, position: Array, salience: Array) -> tuple[Array, ...]:
    c = np.asarray(capability, dtype=np.float64)
    x = np.asarray(position, dtype=np.float64)
    s = np.asarray(salience, dtype=np.float64)
    if c.ndim != 1 or c.shape != x.shape or c.shape != s.shape or c.shape[0] < 1:
        raise ValueError("capability, position and salience must be 1-d, one length n >= 1")
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(x)) and np.all(np.isfinite(s))):
        raise ValueError("inputs must be finite")
    if np.any(c < 0):
        raise ValueError("capability must be >= 0")
    if np.any(s < 0) or np.any(s > 1):
        raise ValueError("salience must lie in [0, 1]")
    return c, x, s


def position_range(position: Array) -> float:
    """Delta = max_i x_i - min_i x_i, fixed from the initial state (docs/models/eum.md, s.2)."""
    return float(np.max(position) - np.min(position))


def vote_weights(capability: Array, salience: Array) -> list[float]:
    """w_k = c_k s_k, or w_k = 1 for every k when all c_k s_k are 0 (equal weights)."""
    w = [float(c) * float(s) for c, s in zip(capability, salience, strict=True)]
    if all(v == 0.0 for v in w):
        return [1.0] * len(w)
    return w


def _ones(n: int) -> Array:
    return np.ones(n, dtype=np.float64)


# --------------------------------------------------------------------------- mean, median


def weighted_mean(capability: Array, position: Array, salience: Array) -> float:
    """mean = sum_k w_k x_k / sum_k w_k with w_k = c_k s_k (BDM 1994).

    Equal weights when every c_k s_k is 0. Sequential sums; the quotient is clipped to
    [min x, max x] against rounding.
    """
    w = vote_weights(capability, salience)
    num = 0.0
    den = 0.0
    for k in range(len(w)):
        num += w[k] * float(position[k])
        den += w[k]
    return min(max(num / den, float(np.min(position))), float(np.max(position)))


def weighted_median(capability: Array, position: Array, salience: Array) -> float:
    """The weighted median: the smallest position x with W(<= x) >= W/2 (BDM 1994, 2002).

    Weights w_k = c_k s_k (equal weights when all are 0). Actors are sorted by (position,
    index); the running weight is the sequential cumulative sum in that order and W is its
    last value; the answer is the position of the first actor whose running weight is
    >= 0.5 * W. In one dimension with linear votes this is the Condorcet winner.
    """
    w = vote_weights(capability, salience)
    order = sorted(range(len(w)), key=lambda k: (float(position[k]), k))
    running = []
    total = 0.0
    for k in order:
        total += w[k]
        running.append(total)
    half = 0.5 * total
    for rank, k in enumerate(order):
        if running[rank] >= half:
            return float(position[k])
    return float(position[order[-1]])  # unreachable: the last running weight is W


def king_of_hill_median(
    capability: Array, position: Array, salience: Array, *, delta: float | None = None
) -> float:
    """Scholz's program's median: a king-of-the-hill over distinct positions.

    Distinct positions in order of first appearance; m = the first; for each next p,
    m = p iff sum_k v_k(p, m) > TIE * sum_k w_k (i.e. positive beyond rounding) with linear
    votes (r = 1). Weights as in
    :func:`vote_weights`.
    """
    w = vote_weights(capability, salience)
    if delta is None:
        delta = position_range(position)
    threshold = TIE * sum(w)
    distinct: list[float] = []
    for value in position:
        if float(value) not in distinct:
            distinct.append(float(value))
    m = distinct[0]
    for p in distinct[1:]:
        total = 0.0
        for k in range(len(w)):
            xk = float(position[k])
            total += w[k] * (abs(xk - m) - abs(xk - p)) / delta
        if total > threshold:
            m = p
    return m


def median_position(
    capability: Array,
    position: Array,
    salience: Array,
    options: EUMOptions,
    *,
    delta: float | None = None,
) -> float:
    """The forecast median under ``options.median_rule``."""
    if options.median_rule == "king-of-hill":
        return king_of_hill_median(capability, position, salience, delta=delta)
    return weighted_median(capability, position, salience)


@dataclass(frozen=True)
class RefPoint:
    """The reference point mu of U_b and U_w, held as mu = anchor + offset.

    m = |x_i - mu| / Delta is computed as |(x_i - anchor) - offset| / Delta: from
    differences of positions, never from a rounded absolute mu. A plain float mu is
    ``RefPoint(mu)`` (offset 0.0, which changes no bit).
    """

    anchor: float
    offset: float = 0.0

    def distance(self, xi: float) -> float:
        """|x_i - mu|, as |(x_i - anchor) - offset|."""
        return abs((float(xi) - self.anchor) - self.offset)


Mu = float | RefPoint


def mean_about_median(capability: Array, position: Array, salience: Array) -> RefPoint:
    """The weighted mean as (weighted median med, mean - med).

    mean - med = sum_k w_k (x_k - med) / sum_k w_k (sequential sums), clipped to
    [min x - med, max x - med] against rounding. Mathematically the mean of
    :func:`weighted_mean`; but the offset is computed from differences, so it does not
    depend on where the scale's zero lies, and a mean that is one actor's position (all
    weight there) comes out exact: med is then that position and the offset exactly 0.
    """
    w = vote_weights(capability, salience)
    med = weighted_median(capability, position, salience)
    z = [float(v) - med for v in position]
    num = 0.0
    den = 0.0
    for k in range(len(w)):
        num += w[k] * z[k]
        den += w[k]
    return RefPoint(med, min(max(num / den, min(z)), max(z)))


def reference_point(
    capability: Array,
    position: Array,
    salience: Array,
    options: EUMOptions,
    *,
    delta: float | None = None,
) -> RefPoint:
    """mu of U_b and U_w: the median (default, offset 0) or the weighted mean as
    :func:`mean_about_median` (``options.mu``)."""
    if options.mu == "mean":
        return mean_about_median(capability, position, salience)
    return RefPoint(median_position(capability, position, salience, options, delta=delta))


# --------------------------------------------------------------------------- votes, P


def _vote(
    w: float, xk: float, xi: float, xj: float, rk: float, delta: float, options: EUMOptions
) -> float:
    """v_k(i, j): voter k's support for i over j (the votes of eq. 30; ``options.votes``)."""
    if options.votes == "risk":
        return w * ((abs(xk - xj) / delta) ** rk - (abs(xk - xi) / delta) ** rk)
    return w * (abs(xk - xj) - abs(xk - xi)) / delta


def votes(
    capability: Array,
    position: Array,
    salience: Array,
    risk: Array | None,
    options: EUMOptions,
    *,
    delta: float | None = None,
) -> Array:
    """V[k, i, j] = v_k(i, j), voter k's support for i's position over j's.

    These are the votes summed in Scholz eq. 30 (BDM 1994).

    linear: v_k(i,j) = c_k s_k (|x_k - x_j| - |x_k - x_i|) / Delta;
    risk:   v_k(i,j) = c_k s_k ((|x_k - x_j|/Delta)^r_k - (|x_k - x_i|/Delta)^r_k) (Scholz's
    program). ``risk`` None means every r_k = 1. All zeros when Delta == 0.
    """
    c, x, s = _check_inputs(capability, position, salience)
    n = len(x)
    r = _ones(n) if risk is None else np.asarray(risk, dtype=np.float64)
    if delta is None:
        delta = position_range(x)
    out = np.zeros((n, n, n))
    if delta == 0.0:
        return out
    w = vote_weights(c, s)
    for k in range(n):
        for i in range(n):
            for j in range(n):
                out[k, i, j] = _vote(w[k], x[k], x[i], x[j], float(r[k]), delta, options)
    return out


def win_probability(
    capability: Array,
    position: Array,
    salience: Array,
    risk: Array | None,
    options: EUMOptions,
    *,
    delta: float | None = None,
) -> Array:
    """P[i, j], the probability that i prevails over j (Scholz eq. 30).

    pairwise:  P_ij = sum_k max(0, v_k(i,j)) / sum_k |v_k(i,j)|  (0.5 if the sum is 0), so
               P_ij + P_ji = 1;
    all-pairs: P_ij = sum_k max(0, v_k(i,j)) / sum_k sum_a sum_b |v_k(a,b)| (Scholz's
               program; 0 if x_i == x_j; 0.5 if the denominator is 0).
    Delta == 0: P = 0.5 everywhere.
    """
    _, x, _ = _check_inputs(capability, position, salience)
    n = len(x)
    if delta is None:
        delta = position_range(x)
    if delta == 0.0:
        return np.full((n, n), 0.5)
    v = votes(capability, position, salience, risk, options, delta=delta)
    p = np.zeros((n, n))
    if options.probability == "all-pairs":
        total = 0.0
        for k in range(n):
            for a in range(n):
                for b in range(n):
                    total += abs(v[k, a, b])
        for i in range(n):
            for j in range(n):
                if x[i] == x[j]:
                    p[i, j] = 0.0
                elif total == 0.0:
                    p[i, j] = 0.5
                else:
                    p[i, j] = sum_positive(v[:, i, j]) / total
        return p
    for i in range(n):
        for j in range(n):
            den = 0.0
            for k in range(n):
                den += abs(v[k, i, j])
            p[i, j] = 0.5 if den == 0.0 else sum_positive(v[:, i, j]) / den
    return p


def sum_positive(values: Array) -> float:
    """Sequential sum of max(0, v) over the entries, in index order."""
    total = 0.0
    for value in values:
        total += max(0.0, float(value))
    return total


# --------------------------------------------------------------------------- utilities, EU


def _power(base: float, r: float) -> float:
    return max(base, 0.0) ** r


def pair_expected_utility(
    xi: float,
    xj: float,
    sj: float,
    pij: float,
    r: float,
    mu: Mu,
    delta: float,
    options: EUMOptions,
) -> float:
    """EU_ij of i challenging j, seen by a perceiver with exponent r (Scholz eqs. 15-19, 24, 25a).

    With d = |x_i - x_j|/Delta, m = |x_i - mu|/Delta (a :class:`RefPoint` mu: from
    differences, :meth:`RefPoint.distance`):
    U_s = 2 - 4 (0.5 - 0.5 d)^r, U_f = 2 - 4 (0.5 + 0.5 d)^r, U_sq = 2 - 4 (0.5)^r,
    U_b = 2 - 4 (0.5 - 0.25 (m + d))^r, U_w = 2 - 4 (0.5 + 0.25 (m + d))^r,
    EU_ij = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s
            - (Q U_sq + (1 - Q)(T U_b + (1 - T) U_w)).
    The resistance term uses s_j, the salience of the challenged actor (eq. 25a; eq. 25b as
    printed has the wrong salience). Delta == 0 gives d = m = 0.
    """
    d = 0.0 if delta == 0.0 else abs(xi - xj) / delta
    ref = mu if isinstance(mu, RefPoint) else RefPoint(float(mu))
    m = 0.0 if delta == 0.0 else ref.distance(xi) / delta
    u_s = 2.0 - 4.0 * _power(0.5 - 0.5 * d, r)
    u_f = 2.0 - 4.0 * _power(0.5 + 0.5 * d, r)
    u_b = 2.0 - 4.0 * _power(0.5 - 0.25 * (m + d), r)
    u_w = 2.0 - 4.0 * _power(0.5 + 0.25 * (m + d), r)
    u_sq = 2.0 - 4.0 * _power(0.5, r)
    q, t = options.q, options.t
    gain = sj * (pij * u_s + (1.0 - pij) * u_f) + (1.0 - sj) * u_s
    return float(gain - (q * u_sq + (1.0 - q) * (t * u_b + (1.0 - t) * u_w)))


def expected_utility(
    capability: Array,
    position: Array,
    salience: Array,
    risk: Array | None,
    options: EUMOptions,
    *,
    delta: float | None = None,
    mu: Mu | None = None,
    probability: Array | None = None,
    view: View = "challenger",
) -> Array:
    """EU[i, j], the expected utility of i challenging j (Scholz eq. 25a), diagonal 0.

    ``view="challenger"``: every utility of row i uses the challenger's own r_i;
    ``view="target"``: every utility of column j uses the target's r_j. So the target j's
    perception of the pair is (EU_ij, EU_ji) = (EU_target[i, j], EU_challenger[j, i]).
    P defaults to :func:`win_probability` with ``risk``; mu to the current median or mean
    (``options.mu``); Delta to the range of ``position``. ``risk`` None means r = 1.
    """
    c, x, s = _check_inputs(capability, position, salience)
    n = len(x)
    r = _ones(n) if risk is None else np.asarray(risk, dtype=np.float64)
    if delta is None:
        delta = position_range(x)
    if mu is None:
        mu = reference_point(c, x, s, options, delta=delta)
    p = win_probability(c, x, s, r, options, delta=delta) if probability is None else probability
    eu = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            perceiver = i if view == "challenger" else j
            eu[i, j] = pair_expected_utility(
                x[i], x[j], s[j], float(p[i, j]), float(r[perceiver]), mu, delta, options
            )
    return eu


def risk_exponents(
    capability: Array,
    position: Array,
    salience: Array,
    options: EUMOptions,
    *,
    delta: float | None = None,
    mu: Mu | None = None,
) -> Array:
    """Risk exponents r_i in [0.5, 2] (Scholz eqs. 32-33).

    With every r = 1 (votes, P and utilities), the danger to i is S_i = sum_{j != i} EU_ji
    (sequential, j in index order, every j including those at x_i). Then
    R_i = (2 S_i - S_max - S_min) / (S_max - S_min), clipped to [-1, 1], and
    r_i = (1 - R_i/3) / (1 + R_i/3), clipped to [0.5, 2] against rounding.
    Every r_i = 1 when S_max - S_min <= :data:`TIE` (in particular when Delta == 0):
    equal dangers up to rounding, so that symmetric actors summed in another order (as the
    vectorised engine does) do not flip between r = 1 and the extremes 0.5 and 2.
    """
    c, x, s = _check_inputs(capability, position, salience)
    n = len(x)
    if delta is None:
        delta = position_range(x)
    if delta == 0.0:
        return _ones(n)
    eu = expected_utility(c, x, s, None, options, delta=delta, mu=mu)
    danger = []
    for i in range(n):
        total = 0.0
        for j in range(n):
            if j != i:
                total += eu[j, i]
        danger.append(total)
    s_max, s_min = max(danger), min(danger)
    if s_max - s_min <= TIE:
        return _ones(n)
    out = np.empty(n)
    for i in range(n):
        big_r = (2.0 * danger[i] - s_max - s_min) / (s_max - s_min)
        big_r = min(1.0, max(-1.0, big_r))
        out[i] = min(2.0, max(0.5, (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)))
    return out


# --------------------------------------------------------------------------- one round


@dataclass(frozen=True)
class _Candidate:
    """A move offered to ``mover`` by the pair (sender, target) recorded at ``record``."""

    mover: int
    new_position: float
    kind: Kind
    sender: int
    target: int
    sender_position: float
    eu_ij: float
    eu_ji: float
    record: int


def _compromise(xi: float, xj: float, a: float, b: float, options: EUMOptions) -> float:
    """Target j's compromise position with sender i (a = EU_ij > 0, b = EU_ji < 0)."""
    if options.compromise == "weighted":
        new = (abs(a) * xi + abs(b) * xj) / (abs(a) + abs(b))
    else:
        new = xj + (xi - xj) * abs(b) / a
    return min(max(new, min(xi, xj)), max(xi, xj))


def _proposed(
    a: float,
    i: int,
    j: int,
    x: Array,
    s: Array,
    p: Array,
    r: Array,
    mu: RefPoint,
    delta: float,
    options: EUMOptions,
) -> bool:
    """Whether sender i makes a proposal to target j (docs/models/eum.md, "One round" step 3).

    ``proposer="target"``: under ``bdm`` iff a = EU_ij as the target j perceives it is > 0;
    ``scholz-code`` has no gate of its own (its classification rules require a > 0).
    ``proposer="sender"``: iff EU_ij as the sender i perceives it (its own exponent r_i)
    is > 0, under either resolution.
    """
    if options.proposer == "sender":
        ri = float(r[i])
        return pair_expected_utility(x[i], x[j], s[j], float(p[i, j]), ri, mu, delta, options) > 0
    return options.resolution == "scholz-code" or a > 0.0


def _classify_bdm(
    a: float, b: float, xi: float, xj: float, i: int, j: int, won: bool | None, opt: EUMOptions
) -> tuple[Kind, int, float] | None:
    """(kind, mover, new position) of a proposal from sender i to target j under ``bdm``.

    The proposal exists (see :func:`_proposed`); the target classifies it by (a, b), both
    as it perceives them. With ``proposer="target"`` a > 0 here.
    """
    if b > 0.0:
        if won is None:  # deterministic: the larger EU wins, a draw moves nobody
            if abs(a - b) <= TIE:
                return ("conflict", -1, xj)
            won = a > b
        return ("conflict", j, xi) if won else ("conflict", i, xj)
    if b < 0.0:
        if abs(b) < a:
            return ("compromise", j, _compromise(xi, xj, a, b, opt))
        return ("capitulation", j, xi)
    return None


def _classify_scholz(
    a: float, b: float, xi: float, xj: float, j: int, won: bool | None, opt: EUMOptions
) -> tuple[Kind, int, float] | None:
    """(kind, mover, new position) of the pair (sender i, target j) under ``scholz-code``."""
    if won is None:
        if b > 0.0 and a - b > TIE:
            return ("conflict", j, xi)
    elif a > 0.0 and b > 0.0:
        return ("conflict", j, xi) if won else ("conflict", -1, xj)
    if a > 0.0 > b:
        if a > abs(b):
            return ("compromise", j, _compromise(xi, xj, a, b, opt))
        return ("capitulation", j, xi)
    return None


def _movement(cand: _Candidate, old: float) -> float:
    return abs(cand.new_position - old)


def _scholz_compromise_key(cand: _Candidate, old: float) -> float:
    """Scholz's program ranks compromises by (|a| x_i + |b| x_j)/(|a| + |b|), smallest first."""
    a, b = abs(cand.eu_ij), abs(cand.eu_ji)
    return (a * cand.sender_position + b * old) / (a + b)


def _choose(cands: list[_Candidate], old: float, delta: float, options: EUMOptions) -> _Candidate:
    """The one move an actor now at ``old`` takes among ``cands`` (rules: module docstring).

    1. ``resolution="scholz-code"`` or ``ranking="type"``: keep the best kind present
       (conflict > compromise > capitulation);
    2. keep the candidates whose movement |new - old| (for Scholz's compromises: the key
       (|a| x_i + |b| x_j)/(|a| + |b|)) is within ``TIE * Delta`` of the smallest;
    3. keep those whose sender's EU_ij is within ``TIE`` of the largest;
    4. take the lowest (sender, target) pair.
    """
    pool = cands
    by_kind = options.resolution == "scholz-code" or options.ranking == "type"
    if by_kind:
        best_kind = min(KINDS.index(cand.kind) for cand in pool)
        pool = [cand for cand in pool if KINDS.index(cand.kind) == best_kind]
    if options.resolution == "scholz-code" and pool[0].kind == "compromise":
        values = [_scholz_compromise_key(cand, old) for cand in pool]
    else:
        values = [_movement(cand, old) for cand in pool]
    least = min(values)
    pool = [cand for cand, v in zip(pool, values, strict=True) if v <= least + TIE * delta]
    largest = max(cand.eu_ij for cand in pool)
    pool = [cand for cand in pool if cand.eu_ij >= largest - TIE]
    return min(pool, key=lambda cand: (cand.sender, cand.target))


def _one_round(
    t: int,
    c: Array,
    x: Array,
    s: Array,
    delta: float,
    options: EUMOptions,
    uniforms: Array | None,
) -> tuple[Array, Array, list[int], list[TraceRecord]]:
    """Round t (1-based): (new positions, risk exponents used, counts, trace records)."""
    n = len(x)
    mu = reference_point(c, x, s, options, delta=delta)
    r = risk_exponents(c, x, s, options, delta=delta, mu=mu)
    p = win_probability(c, x, s, r, options, delta=delta)
    counts = [0, 0, 0]
    pending: list[tuple[int, int, float, float, Kind, float, int]] = []
    cands: list[list[_Candidate]] = [[] for _ in range(n)]
    for j in range(n):  # target (receiver)
        for i in range(n):  # sender
            if i == j or x[i] == x[j]:
                continue
            rj = float(r[j])  # the target perceives both sides with its own exponent
            a = pair_expected_utility(x[i], x[j], s[j], float(p[i, j]), rj, mu, delta, options)
            b = pair_expected_utility(x[j], x[i], s[i], float(p[j, i]), rj, mu, delta, options)
            proposed = _proposed(a, i, j, x, s, p, r, mu, delta, options)
            won = None
            if options.conflict == "stochastic" and uniforms is not None:
                won = bool(uniforms[t - 1, i, j] < p[i, j])
            if not proposed:
                res = None
            elif options.resolution == "scholz-code":
                res = _classify_scholz(a, b, x[i], x[j], j, won, options)
            else:
                res = _classify_bdm(a, b, x[i], x[j], i, j, won, options)
            if res is None:
                continue
            kind, mover, new = res
            counts[KINDS.index(kind)] += 1
            if mover >= 0:
                cand = _Candidate(mover, float(new), kind, i, j, float(x[i]), a, b, len(pending))
                cands[mover].append(cand)
            pending.append((i, j, a, b, kind, float(new), mover))
    new_x = x.copy()
    accepted: set[int] = set()
    for k in range(n):
        if cands[k]:
            best = _choose(cands[k], float(x[k]), delta, options)
            new_x[k] = best.new_position
            accepted.add(best.record)
    trace = [
        TraceRecord(t, i, j, a, b, kind, index in accepted, new, mover)
        for index, (i, j, a, b, kind, new, mover) in enumerate(pending)
    ]
    return new_x, r, counts, trace


# --------------------------------------------------------------------------- the run


def simulate_one(
    capability: Array,
    position: Array,
    salience: Array,
    options: EUMOptions,
    uniforms: Array | None = None,
) -> ReferenceRun:
    """Run the EUM on one sample for ``options.rounds`` rounds (rules: module docstring).

    ``uniforms`` (rounds, n, n) U(0,1) draws, required by ``conflict="stochastic"``: in round
    t the sender i wins its conflict with j iff ``uniforms[t-1, i, j] < P_ij``.
    """
    c, x0, s = _check_inputs(capability, position, salience)
    n, rounds = len(x0), options.rounds
    if rounds < 0:
        raise ValueError("options.rounds must be >= 0")
    if options.conflict == "stochastic":
        if uniforms is None:
            raise ValueError('conflict="stochastic" needs uniforms of shape (rounds, n, n)')
        uniforms = np.asarray(uniforms, dtype=np.float64)
        if uniforms.shape != (rounds, n, n):
            raise ValueError(f"uniforms must have shape {(rounds, n, n)}, not {uniforms.shape}")
    delta = position_range(x0)
    tol = options.tol * delta

    positions = np.empty((rounds + 1, n))
    positions[0] = x0
    counts = np.zeros((rounds, 3), dtype=np.int64)
    risk = np.ones((rounds, n))
    trace: list[TraceRecord] = []
    rounds_run, cycled, stopped = 0, False, delta == 0.0
    x = x0.copy()
    for t in range(1, rounds + 1):
        if stopped:
            positions[t] = x
            risk[t - 1] = risk[t - 2] if t >= 2 else 1.0
            continue
        new_x, r, round_counts, records = _one_round(t, c, x, s, delta, options, uniforms)
        positions[t], risk[t - 1], counts[t - 1] = new_x, r, round_counts
        trace.extend(records)
        rounds_run = t
        if _max_abs_diff(new_x, x) <= tol:
            stopped = True
        elif any(_max_abs_diff(new_x, positions[u]) <= tol for u in range(t - 1)):
            cycled = True
            stopped = True
        x = new_x

    median = np.array(
        [median_position(c, row, s, options, delta=delta) for row in positions], dtype=np.float64
    )
    mean = np.array([weighted_mean(c, row, s) for row in positions], dtype=np.float64)
    return ReferenceRun(positions, median, mean, counts, risk, rounds_run, cycled, trace)


def _max_abs_diff(a: Array, b: Array) -> float:
    return max(abs(float(u) - float(v)) for u, v in zip(a, b, strict=True))
