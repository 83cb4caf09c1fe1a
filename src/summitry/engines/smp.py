"""Spatial Model of Politics (SMP), the multi-dimensional successor of the expected-utility
model, as KTAB computes it (github.com/lsyaseen/KTAB, commit 3b5b063, MIT licence;
docs/models/smp.md), vectorised over a leading axis of B samples.

One turn: risk attitudes from a risk-neutral PCE; every actor picks its most valuable
challenge; each challenge yields a bargain; every actor's queue of bargains is resolved by a
PCE; ideals follow positions through the accommodation matrix. The run stops when a step
moves positions less than 2% of the first step (from step 2 on), or after ``max_turns``.
Outputs match KTAB's stored runs (positions to the last stored digit, probabilities to
~1e-14); see tests/engines/test_smp_ktab.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from summitry.engines.smp_bargain import make_bargains, resolve_queues
from summitry.engines.smp_challenge import best_challenges, target_view_probability
from summitry.engines.smp_options import (
    MIN_DELTA_RATIO,
    MIN_SIG_DELTA,
    MIN_TURNS,
    POS_TOL,
    SMPOptions,
    SMPResult,
)
from summitry.engines.smp_pce import scalar_pce
from summitry.engines.smp_report import estimator_probabilities
from summitry.engines.smp_rules import (
    distances,
    perceived_risk,
    risk_attitude,
    seq_sum,
    utility,
)

__all__ = ["POS_TOL", "SMPOptions", "SMPResult", "simulate"]

Array = NDArray[np.float64]

CHUNK_ELEMENTS = 1 << 21
"""Upper bound on elements of the (samples, voters, options, options) risk-PCE block."""


@dataclass(frozen=True)
class _Assessment:
    """What the model derives from positions and ideals: d (B,n,n) distance from a's ideal
    to x's position; r (B,n) risk attitudes; rp (B,n,n) R^h_i; own (B,n,n) U^a(a, x)."""

    d: Array
    r: Array
    rp: Array
    own: Array

    def take(self, keep: NDArray[np.bool_]) -> _Assessment:
        return _Assessment(self.d[keep], self.r[keep], self.rp[keep], self.own[keep])


def _assess(theta: Array, ideal: Array, cap: Array, sal: Array, opt: SMPOptions) -> _Assessment:
    b, n, _ = theta.shape
    d = distances(ideal, theta, sal)
    u0 = utility(d, 0.0)  # risk-neutral: 1 - d
    p = np.empty((b, n))
    step = max(1, CHUNK_ELEMENTS // (n * n * n))
    for start in range(0, b, step):
        s = slice(start, min(b, start + step))
        p[s] = scalar_pce(u0[s], cap[s], opt.voting, opt.victory, opt.pce)
    r = risk_attitude(p, opt.risk)
    rp = perceived_risk(r, opt.perception)
    own_r = np.diagonal(rp, axis1=-2, axis2=-1)  # R^a_a
    own = utility(d, own_r[:, :, None])
    return _Assessment(d=d, r=r, rp=rp, own=own)


def _step(
    theta: Array,
    ideal: Array,
    st: _Assessment,
    cap: Array,
    sal: Array,
    total: Array,
    weight: Array,
    acc: Array,
    opt: SMPOptions,
    draws: Array | None,
) -> tuple[Array, Array]:
    ch = best_challenges(st.d, st.rp, theta, weight, total, opt.voting, opt.third_party)
    p_target = None
    if opt.interp != "init-only":
        p_target = target_view_probability(
            st.d, st.rp, ch.target, weight, opt.voting, opt.third_party
        )
    bargains = make_bargains(theta, sal, weight, ch.has, ch.target, ch.prob, p_target, opt)
    new_theta = resolve_queues(theta, ideal, sal, cap, st.r, st.own, bargains, opt, draws)
    kept = np.minimum(acc.sum(axis=1), 1.0)
    new_ideal = np.matmul(acc, new_theta) + (1.0 - kept)[None, :, None] * ideal
    return new_theta, new_ideal


def _validate(
    capability: ArrayLike,
    position: ArrayLike,
    salience: ArrayLike,
    opt: SMPOptions,
    accommodation: ArrayLike | None,
    uniforms: ArrayLike | None,
) -> tuple[Array, Array, Array, Array, Array | None]:
    cap = np.asarray(capability, dtype=float)
    pos = np.asarray(position, dtype=float)
    sal = np.asarray(salience, dtype=float)
    if pos.ndim != 3 or cap.shape != pos.shape[:2] or sal.shape != pos.shape:
        raise ValueError("expected capability (B, n), position and salience (B, n, K)")
    b, n, _ = pos.shape
    if n < 3:
        raise ValueError("the SMP needs at least 3 actors")
    if not (np.all(np.isfinite(cap)) and np.all(cap > 0)):
        raise ValueError("capabilities must be positive and finite")
    if not np.all((pos >= 0) & (pos <= 1)):
        raise ValueError("positions must lie in [0, 1]")
    tot = sal.sum(axis=-1)
    if not (np.all((sal >= 0) & (sal <= 1)) and np.all(tot > 0) and np.all(tot <= 1 + 1e-12)):
        raise ValueError("saliences must lie in [0, 1] with each actor's total in (0, 1]")
    acc = np.eye(n) if accommodation is None else np.asarray(accommodation, dtype=float)
    if acc.shape != (n, n) or not np.all((acc >= 0) & (acc <= 1)):
        raise ValueError("accommodation must be (n, n) with entries in [0, 1]")
    if np.any(acc.sum(axis=1) > 1 + 1e-10):
        raise ValueError("accommodation rows must sum to at most 1")
    draws = None
    if opt.resolution == "stochastic":
        if uniforms is None:
            raise ValueError("stochastic resolution needs uniforms of shape (B, max_turns, n)")
        draws = np.asarray(uniforms, dtype=float)
        if draws.shape != (b, opt.max_turns, n) or not np.all((draws >= 0) & (draws <= 1)):
            raise ValueError("uniforms must have shape (B, max_turns, n) and lie in [0, 1]")
    return cap, pos, sal, acc, draws


def simulate(
    capability: ArrayLike,
    position: ArrayLike,
    salience: ArrayLike,
    options: SMPOptions | None = None,
    accommodation: ArrayLike | None = None,
    uniforms: ArrayLike | None = None,
) -> SMPResult:
    """Run B independent SMP scenarios to their stopping turn.

    capability (B, n) > 0; position (B, n, K) in [0, 1]; salience (B, n, K) in [0, 1] with
    each actor's total in (0, 1]; accommodation (n, n), rows summing to at most 1 (None: the
    identity, ideals follow positions); uniforms (B, max_turns, n) in [0, 1], needed only for
    the stochastic resolution: actor k's queue at step t adopts the first bargain whose
    cumulative probability reaches uniforms[b, t-1, k] (so a run is reproducible from a seed).
    """
    opt = options or SMPOptions()
    cap, pos, sal, acc, draws = _validate(
        capability, position, salience, opt, accommodation, uniforms
    )
    b, n, dims = pos.shape
    horizon = opt.max_turns
    total = seq_sum(sal)
    weight = total * cap
    positions = np.empty((b, horizon + 1, n, dims))
    ideals = np.empty((b, horizon + 1, n, dims))
    prob = np.empty((b, horizon + 1, n, n))
    turns = np.zeros(b, dtype=np.int64)
    first = np.zeros(b)

    ids = np.arange(b)
    theta = pos.copy()
    ideal = pos.copy()
    st = _assess(theta, ideal, cap, sal, opt)
    positions[:, 0], ideals[:, 0] = theta, ideal
    prob[:, 0] = estimator_probabilities(st.d, st.r, st.rp, theta, cap, opt)
    for t in range(1, horizon + 1):
        c, s, tot, w = cap[ids], sal[ids], total[ids], weight[ids]
        step_draws = None if draws is None else draws[ids, t - 1]
        new_theta, new_ideal = _step(theta, ideal, st, c, s, tot, w, acc, opt, step_draws)
        st = _assess(new_theta, new_ideal, c, s, opt)
        positions[ids, t], ideals[ids, t] = new_theta, new_ideal
        prob[ids, t] = estimator_probabilities(st.d, st.r, st.rp, new_theta, c, opt)
        gap = new_theta - theta
        moved = seq_sum(np.sqrt(seq_sum(gap * gap)))
        if t == 1:
            first[ids] = moved + MIN_SIG_DELTA
        stop = np.full(ids.shape, t >= horizon)
        if t >= MIN_TURNS:
            stop |= moved / first[ids] < MIN_DELTA_RATIO
        done = ids[stop]
        turns[done] = t
        positions[done, t + 1 :] = positions[done, t][:, None]
        ideals[done, t + 1 :] = ideals[done, t][:, None]
        prob[done, t + 1 :] = prob[done, t][:, None]
        keep = ~stop
        ids, theta, ideal, st = ids[keep], new_theta[keep], new_ideal[keep], st.take(keep)
        if ids.size == 0:
            break
    return SMPResult(positions=positions, ideals=ideals, prob=prob, turns_run=turns)
