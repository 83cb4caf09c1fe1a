"""Exact searches on the bargaining set, batched over samples.

docs/models/bargaining.md, "The solver".

Everything here talks to a *backend* (piecewise-linear or piecewise-quadratic) through a few
operations: ``argmax`` of a weighted sum of the parties' utilities over the box (objectives
applied lexicographically), the parties' ``utilities`` of a point and ``take`` of a
sub-batch. Points are arrays (fills or packages) whose convex combinations stay in the box.

Ratifiers (Putnam 1988) enter as constraints U_v >= d_v. ``support`` maximises a weighted sum
subject to them. One ratifier on a piecewise-linear backend is a continuous knapsack, solved
by one sort (``argmax_subject_to``). Otherwise one Lagrange multiplier per ratifier is
searched in turn: for t in [0, 1] the objective is (1 - t) c + t e_v, the maximiser's U_v
grows with t, and t is located by the chord rule of Eisner & Severance (1976): intersect the
supporting lines of the two bracketing maximisers, query there, stop when the query gains
nothing over the chord. With piecewise-linear utilities each query either stops or finds a
new vertex, so the search is exact and finite; the answer is the combination of the two
bracketing maximisers that meets U_v = d_v.

The same rule walks the Pareto boundary of the utility set P = {(U_A, U_B)} between A's and
B's best feasible packages: for the asymmetric Nash solution (Nash 1950), for the package
giving B a set level (private information, Fearon 1995), and for the existence of a zone of
agreement (min over directions omega >= 0 of max_P omega . s >= 0, s = U - d: the
separating-hyperplane test of P against the positive quadrant). Smooth (quadratic) backends
replace the chord step by the Illinois variant of regula falsi on the same bracket.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Protocol, Self

import numpy as np

from summitry.engines.bargaining.problem import BoolArray, FloatArray

TOL_GAIN = 1e-13
"""A query that gains no more than this over the chord means the bracket is adjacent."""
TOL_ZOPA = 1e-12
"""Surpluses >= -TOL_ZOPA count as individually rational (touching counts as a zone)."""
TOL_ROOT = 1e-15
"""Smooth backends: a value this close to zero is the root."""
TOL_T = 1e-14
"""Smooth backends: a bracket in t narrower than this is converged."""
MAX_ITER = 200
"""Safety cap on chord steps (piecewise-linear problems stop after a few)."""

IntArray = np.ndarray


class Backend(Protocol):
    """What the searches need of a representation of the problem."""

    @property
    def d(self) -> FloatArray: ...  # (B, P) reservations: d_A, d_B, then each d_v

    @property
    def size(self) -> int: ...

    @property
    def n_parties(self) -> int: ...

    def take(self, idx: IntArray) -> Backend: ...

    @property
    def knapsack(self) -> bool: ...  # whether argmax_subject_to is available

    @property
    def exact(self) -> bool: ...  # piecewise-linear: chord searches terminate exactly

    def argmax(self, stack: Sequence[FloatArray]) -> FloatArray: ...

    def argmax_subject_to(
        self, stack: Sequence[FloatArray], party: int
    ) -> tuple[FloatArray, BoolArray]: ...

    def utilities(self, x: FloatArray) -> FloatArray: ...


class Rows:
    """Mix-in for a frozen dataclass backend whose fields are arrays with samples on axis 0
    and whose reservations ``d`` are (B, P): ``size`` B, ``n_parties`` P and ``take``."""

    d: FloatArray

    @property
    def size(self) -> int:
        return int(self.d.shape[0])

    @property
    def n_parties(self) -> int:
        return int(self.d.shape[1])

    def take(self, idx: IntArray) -> Self:
        """The same backend for the samples ``idx`` (every field indexed on axis 0)."""
        return type(self)(*(getattr(self, f.name)[idx] for f in fields(self)))  # type: ignore[arg-type]


def unit(size: int, n_parties: int, party: int) -> FloatArray:
    """Weights putting everything on one party, (size, n_parties)."""
    weights = np.zeros((size, n_parties))
    weights[:, party] = 1.0
    return weights


def support(
    be: Backend, stack: Sequence[FloatArray], cons: Sequence[int]
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Maximise ``stack`` (lexicographic (B, P) weights) subject to U_v >= d_v for v in cons.

    Returns the maximiser, its utilities (B, P) and whether the constraints can be met.
    Ratifier v is handled on top of the others (``rest``). Where the lexicographic optimum
    without v violates it, either some maximiser of the first objective c meets it (v's
    multiplier on c is zero: the later objectives are then maximised over c's maximisers
    subject to U_v >= d_v, by a multiplier search on the second objective) or none does (the
    multiplier on c is searched). Ratifier utility never overrides a caller's tie-break.
    """
    if not cons:
        x = be.argmax(stack)
        return x, be.utilities(x), np.ones(be.size, dtype=bool)
    if len(cons) == 1 and be.knapsack:
        x, feasible = be.argmax_subject_to(stack, cons[0])
        return x, be.utilities(x), feasible
    v, rest = cons[-1], cons[:-1]
    c, tail = stack[0], list(stack[1:])
    x, u, feasible = support(be, stack, rest)
    need = feasible & (u[:, v] < be.d[:, v])
    if not need.any():
        return x, u, feasible
    idx = np.flatnonzero(need)
    sub = be.take(idx)
    c_s, tail_s = c[idx], [t[idx] for t in tail]
    g_s = unit(idx.size, be.n_parties, v)
    xf, uf, _ = support(sub, [c_s, g_s, *tail_s], rest)  # the most for v among c's maximisers
    on_face = uf[:, v] >= sub.d[:, v]
    if on_face.any():
        jj = np.flatnonzero(on_face)
        at = idx[jj]
        if tail:  # the next objective, over c's maximisers, subject to U_v >= d_v
            head, w0, after = [c_s[jj]], tail_s[0][jj], [t[jj] for t in tail_s[1:]]
            x[at], u[at] = _multiplier_chord(
                sub.take(jj), head, w0, after, v, rest, x[at], u[at], xf[jj], uf[jj]
            )
        else:
            x[at], u[at] = xf[jj], uf[jj]
    kk = np.flatnonzero(~on_face)
    if kk.size:
        at = idx[kk]
        off = sub.take(kk)
        c_k, tail_k = c_s[kk], [t[kk] for t in tail_s]
        x1, u1, f1 = support(off, [g_s[kk], c_k, *tail_k], rest)
        ok = f1 & (u1[:, v] >= off.d[:, v] - TOL_ZOPA)
        feasible[at] = ok
        if ok.any():
            jj = np.flatnonzero(ok)
            x[at[jj]], u[at[jj]] = _multiplier_chord(
                off.take(jj),
                [],
                c_k[jj],
                [t[jj] for t in tail_k],
                v,
                rest,
                xf[kk[jj]],
                uf[kk[jj]],
                x1[jj],
                u1[jj],
            )
    return x, u, feasible


def _multiplier_chord(
    be: Backend,
    head: Sequence[FloatArray],
    c: FloatArray,
    tail: Sequence[FloatArray],
    v: int,
    rest: Sequence[int],
    lo: FloatArray,
    ulo: FloatArray,
    hi: FloatArray,
    uhi: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Locate ratifier v's multiplier on objective c (after the fixed objectives ``head``,
    before the tie-breaks c, ``tail``) between lo (U_v < d_v, t = 0) and hi (U_v >= d_v,
    t = 1), and return the combination of the bracketing maximisers that meets U_v = d_v."""
    d_v = be.d[:, v]

    def shortfall(ia: IntArray, u: FloatArray, t: FloatArray) -> FloatArray:
        return np.asarray(u[:, v] - d_v[ia])

    g = unit(be.size, be.n_parties, v)
    lo, ulo, hi, uhi = bracket(be, rest, c, g, [c, *tail], lo, ulo, hi, uhi, shortfall, head=head)
    e_lo, e_hi = ulo[:, v] - d_v, uhi[:, v] - d_v
    span = e_hi - e_lo
    theta = np.clip(-e_lo / np.where(span > 0.0, span, 1.0), 0.0, 1.0)
    theta = np.where(span > 0.0, theta, 1.0)
    x = lo + theta[:, None] * (hi - lo)
    return x, be.utilities(x)


Value = Callable[[IntArray, FloatArray, FloatArray], FloatArray]


def bracket(
    be: Backend,
    cons: Sequence[int],
    w0: FloatArray,
    w1: FloatArray,
    tail: Sequence[FloatArray],
    lo: FloatArray,
    ulo: FloatArray,
    hi: FloatArray,
    uhi: FloatArray,
    value: Value,
    first: FloatArray | None = None,
    head: Sequence[FloatArray] = (),
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Narrow [lo, hi] on the path t -> x(t) = argmax ((1 - t) w0 + t w1) . U (after the
    fixed objectives ``head``, then ``tail``) subject to ``cons``, to where
    ``value(index, U, t)`` (increasing in t) crosses zero.

    lo and hi are the maximisers at t = 0 and t = 1 with value(lo) < 0 <= value(hi).
    Piecewise-linear backends use the chord rule: t where the supporting lines of lo and hi
    meet; the search stops when the maximiser there gains nothing over them, so lo and hi are
    adjacent vertices (exact, finite). Smooth backends use the Illinois variant of regula
    falsi on value(t) until |value| <= TOL_ROOT or the t-bracket is below TOL_T.
    ``first`` (B,) optionally gives a t to query before anything else (NaN: none).
    """
    lo, ulo, hi, uhi = lo.copy(), ulo.copy(), hi.copy(), uhi.copy()
    size = be.size
    every = np.arange(size)
    t_lo, t_hi = np.zeros(size), np.ones(size)
    f_lo, f_hi = value(every, ulo, t_lo), value(every, uhi, t_hi)
    last = np.zeros(size, dtype=np.int8)  # Illinois memory: side kept at the last step
    exact = be.exact
    active = np.ones(size, dtype=bool)

    def query(ia: IntArray, t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        w = (1.0 - t)[:, None] * w0[ia] + t[:, None] * w1[ia]
        stack = [*(s[ia] for s in head), w, *(s[ia] for s in tail)]
        xm, um, _ = support(be.take(ia), stack, cons)
        return xm, um, w

    def update(ia: IntArray, t: FloatArray, xm: FloatArray, um: FloatArray) -> None:
        fm = value(ia, um, t)
        left = fm < 0.0
        il, ih = ia[left], ia[~left]
        lo[il], ulo[il], t_lo[il] = xm[left], um[left], t[left]
        hi[ih], uhi[ih], t_hi[ih] = xm[~left], um[~left], t[~left]
        if not exact:  # Illinois: halve the stale end's value when a side repeats
            f_lo[il], f_hi[ih] = fm[left], fm[~left]
            f_hi[il[last[il] == -1]] *= 0.5
            f_lo[ih[last[ih] == 1]] *= 0.5
            last[il], last[ih] = -1, 1
            root = np.abs(fm) <= TOL_ROOT  # on the root: both ends there
            ir = ia[root]
            lo[ir], ulo[ir], hi[ir], uhi[ir] = xm[root], um[root], xm[root], um[root]
            active[ir] = False

    if first is not None:
        ia = np.flatnonzero(np.isfinite(first) & (first > 0.0) & (first < 1.0))
        if ia.size:
            xm, um, _ = query(ia, first[ia])
            update(ia, first[ia], xm, um)
    for _ in range(MAX_ITER):
        ia = np.flatnonzero(active)
        if ia.size == 0:
            break
        if exact:
            du = uhi[ia] - ulo[ia]
            a0 = np.einsum("bp,bp->b", w0[ia], du)
            slope = np.einsum("bp,bp->b", w1[ia] - w0[ia], du)
            ok = (slope > 0.0) & (a0 <= 0.0)
            t = np.clip(-a0 / np.where(ok, slope, 1.0), 0.0, 1.0)
        else:
            width = t_hi[ia] - t_lo[ia]
            span = f_hi[ia] - f_lo[ia]
            ok = (width > TOL_T) & (span > 0.0)
            t = t_lo[ia] - f_lo[ia] * width / np.where(ok, span, 1.0)
            inside = (t > t_lo[ia]) & (t < t_hi[ia])
            t = np.where(inside, t, 0.5 * (t_lo[ia] + t_hi[ia]))
        active[ia[~ok]] = False
        ia, t = ia[ok], t[ok]
        if ia.size == 0:
            break
        xm, um, w = query(ia, t)
        if exact:
            gain = np.einsum("bp,bp->b", w, um - ulo[ia])
            adjacent = gain <= TOL_GAIN
            active[ia[adjacent]] = False
            ia, t, xm, um = ia[~adjacent], t[~adjacent], xm[~adjacent], um[~adjacent]
        update(ia, t, xm, um)
    return lo, ulo, hi, uhi


def ends(
    be: Backend, cons: Sequence[int]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
    """A's best feasible package (ties to B) and B's best (ties to A), and feasibility."""
    e_a, e_b = unit(be.size, be.n_parties, 0), unit(be.size, be.n_parties, 1)
    xa, ua, feasible = support(be, [e_a, e_b], cons)
    xb, ub, _ = support(be, [e_b, e_a], cons)
    return xa, ua, xb, ub, feasible


def zopa_search(be: Backend, cons: Sequence[int], ua: FloatArray, ub: FloatArray) -> BoolArray:
    """Whether P meets {s_A >= -tol, s_B >= -tol}, given A's and B's best points ua, ub."""
    d = be.d[:, :2]
    s_lo, s_hi = ua[:, :2] - d, ub[:, :2] - d
    no = (s_lo[:, 0] < -TOL_ZOPA) | (s_hi[:, 1] < -TOL_ZOPA)
    yes = ~no & ((s_lo[:, 1] >= -TOL_ZOPA) | (s_hi[:, 0] >= -TOL_ZOPA))
    result = yes.copy()
    active = ~no & ~yes
    n_parties = be.n_parties
    for _ in range(MAX_ITER):
        ia = np.flatnonzero(active)
        if ia.size == 0:
            break
        lo, hi = s_lo[ia], s_hi[ia]
        w_a, w_b = hi[:, 1] - lo[:, 1], lo[:, 0] - hi[:, 0]
        total = w_a + w_b
        omega = np.zeros((ia.size, n_parties))
        omega[:, 0], omega[:, 1] = w_a / total, w_b / total
        chord = omega[:, 0] * lo[:, 0] + omega[:, 1] * lo[:, 1]
        _, um, _ = support(be.take(ia), [omega], cons)
        sm = um[:, :2] - d[ia]
        value = omega[:, 0] * sm[:, 0] + omega[:, 1] * sm[:, 1]
        inside = (sm >= -TOL_ZOPA).all(axis=1)
        found = (chord >= -TOL_ZOPA) | inside
        result[ia[found]] = True
        done = found | (value < -TOL_ZOPA) | (value <= chord + TOL_GAIN)
        falling = sm[:, 1] < sm[:, 0]
        s_lo[ia[~done & falling]] = sm[~done & falling]
        s_hi[ia[~done & ~falling]] = sm[~done & ~falling]
        active[ia[done]] = False
    return result


def nash_search(
    be: Backend,
    cons: Sequence[int],
    alpha: FloatArray,
    xa: FloatArray,
    ua: FloatArray,
    xb: FloatArray,
    ub: FloatArray,
    first: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """argmax over P of alpha ln s_A + (1 - alpha) ln s_B, between A's and B's best points.

    Along the boundary, with omega = (1 - t, t) the direction that finds a point, the product
    still rises toward B iff (1 - alpha) s_A (1 - t) > alpha s_B t; the search brackets the
    sign change, then takes the closed-form optimum on the final edge. ``first`` (B,) is an
    optional warm-start t.
    """
    d = be.d[:, :2]
    e_a, e_b = unit(be.size, be.n_parties, 0), unit(be.size, be.n_parties, 1)

    def falling(ia: IntArray, u: FloatArray, t: FloatArray) -> FloatArray:
        s = u[:, :2] - d[ia]
        return np.asarray(alpha[ia] * s[:, 1] * t - (1.0 - alpha[ia]) * s[:, 0] * (1.0 - t))

    lo, ulo, hi, uhi = bracket(be, cons, e_a, e_b, [], xa, ua, xb, ub, falling, first)
    s_a, s_b = ulo[:, 0] - d[:, 0], ulo[:, 1] - d[:, 1]
    step_a, step_b = uhi[:, 0] - ulo[:, 0], uhi[:, 1] - ulo[:, 1]
    trade = (step_a < 0.0) & (step_b > 0.0) & (step_a * step_b < 0.0)
    prod = np.where(trade, step_a * step_b, -1.0)
    best = -(alpha * step_a * s_b + (1.0 - alpha) * step_b * s_a) / prod
    theta = np.where(trade, np.clip(best, 0.0, 1.0), np.where(step_b > 0.0, 1.0, 0.0))
    x = lo + theta[:, None] * (hi - lo)
    return x, be.utilities(x)


def level_search(
    be: Backend,
    cons: Sequence[int],
    level: FloatArray,
    xa: FloatArray,
    ua: FloatArray,
    xb: FloatArray,
    ub: FloatArray,
    party: int = 1,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """The other principal's best package giving ``party`` (1 = B, 0 = A) at least ``level``
    of effective utility, and whether any package does. For B: A's best offer guaranteeing B
    the level (private information); for A: B's best package among those leaving A the level.
    """
    if party == 1:
        feasible = ub[:, 1] >= level - TOL_ZOPA
        x, u = xa.copy(), ua.copy()
        run = np.flatnonzero(feasible & (ua[:, 1] < level))
    else:
        feasible = ua[:, 0] >= level - TOL_ZOPA
        x, u = xb.copy(), ub.copy()
        run = np.flatnonzero(feasible & (ub[:, 0] < level))
    if run.size:
        target = level[run]
        sign = 1.0 if party == 1 else -1.0  # the bracket wants a value rising toward B

        def excess(ia: IntArray, u: FloatArray, t: FloatArray) -> FloatArray:
            return np.asarray(sign * (u[:, party] - target[ia]))

        sub = be.take(run)
        e_a, e_b = unit(run.size, be.n_parties, 0), unit(run.size, be.n_parties, 1)
        lo, ulo, hi, uhi = bracket(
            sub, cons, e_a, e_b, [], xa[run], ua[run], xb[run], ub[run], excess
        )
        span = uhi[:, party] - ulo[:, party]
        theta = np.clip((target - ulo[:, party]) / np.where(span != 0.0, span, 1.0), 0.0, 1.0)
        theta = np.where(span != 0.0, theta, 1.0 if party == 1 else 0.0)
        xs = lo + theta[:, None] * (hi - lo)
        x[run], u[run] = xs, sub.utilities(xs)
    return x, u, feasible


def pareto_vertices(
    be: Backend, cons: Sequence[int], xa: FloatArray, ua: FloatArray, xb: FloatArray, ub: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Every vertex of the Pareto boundary of P for ONE sample (exact for piecewise-linear
    utilities), ordered from A's end to B's end: points (K, ...) and utilities (K, P)."""
    points, utils = [xa[0]], [ua[0]]
    pending = [(xa, ua, xb, ub)]
    found: list[tuple[FloatArray, FloatArray]] = [(xb[0], ub[0])]
    while pending:
        lo, ulo, hi, uhi = pending.pop()
        w_a, w_b = uhi[0, 1] - ulo[0, 1], ulo[0, 0] - uhi[0, 0]
        if w_a <= 0.0 or w_b <= 0.0:
            continue
        omega = np.zeros((1, be.n_parties))
        omega[0, 0], omega[0, 1] = w_a / (w_a + w_b), w_b / (w_a + w_b)
        xm, um, _ = support(be, [omega], cons)
        if float(omega[0, :2] @ (um[0, :2] - ulo[0, :2])) <= TOL_GAIN:
            continue
        found.append((xm[0], um[0]))
        pending += [(lo, ulo, xm, um), (xm, um, hi, uhi)]
    found.sort(key=lambda item: (item[1][1], -item[1][0]))
    for point, util in found:
        if util[1] <= utils[-1][1] and util[0] <= utils[-1][0]:
            continue  # dominated (or repeated)
        while utils and util[0] >= utils[-1][0]:  # earlier ones are dominated
            points.pop()
            utils.pop()
        points.append(point)
        utils.append(util)
    return np.array(points), np.array(utils)
