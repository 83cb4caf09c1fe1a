"""Plain-loop reference of the Spatial Model of Politics: one sample, the test oracle.

A direct transcription of the model in docs/models/smp.md (KTAB's SMP,
github.com/lsyaseen/KTAB at commit 3b5b063, MIT licence) with explicit loops over actors,
pairs and queues, in KTAB's order of operations. Only the innermost sums over voters use
numpy vectors. It shares no arithmetic with the vectorised engine (summitry.engines.smp);
only the options, constants and result type are common.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from summitry.engines.smp.options import (
    BARGAIN_MIN_WEIGHT,
    BIG_R_NOTHING,
    BINARY_VICTORY_FLOOR,
    BINARY_VICTORY_THRESHOLD,
    BINARY_VOTE_SCALE,
    CHALLENGE_MIN_COALITION,
    MARKOV_INCENTIVE_TOL,
    MARKOV_MAX_ITER,
    MARKOV_SELF_SUPPORT,
    MARKOV_UNIFORM_TOL,
    MIN_DELTA_RATIO,
    MIN_SIG_DELTA,
    MIN_SIG_EDU,
    MIN_TURNS,
    PCE_MIN_COALITION,
    POS_TOL,
    SMPOptions,
)
from summitry.engines.smp.result import SMPResult

CYCLE_WINDOW = 4
"""Longest cycle looked for (as the vectorised engine's CYCLE_WINDOW; kept separate so that the
reference shares no code with it)."""

__all__ = ["simulate"]

Array = NDArray[np.float64]


# --- votes, victory, PCE ----------------------------------------------------------------------
def _vote(rule: str, w: Array | float, ua: Array | float, ub: Array | float) -> Array:
    """Vote of weight w for option a over b (elementwise over voters)."""
    du = np.asarray(ua, dtype=float) - np.asarray(ub, dtype=float)
    w = np.asarray(w, dtype=float)
    binary = np.clip(du / BINARY_VOTE_SCALE, -1.0, 1.0)
    if rule == "prop":
        return w * du
    if rule == "binary":
        return w * binary
    if rule == "propbin":
        return w * ((1 - 0.2) * du + 0.2 * binary)
    if rule == "propcbc":
        return w * ((1 - 0.5) * du + 0.5 * (du * du * du))
    if rule == "cubic":
        return w * (du * du * du)
    if rule == "asymprosp":
        out = np.zeros_like(du * w)
        out = np.where(du < 0.0, w * du, out)
        return np.where(du > 0.0, (2.0 * w * du) / 3.0, out)
    raise ValueError(rule)


def _victory(model: str, s1: float, s2: float) -> tuple[float, float]:
    """Probabilities that sides of strengths s1, s2 win against each other."""
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
        if s1 >= BINARY_VICTORY_THRESHOLD * s2:
            x1, x2 = 1.0, BINARY_VICTORY_FLOOR
        elif s2 >= BINARY_VICTORY_THRESHOLD * s1:
            x1, x2 = BINARY_VICTORY_FLOOR, 1.0
        else:
            r12 = s1 / (s1 + s2)
            x1 = (r12 * (BINARY_VICTORY_THRESHOLD + 1.0) - 1.0) / (BINARY_VICTORY_THRESHOLD - 1.0)
            x2 = 1 - x1
    else:
        raise ValueError(model)
    return x1 / (x1 + x2), x2 / (x1 + x2)


def _coalitions(u: Array, w: Array, rule: str) -> Array:
    """C[a,b] = strength for a against b; u is (voters, options). Pairs scanned with a > b."""
    m = u.shape[1]
    c = np.full((m, m), PCE_MIN_COALITION)
    for a in range(m):
        for b in range(a):
            v = _vote(rule, w, u[:, a], u[:, b])
            # voters join in order: ((1e-8 + v_0) + v_1) + ..., via a running sum
            c[a, b] = np.cumsum(np.concatenate(([PCE_MIN_COALITION], np.maximum(v, 0.0))))[-1]
            c[b, a] = np.cumsum(np.concatenate(([PCE_MIN_COALITION], np.maximum(-v, 0.0))))[-1]
    return c


def _victory_matrix(c: Array, model: str) -> Array:
    m = c.shape[0]
    v = np.empty((m, m))
    for a in range(m):
        for b in range(a):
            v[a, b], v[b, a] = _victory(model, c[a, b], c[b, a])
        v[a, a] = 0.5
    return v


def _pce(c: Array, model_v: str, model_p: str) -> Array:
    """Probability that each option prevails, from coalition strengths c."""
    m = c.shape[0]
    v = _victory_matrix(c, model_v)
    if model_p == "conditional":
        p = np.ones(m)
        for a in range(m):
            for b in range(m):
                p[a] *= v[a, b]
        total = 0.0
        for a in range(m):
            total += p[a]
        return p / total
    p = np.full(m, 1.0 / m)
    if model_p == "markov-uniform":
        change, it = 1.0, 0
        while change > MARKOV_UNIFORM_TOL and it < MARKOV_MAX_ITER:
            q = np.zeros(m)
            change = 0.0
            for a in range(m):
                q[a] = sum(v[a, b] * (p[a] + p[b]) for b in range(m)) / m
                change = max(change, abs(q[a] - p[a]))
            p = (p + q) / 2.0
            it += 1
        return p
    if model_p == "markov-incentive":
        inc = np.empty((m, m))
        for a in range(m):
            for b in range(m):
                inc[a, b] = c[a, b] * v[a, b] + (MARKOV_SELF_SUPPORT if a == b else 0.0)
        chal = np.empty((m, m))  # chal[a,b]: probability that a challenges incumbent b
        for b in range(m):
            col = sum(inc[k, b] for k in range(m))
            for a in range(m):
                chal[a, b] = inc[a, b] / col
        change, it = 1.0, 0
        while change > MARKOV_INCENTIVE_TOL and it < MARKOV_MAX_ITER:
            q = np.zeros(m)
            change = 0.0
            for a in range(m):
                q[a] = sum(v[a, b] * (p[a] * chal[b, a] + p[b] * chal[a, b]) for b in range(m))
                change = max(change, abs(q[a] - p[a]))
            p = (p + q) / 2.0
            it += 1
        return p
    raise ValueError(model_p)


def _scalar_pce(u: Array, w: Array, opt: SMPOptions) -> Array:
    return _pce(_coalitions(u, w, opt.voting), opt.victory, opt.pce)


# --- utilities and risk -----------------------------------------------------------------------
def _distance(ideal: Array, pos: Array, sal: Array) -> float:
    num = 0.0
    den = 0.0
    for k in range(len(sal)):
        ds = (ideal[k] - pos[k]) * sal[k]
        num += ds * ds
        den += sal[k] * sal[k]
    return math.sqrt(num / den)


def _util(d: float, r: float) -> float:
    if d <= 1:
        return (1 - d) * (1 + d * r)
    return (1 - d) * (1 + r)


def _risk(p: Array, rule: str) -> Array:
    lo, hi = float(p.min()), float(p.max())
    if hi - lo <= 0.0:
        return np.full(len(p), BIG_R_NOTHING)
    if rule == "min":
        return (p - lo) / (hi - lo)
    if rule == "mid":
        return (3 * p - (hi + 2 * lo)) / (2 * (hi - lo))
    if rule == "max":
        return (2 * p - (hi + lo)) / (hi - lo)
    raise ValueError(rule)


def _perceived(rh: float, ri: float, rule: str) -> float:
    if rule == "full":
        return ri
    if rule == "two-thirds":
        return (rh + (2.0 * ri)) / 3.0
    if rule == "half":
        return (rh + ri) / 2
    if rule == "one-third":
        return ((2.0 * rh) + ri) / 3.0
    if rule == "none":
        return rh
    raise ValueError(rule)


class _State:
    """Everything the model derives from positions and ideals at one turn."""

    def __init__(self, theta: Array, ideal: Array, cap: Array, sal: Array, opt: SMPOptions) -> None:
        n = len(cap)
        self.theta, self.ideal = theta, ideal
        self.d = np.empty((n, n))
        for i in range(n):
            for j in range(n):
                self.d[i, j] = _distance(ideal[i], theta[j], sal[i])
        u0 = np.empty((n, n))
        for i in range(n):
            for j in range(n):
                u0[i, j] = _util(self.d[i, j], 0.0)
        self.r = _risk(_scalar_pce(u0, cap, opt), opt.risk)
        self.uh = np.empty((n, n, n))  # uh[h, i, j]: h's estimate of i's utility for j
        for h in range(n):
            for i in range(n):
                rhi = _perceived(self.r[h], self.r[i], opt.perception)
                for j in range(n):
                    self.uh[h, i, j] = _util(self.d[i, j], rhi)
        # unique positions, in order of first appearance
        self.reps: list[int] = []
        for i in range(n):
            if not any(np.linalg.norm(theta[i] - theta[r]) < POS_TOL for r in self.reps):
                self.reps.append(i)

    def same(self, i: int, j: int) -> bool:
        return bool(np.linalg.norm(self.theta[i] - self.theta[j]) < POS_TOL)

    def report(self, cap: Array, opt: SMPOptions) -> Array:
        """prob[h, i]: as h sees it, the probability that i's position prevails."""
        n = len(cap)
        prob = np.empty((n, n))
        for h in range(n):
            u = self.uh[h][:, self.reps]
            p = _scalar_pce(u, cap, opt)
            for i in range(n):
                k = -1
                for m, r in enumerate(self.reps):
                    if self.same(i, r):
                        k = m  # the last equivalent unique position, as KTAB's posProb
                prob[h, i] = p[k]
        return prob


# --- challenges -------------------------------------------------------------------------------
def _challenge(
    u: Array, k: int, i: int, j: int, cap: Array, tot: Array, opt: SMPOptions
) -> tuple[float, float]:
    """(P_ij, Delta EU_k) of i challenging j, with estimator utilities u = U^h."""
    rule = opt.voting
    n = len(cap)
    con_i = float(_vote(rule, tot[i] * cap[i], u[i, i], u[i, j]))
    con_j = float(_vote(rule, tot[j] * cap[j], u[j, i], u[j, j]))
    cij = CHALLENGE_MIN_COALITION
    cji = CHALLENGE_MIN_COALITION
    if con_i > 0.0:
        cij += con_i
    if con_i < 0.0:
        cji -= con_i
    if con_j > 0.0:
        cij += con_j
    if con_j < 0.0:
        cji -= con_j
    base_ij, base_ji = cij, cji
    for m in range(n):
        if m in (i, j):
            continue
        wm = tot[m] * cap[m]
        umi, umj, umm = u[m, i], u[m, j], u[m, m]
        e = float(_vote(rule, wm, umi, umj))
        cmi = base_ij + e if e > 0 else base_ij
        cmj = base_ji - e if e < 0 else base_ji
        pin = cmi / (cmi + cmj)
        pjn = 1.0 - pin
        if opt.third_party == "semi-commit":
            a_wins, j_wins = umi + umi + umm, umj + umj + umj
            i_wins, b_wins = umi + umi + umi, umj + umj + umm
        elif opt.third_party == "full-commit":
            a_wins, j_wins = umi + umi + umi, umj + umj + umj
            i_wins, b_wins = umi + umi + umi, umj + umj + umj
        else:
            a_wins, j_wins = umi + umi + umm, umj + umj + umm
            i_wins, b_wins = umi + umi + umm, umj + umj + umm
        v = float(_vote(rule, wm, pin * a_wins + pjn * j_wins, pin * i_wins + pjn * b_wins))
        if v > 0:
            cij += v
        if v < 0:
            cji -= v
    pij = cij / (cij + cji)
    pji = cji / (cij + cji)
    sq = u[k, i] + u[k, j]
    vict = u[k, i] + u[k, i]
    lose = u[k, j] + u[k, j]
    contest = pij * vict + pji * lose
    chlg = (1 - tot[j]) * vict + tot[j] * contest
    return pij, chlg - sq


# --- bargains ---------------------------------------------------------------------------------
def _round4(x: float) -> float:
    return float(math.floor(0.5 + x * 10000.0)) / 10000.0


def _interpolate(
    ti: Array, si: Array, pi: float, tj: Array, sj: Array, pj: float, rule: str
) -> tuple[Array, Array]:
    bi, bj = np.empty(len(ti)), np.empty(len(tj))
    for k in range(len(ti)):
        if rule in ("s2p2", "s1p1"):
            e = 2 if rule == "s2p2" else 1
            wi = si[k] ** e * pi**e
            wj = sj[k] ** e * pj**e
            mw = BARGAIN_MIN_WEIGHT
            bi[k] = _round4(((wi + mw) * ti[k] + wj * tj[k]) / (wi + mw + wj))
            bj[k] = _round4((wi * ti[k] + (mw + wj) * tj[k]) / (wi + mw + wj))
        elif rule == "s2pmax":
            di = pj - pi if pj > pi else 0.0
            dj = pi - pj if pi > pj else 0.0
            si2, sj2 = si[k] * si[k], sj[k] * sj[k]
            mw = BARGAIN_MIN_WEIGHT
            dik = (di * sj2) / ((di * sj2) + mw + ((1 - di) * si2))
            djk = (dj * si2) / ((dj * si2) + mw + ((1 - dj) * sj2))
            bi[k] = ti[k] + dik * (tj[k] - ti[k])
            bj[k] = tj[k] + djk * (ti[k] - tj[k])
        else:
            raise ValueError(rule)
    return bi, bj


def _step(
    st: _State,
    cap: Array,
    sal: Array,
    tot: Array,
    acc: Array,
    opt: SMPOptions,
    draws: Array | None,
) -> tuple[Array, Array]:
    """One turn: challenges, bargains, queue resolution, ideal update."""
    n = len(cap)
    theta = st.theta
    # queues[k]: list of (initiator, receiver, position for initiator, position for receiver);
    # the status quo is (k, k, theta_k, theta_k). Built in KTAB's sequential order.
    queues: list[list[tuple[int, int, Array, Array]]] = [[] for _ in range(n)]
    for i in range(n):
        queues[i].append((i, i, theta[i], theta[i]))
        best_j, best_p, best_eu = -1, 0.0, -1.0
        for j in range(n):
            if j == i or st.same(i, j):
                continue
            p, eu = _challenge(st.uh[i], i, i, j, cap, tot, opt)
            if eu > MIN_SIG_EDU and eu > best_eu:
                best_j, best_p, best_eu = j, p, eu
        if best_j < 0:
            continue
        j = best_j
        b_iij = _interpolate(theta[i], sal[i], best_p, theta[j], sal[j], 1 - best_p, opt.bargain)
        if opt.interp == "init-only":
            found = [b_iij]
        else:
            p_j, _ = _challenge(st.uh[j], i, i, j, cap, tot, opt)
            b_jij = _interpolate(theta[i], sal[i], p_j, theta[j], sal[j], 1 - p_j, opt.bargain)
            if opt.interp == "init-rcvr":
                found = [b_iij, b_jij]
            else:
                wi = cap[i] * tot[i]
                wj = cap[j] * tot[j]
                found = [
                    (
                        (wi * b_iij[0] + wj * b_jij[0]) / (wi + wj),
                        (wi * b_iij[1] + wj * b_jij[1]) / (wi + wj),
                    )
                ]
        for bi, bj in found:
            queues[i].append((i, j, bi, bj))
            queues[j].append((i, j, bi, bj))

    new_theta = theta.copy()
    for k in range(n):
        q = queues[k]
        u = np.empty((n, len(q)))
        for a in range(n):
            for m, (bi_, bj_, pos_i, pos_j) in enumerate(q):
                if bi_ == bj_:
                    total = 0.0
                    for x in range(n):
                        total += float(st.uh[a, a, x])
                else:
                    total = _util(_distance(st.ideal[a], pos_i, sal[a]), st.r[a])
                    total += _util(_distance(st.ideal[a], pos_j, sal[a]), st.r[a])
                    for x in range(n):
                        if x not in (bi_, bj_):
                            total += float(st.uh[a, a, x])
                u[a, m] = total / n
        probs = _scalar_pce(u, cap, opt)
        if opt.resolution == "deterministic":
            pick = int(np.argmax(probs))
        else:
            assert draws is not None
            pick = len(q) - 1
            run = 0.0
            for m in range(len(q)):
                run += float(probs[m])
                if draws[k] <= run:
                    pick = m
                    break
        ini, rcv, pos_i, pos_j = q[pick]
        if ini != rcv:
            new_theta[k] = pos_i if ini == k else pos_j

    new_ideal = np.empty_like(st.ideal)
    for i in range(n):
        total = 0.0
        vec = np.zeros(theta.shape[1])
        for j in range(n):
            total += acc[i, j]
            vec = vec + acc[i, j] * new_theta[j]
        lag = 1.0 - min(total, 1.0)
        new_ideal[i] = vec + lag * st.ideal[i]
    return new_theta, new_ideal


def _state_distance(a: Array, b: Array) -> float:
    return float(sum(np.linalg.norm(a[i] - b[i]) for i in range(len(a))))


def simulate(
    capability: Array,
    position: Array,
    salience: Array,
    options: SMPOptions | None = None,
    accommodation: Array | None = None,
    uniforms: Array | None = None,
) -> SMPResult:
    """Run one scenario: capability (n,), position and salience (n, K) on the 0-1 scale.

    ``uniforms`` (max_turns, n) are the draws of the stochastic resolution (actor k's queue
    at step t uses uniforms[t-1, k]). Returns an SMPResult with a batch axis of length 1.
    """
    opt = options or SMPOptions()
    cap = np.asarray(capability, dtype=float)
    theta = np.asarray(position, dtype=float).copy()
    sal = np.asarray(salience, dtype=float)
    n, dims = theta.shape
    tot = np.array([sum(sal[i, k] for k in range(dims)) for i in range(n)])
    acc = np.eye(n) if accommodation is None else np.asarray(accommodation, dtype=float)
    if opt.resolution == "stochastic" and uniforms is None:
        raise ValueError("stochastic resolution needs uniforms of shape (max_turns, n)")
    T = opt.max_turns
    positions = np.empty((1, T + 1, n, dims))
    ideals = np.empty((1, T + 1, n, dims))
    prob = np.empty((1, T + 1, n, n))
    ideal = theta.copy()
    st = _State(theta, ideal, cap, sal, opt)
    positions[0, 0], ideals[0, 0], prob[0, 0] = theta, ideal, st.report(cap, opt)
    history = [theta]
    t = 0
    converged = False
    while True:
        t += 1
        draws = None if uniforms is None else np.asarray(uniforms)[t - 1]
        theta, ideal = _step(st, cap, sal, tot, acc, opt, draws)
        st = _State(theta, ideal, cap, sal, opt)
        positions[0, t], ideals[0, t], prob[0, t] = theta, ideal, st.report(cap, opt)
        history.append(theta)
        first = _state_distance(history[0], history[1]) + MIN_SIG_DELTA
        last = _state_distance(history[t - 1], history[t])
        converged = t >= MIN_TURNS and last / first < MIN_DELTA_RATIO
        if t >= T or converged:
            break
    positions[0, t + 1 :] = positions[0, t]
    ideals[0, t + 1 :] = ideals[0, t]
    prob[0, t + 1 :] = prob[0, t]
    period = 0
    if not converged and opt.resolution == "deterministic":
        period = _first_cycle(positions[0], ideals[0], T)
    return SMPResult(
        positions=positions,
        ideals=ideals,
        prob=prob,
        turns_run=np.array([t], dtype=np.int64),
        converged=np.array([converged]),
        period=np.array([period], dtype=np.int64),
    )


def _first_cycle(positions: Array, ideals: Array, turns: int) -> int:
    """The p of the first step t < ``turns`` whose state (positions and ideals, bit for bit)
    equals the state p <= CYCLE_WINDOW steps earlier, every step of the cycle t - p + 1 .. t
    having been checked by the stopping rule (t - p + 1 >= MIN_TURNS); the smallest such p.
    0 if there is none. The vectorised engine stops such runs at step t."""
    for t in range(1, turns):
        for p in range(1, CYCLE_WINDOW + 1):
            if t - p + 1 < MIN_TURNS:
                break
            same_pos = positions[t].tobytes() == positions[t - p].tobytes()
            if same_pos and ideals[t].tobytes() == ideals[t - p].tobytes():
                return p
    return 0
