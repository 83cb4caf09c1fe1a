"""Spatial Model of Politics (SMP), the multi-dimensional successor of the expected-utility
model, as KTAB computes it (github.com/lsyaseen/KTAB, commit 3b5b063, MIT licence;
docs/models/smp.md), vectorised over a leading axis of B samples.

One turn: risk attitudes from a risk-neutral PCE; every actor picks its most valuable
challenge; each challenge yields a bargain; every actor's queue of bargains is resolved by a
PCE; ideals follow positions through the accommodation matrix. The run stops when a step
moves positions less than 2% of the first step (from step 2 on), or after ``max_turns``; a
deterministic run caught in an exact cycle stops when the cycle is seen, with the state it
would have at ``max_turns`` (docs/models/smp.md, "Runs that reach the turn cap").
Outputs match KTAB's stored runs (positions to the last stored digit, probabilities to
~1e-14); see tests/engines/smp/test_smp_ktab.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from summitry.engines.smp.bargain import make_bargains, resolve_queues
from summitry.engines.smp.challenge import best_challenges, target_view_probability
from summitry.engines.smp.options import (
    MIN_DELTA_RATIO,
    MIN_SIG_DELTA,
    MIN_TURNS,
    POS_TOL,
    SMPOptions,
)
from summitry.engines.smp.pce import scalar_pce
from summitry.engines.smp.report import estimator_probabilities
from summitry.engines.smp.result import SMPResult
from summitry.engines.smp.rules import (
    distances,
    perceived_risk,
    risk_attitude,
    seq_sum,
    utility,
)

__all__ = ["CYCLE_WINDOW", "POS_TOL", "SMPOptions", "SMPResult", "simulate"]

Array = NDArray[np.float64]

CHUNK_ELEMENTS = 1 << 21
"""Upper bound on elements of the (samples, voters, options, options) risk-PCE block."""
REPORT_ELEMENTS = 1 << 22
"""Samples whose reported outcome is computed at once hold at most this many (n^3) numbers."""
CYCLE_WINDOW = 4
"""Longest cycle, in steps, that a deterministic run is checked for after every step."""


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


def _report(st: _Assessment, theta: Array, cap: Array, opt: SMPOptions) -> Array:
    """The reported outcome (B, n, n) (report.estimator_probabilities), a block of
    samples at a time so that its (samples, n, n, n) coalitions stay bounded."""
    b, n = cap.shape
    step = max(1, REPORT_ELEMENTS // (n * n * n))
    if b <= step:
        return estimator_probabilities(st.d, st.r, st.rp, theta, cap, opt)
    out = np.empty((b, n, n))
    for start in range(0, b, step):
        s = slice(start, min(b, start + step))
        out[s] = estimator_probabilities(st.d[s], st.r[s], st.rp[s], theta[s], cap[s], opt)
    return out


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


def _cycle_period(
    ring: tuple[Array, Array], theta: Array, ideal: Array, t: int
) -> NDArray[np.int64]:
    """Per run, the smallest p <= CYCLE_WINDOW such that the state (positions and ideals,
    bit for bit) after step t equals the one after step t - p, where every step of the cycle,
    t - p + 1 .. t, came under the stopping rule (t - p + 1 >= MIN_TURNS); 0 if none.

    ``ring`` holds the states after steps t - CYCLE_WINDOW .. t - 1, step s in slot
    s % CYCLE_WINDOW.
    """
    out = np.zeros(theta.shape[0], dtype=np.int64)
    now_t = theta.reshape(theta.shape[0], -1).view(np.uint64)
    now_q = ideal.reshape(ideal.shape[0], -1).view(np.uint64)
    for p in range(min(CYCLE_WINDOW, t - MIN_TURNS + 1), 0, -1):  # the smallest p wins
        slot = (t - p) % CYCLE_WINDOW
        old_t = ring[0][slot].reshape(now_t.shape).view(np.uint64)
        old_q = ring[1][slot].reshape(now_q.shape).view(np.uint64)
        same = np.all(old_t == now_t, axis=1) & np.all(old_q == now_q, axis=1)
        out[same] = p
    return out


def simulate(
    capability: ArrayLike,
    position: ArrayLike,
    salience: ArrayLike,
    options: SMPOptions | None = None,
    accommodation: ArrayLike | None = None,
    uniforms: ArrayLike | None = None,
    *,
    path: bool = True,
) -> SMPResult:
    """Run B independent SMP scenarios to their stopping turn.

    capability (B, n) > 0; position (B, n, K) in [0, 1]; salience (B, n, K) in [0, 1] with
    each actor's total in (0, 1]; accommodation (n, n), rows summing to at most 1 (None: the
    identity, ideals follow positions); uniforms (B, max_turns, n) in [0, 1], needed only for
    the stochastic resolution: actor k's queue at step t adopts the first bargain whose
    cumulative probability reaches uniforms[b, t-1, k] (so a run is reproducible from a seed).

    A deterministic run whose state (positions and ideals, bit for bit) repeats after p <=
    CYCLE_WINDOW steps without the stopping rule firing within the cycle would repeat it up
    to ``max_turns``: it stops there, its remaining turns are filled in from the cycle (the
    same numbers as running them), and ``period`` records p (docs/models/smp.md, "Runs that
    reach the turn cap"). ``path=False`` keeps only turn 0 and the final state (axis 1 of
    length 2) and computes the reported outcome only for those two: the same numbers as the
    first and last entries with ``path=True``, for less time and memory.
    """
    opt = options or SMPOptions()
    cap, pos, sal, acc, draws = _validate(
        capability, position, salience, opt, accommodation, uniforms
    )
    b, n, dims = pos.shape
    horizon = opt.max_turns
    total = seq_sum(sal)
    weight = total * cap
    kept = horizon + 1 if path else 2
    positions = np.empty((b, kept, n, dims))
    ideals = np.empty((b, kept, n, dims))
    prob = np.empty((b, kept, n, n))
    turns = np.zeros(b, dtype=np.int64)
    converged = np.zeros(b, dtype=bool)
    period = np.zeros(b, dtype=np.int64)
    first = np.zeros(b)
    detect = opt.resolution == "deterministic"

    ids = np.arange(b)
    theta = pos.copy()
    ideal = pos.copy()
    st = _assess(theta, ideal, cap, sal, opt)
    positions[:, 0], ideals[:, 0] = theta, ideal
    prob[:, 0] = _report(st, theta, cap, opt)
    ring = (np.empty((CYCLE_WINDOW, b, n, dims)), np.empty((CYCLE_WINDOW, b, n, dims)))
    ring[0][0], ring[1][0] = theta, ideal
    for t in range(1, horizon + 1):
        c, s, tot, w = cap[ids], sal[ids], total[ids], weight[ids]
        step_draws = None if draws is None else draws[ids, t - 1]
        new_theta, new_ideal = _step(theta, ideal, st, c, s, tot, w, acc, opt, step_draws)
        st = _assess(new_theta, new_ideal, c, s, opt)
        if path:
            positions[ids, t], ideals[ids, t] = new_theta, new_ideal
            prob[ids, t] = _report(st, new_theta, c, opt)
        gap = new_theta - theta
        moved = seq_sum(np.sqrt(seq_sum(gap * gap)))
        if t == 1:
            first[ids] = moved + MIN_SIG_DELTA
        rule = np.zeros(ids.shape, dtype=bool)
        if t >= MIN_TURNS:
            rule = moved / first[ids] < MIN_DELTA_RATIO
        cycle = np.zeros(ids.shape, dtype=np.int64)
        if detect and t < horizon:
            cycle = np.where(rule, 0, _cycle_period(ring, new_theta, new_ideal, t))
        ring[0][t % CYCLE_WINDOW], ring[1][t % CYCLE_WINDOW] = new_theta, new_ideal
        stop = rule | (cycle > 0) | (t >= horizon)
        done = ids[stop]
        converged[ids[rule]] = True
        period[ids[cycle > 0]] = cycle[cycle > 0]
        turns[done] = np.where(rule[stop], t, horizon)
        if path:
            _pad(
                (positions, ideals, prob),
                ids[stop & (cycle == 0)],
                ids[cycle > 0],
                cycle[cycle > 0],
                t,
            )
        else:
            # a cycle of period p caught after step t is, at the cap, where it was after
            # step t - p + ((horizon - t) mod p), which the ring still holds
            back = np.where(cycle > 0, cycle - (horizon - t) % np.maximum(cycle, 1), 0)[stop]
            slot = (t - back) % CYCLE_WINDOW
            rows = np.nonzero(stop)[0]
            positions[done, 1] = ring[0][slot, rows]
            ideals[done, 1] = ring[1][slot, rows]
        if not stop.any():
            theta, ideal = new_theta, new_ideal
            continue
        keep = ~stop
        ids, theta, ideal, st = ids[keep], new_theta[keep], new_ideal[keep], st.take(keep)
        ring = (ring[0][:, keep], ring[1][:, keep])
        if ids.size == 0:
            break
    if not path:
        end = _assess(positions[:, 1], ideals[:, 1], cap, sal, opt)
        prob[:, 1] = _report(end, positions[:, 1], cap, opt)
    return SMPResult(
        positions=positions,
        ideals=ideals,
        prob=prob,
        turns_run=turns,
        converged=converged,
        period=period,
    )


def _pad(
    path: tuple[Array, Array, Array],
    still: NDArray[np.int64],
    cycling: NDArray[np.int64],
    period: NDArray[np.int64],
    t: int,
) -> None:
    """Fill the turns after step t of (positions, ideals, prob): runs ``still`` repeat their
    state after step t, runs ``cycling`` go on repeating their cycle of length ``period``."""
    horizon = path[0].shape[1] - 1
    for arr in path:
        arr[still, t + 1 :] = arr[still, t][:, None]
        for s in range(t + 1, horizon + 1 if cycling.size else 0):
            arr[cycling, s] = arr[cycling, s - period]
