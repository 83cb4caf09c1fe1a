"""Plain reference for the bargaining engine (docs/models/bargaining.md): one sample, loops, scipy.

A test oracle, deliberately built on a different route from the engine. Utilities are summed
issue by issue in Python loops. The frontier is reached through the *level* problem

    F_A(l) = max u_A^eff(z)  s.t.  u_B^eff(z) >= l,  u_v(z) >= d_v,  z in the consent box,

(the box [box_lo_d, box_hi_d] per issue, [0, 1]^D without consent; as variable bounds)

solved as a linear program (linear loss; the absolute values and the credibility minimum are
lifted into hypograph variables, an exact reformulation) or by SLSQP (quadratic loss). Z* is
non-empty iff F_A(d_B) >= d_A; the Nash solution maximises the concave one-dimensional
function alpha ln(F_A(l) - d_A) + (1 - alpha) ln(l - d_B) over l (golden-section search for
linear loss, bounded Brent for quadratic); private information evaluates F_A at every
candidate level. ``scipy_nash`` solves the full
Nash problem directly with SLSQP from several starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog, minimize, minimize_scalar

from summitry.engines.bargaining.problem import BargainingProblem, FloatArray

FEAS_TOL = 1e-9
HIGHS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True)
class Profile:
    """One sample as plain Python numbers."""

    form: str
    a: list[float]
    b: list[float]
    w_a: list[float]
    w_b: list[float]
    z0: list[float]
    tau_a: float
    tau_b: float
    alpha: float
    d_a: float
    d_b: float
    r_ideal: list[list[float]]
    r_weight: list[list[float]]
    d_v: list[float]
    box: list[tuple[float, float]]

    @property
    def n_issues(self) -> int:
        return len(self.a)


@dataclass(frozen=True)
class ReferenceSolution:
    zopa: bool
    z: list[float] | None
    u_a_eff: float
    u_b_eff: float
    surplus_a: float
    surplus_b: float
    log_nash: float


@dataclass(frozen=True)
class ReferencePrivate:
    offer: bool
    level: float
    p_deal: float
    u_a_eff: float
    expected_utility_a: float


def _term(form: str, z: float, x: float, w: float) -> float:
    return -w * (abs(z - x) if form == "linear" else (z - x) ** 2)


def raw_utility(form: str, z: list[float], x: list[float], w: list[float]) -> float:
    total = 1.0
    for d in range(len(z)):
        total += _term(form, z[d], x[d], w[d])
    return total


def effective_utility(
    form: str, z: list[float], x: list[float], w: list[float], z0: list[float], tau: float
) -> float:
    """tau u(z) + (1 - tau) u(z with the other side's concessions undone), issue by issue."""
    undone = []
    for d in range(len(z)):
        improved = _term(form, z[d], x[d], 1.0) > _term(form, z0[d], x[d], 1.0)
        undone.append(z0[d] if improved else z[d])
    return tau * raw_utility(form, z, x, w) + (1.0 - tau) * raw_utility(form, undone, x, w)


def profile(p: BargainingProblem, i: int) -> Profile:
    """Sample i of a batch, with reservations computed by loops."""
    a, b, z0 = p.a[i].tolist(), p.b[i].tolist(), p.z0[i].tolist()
    w_a, w_b = p.w_a[i].tolist(), p.w_b[i].tolist()
    r_ideal, r_weight = p.ratifier_ideal[i].tolist(), p.ratifier_weight[i].tolist()
    la, lb = math.log(float(p.delta_a[i])), math.log(float(p.delta_b[i]))
    d_v = [
        raw_utility(p.form, z0, r_ideal[v], r_weight[v]) + float(p.ratifier_offset[i, v])
        for v in range(len(r_ideal))
    ]
    return Profile(
        form=p.form,
        a=a,
        b=b,
        w_a=w_a,
        w_b=w_b,
        z0=z0,
        tau_a=float(p.tau_a[i]),
        tau_b=float(p.tau_b[i]),
        alpha=lb / (la + lb),
        d_a=raw_utility(p.form, z0, a, w_a) + float(p.o_a[i]),
        d_b=raw_utility(p.form, z0, b, w_b) + float(p.o_b[i]),
        r_ideal=r_ideal,
        r_weight=r_weight,
        d_v=d_v,
        box=list(zip(p.lower[i].tolist(), p.upper[i].tolist(), strict=True)),
    )


def values(pr: Profile, z: list[float]) -> tuple[float, float, list[float]]:
    """(u_A^eff, u_B^eff, [u_v]) at package z."""
    u_a = effective_utility(pr.form, z, pr.a, pr.w_a, pr.z0, pr.tau_a)
    u_b = effective_utility(pr.form, z, pr.b, pr.w_b, pr.z0, pr.tau_b)
    u_v = [raw_utility(pr.form, z, pr.r_ideal[v], pr.r_weight[v]) for v in range(len(pr.d_v))]
    return u_a, u_b, u_v


# --- the level problem -------------------------------------------------------------------


def best_for(pr: Profile, side: int, level: float) -> tuple[float, list[float]] | None:
    """max u_side^eff s.t. the other principal's u^eff >= level and every ratifier; None if
    infeasible. side 0 = A, 1 = B."""
    if pr.form == "linear":
        return _best_linear(pr, side, level)
    return _best_quadratic(pr, side, level)


def _principals(pr: Profile) -> list[tuple[list[float], list[float], float]]:
    return [(pr.a, pr.w_a, pr.tau_a), (pr.b, pr.w_b, pr.tau_b)]


def _best_linear(pr: Profile, side: int, level: float) -> tuple[float, list[float]] | None:
    n = pr.n_issues
    n_rat = len(pr.d_v)
    # variables: z (n) | g_A, e_A, g_B, e_B (n each) | p_v (n per ratifier)
    size = 5 * n + n_rat * n
    rows: list[list[float]] = []
    rhs: list[float] = []

    def row() -> list[float]:
        return [0.0] * size

    consts = []
    for k, (x, w, tau) in enumerate(_principals(pr)):
        g0, e0 = n + 2 * k * n, n + 2 * k * n + n
        const = 1.0
        for d in range(n):
            base = w[d] * abs(pr.z0[d] - x[d])
            const -= base
            r = row()  # g <= base - w (z - x)
            r[g0 + d], r[d] = 1.0, w[d]
            rows.append(r)
            rhs.append(base + w[d] * x[d])
            r = row()  # g <= base + w (z - x)
            r[g0 + d], r[d] = 1.0, -w[d]
            rows.append(r)
            rhs.append(base - w[d] * x[d])
            r = row()  # e <= g
            r[e0 + d], r[g0 + d] = 1.0, -1.0
            rows.append(r)
            rhs.append(0.0)
            r = row()  # e <= tau g
            r[e0 + d], r[g0 + d] = 1.0, -tau
            rows.append(r)
            rhs.append(0.0)
        consts.append(const)
    other = 1 - side
    e_other = n + 2 * other * n + n
    r = row()  # u_other = const + sum e >= level
    for d in range(n):
        r[e_other + d] = -1.0
    rows.append(r)
    rhs.append(consts[other] - level)
    for v in range(n_rat):
        p0 = 5 * n + v * n
        r_sum = row()
        for d in range(n):
            r = row()
            r[d], r[p0 + d] = 1.0, -1.0
            rows.append(r)
            rhs.append(pr.r_ideal[v][d])
            r = row()
            r[d], r[p0 + d] = -1.0, -1.0
            rows.append(r)
            rhs.append(-pr.r_ideal[v][d])
            r_sum[p0 + d] = pr.r_weight[v][d]
        rows.append(r_sum)
        rhs.append(1.0 - pr.d_v[v])
    cost = [0.0] * size
    e_side = n + 2 * side * n + n
    for d in range(n):
        cost[e_side + d] = -1.0
    bounds = [*pr.box] + [(None, None)] * (4 * n) + [(0.0, None)] * (n_rat * n)
    res = linprog(cost, A_ub=rows, b_ub=rhs, bounds=bounds, method="highs", options=HIGHS)
    if res.status != 0:
        return None
    # HiGHS meets bounds to its feasibility tolerance (1e-12 overshoots seen): clip to the box
    z = [float(v) for v in np.clip(res.x[:n], *_box_arrays(pr))]
    u_a, u_b, _ = values(pr, z)
    return (u_a if side == 0 else u_b), z


def _best_quadratic(pr: Profile, side: int, level: float) -> tuple[float, list[float]] | None:
    n = pr.n_issues
    princ = _principals(pr)
    xs = [np.array(x) for x, _, _ in princ]
    ws = [np.array(w) for _, w, _ in princ]
    z0 = np.array(pr.z0)
    n_rat = len(pr.d_v)
    r_ideal, r_weight = np.array(pr.r_ideal).reshape(n_rat, n), np.array(pr.r_weight)

    def util(z: FloatArray, k: int) -> float:
        x, w, tau = princ[k]
        return effective_utility("quadratic", list(z), x, w, pr.z0, tau)

    def gains(z: FloatArray, k: int) -> FloatArray:
        return np.asarray(ws[k] * ((z0 - xs[k]) ** 2 - (z - xs[k]) ** 2))

    # variables: z (n), e_A (n), e_B (n); u_k = 1 - sum w (z0 - x)^2 + sum e_k
    consts = [1.0 - float(ws[k] @ (z0 - xs[k]) ** 2) for k in range(2)]
    other = 1 - side

    def cons_fun(y: FloatArray) -> FloatArray:
        z = y[:n]
        out: list[float] = []
        for k in range(2):
            e = y[n + k * n : 2 * n + k * n]
            g = gains(z, k)
            out += list(g - e) + list(princ[k][2] * g - e)
        out.append(consts[other] + y[n + other * n : 2 * n + other * n].sum() - level)
        for v in range(n_rat):
            out.append(1.0 - float(r_weight[v] @ (z - r_ideal[v]) ** 2) - pr.d_v[v])
        return np.array(out)

    def cons_jac(y: FloatArray) -> FloatArray:
        z = y[:n]
        jac = np.zeros((4 * n + 1 + n_rat, 3 * n))
        for k in range(2):
            slope = -2.0 * ws[k] * (z - xs[k])
            for j, scale in enumerate((1.0, princ[k][2])):
                top = (2 * k + j) * n
                jac[top : top + n, :n] = np.diag(scale * slope)
                jac[top : top + n, n + k * n : 2 * n + k * n] = -np.eye(n)
        jac[4 * n, n + other * n : 2 * n + other * n] = 1.0
        for v in range(n_rat):
            jac[4 * n + 1 + v, :n] = -2.0 * r_weight[v] * (z - r_ideal[v])
        return jac

    gradient = np.zeros(3 * n)
    gradient[n + side * n : 2 * n + side * n] = -1.0

    def objective(y: FloatArray) -> float:
        return -float(y[n + side * n : 2 * n + side * n].sum())

    best: tuple[float, list[float]] | None = None
    for start in _starts(pr, 2):
        g0, g1 = gains(start, 0), gains(start, 1)
        y0 = np.concatenate([start, np.minimum(g0, pr.tau_a * g0), np.minimum(g1, pr.tau_b * g1)])
        res = minimize(
            objective,
            y0,
            jac=lambda y: gradient,
            method="SLSQP",
            constraints=[{"type": "ineq", "fun": cons_fun, "jac": cons_jac}],
            bounds=[*pr.box] + [(None, None)] * (2 * n),
            options={"ftol": 1e-15, "maxiter": 500},
        )
        z = np.clip(res.x[:n], *_box_arrays(pr))
        if cons_fun(np.concatenate([z, res.x[n:]])).min() < -1e-9:
            continue
        if util(z, other) < level - 1e-9:
            continue
        value = util(z, side)
        if best is None or value > best[0]:
            best = (value, [float(v) for v in z])
    return best


def _box_arrays(pr: Profile) -> tuple[FloatArray, FloatArray]:
    return np.array([lo for lo, _ in pr.box]), np.array([hi for _, hi in pr.box])


def _starts(pr: Profile, count: int) -> list[FloatArray]:
    """Starting packages, each inside the consent box."""
    rng = np.random.default_rng(12345)
    a, b, z0 = np.array(pr.a), np.array(pr.b), np.array(pr.z0)
    base = [z0, 0.5 * (a + b), a, b]
    base += [rng.random(pr.n_issues) for _ in range(max(count - len(base), 0))]
    lo, hi = _box_arrays(pr)
    return [np.clip(start, lo, hi) for start in base[:count]]


# --- Nash solution -----------------------------------------------------------------------


def solve_one(p: BargainingProblem, i: int) -> ReferenceSolution:
    """Zone of agreement and asymmetric Nash solution of sample i."""
    pr = profile(p, i)
    nan = float("nan")
    none = ReferenceSolution(False, None, nan, nan, nan, nan, nan)
    at_db = best_for(pr, 0, pr.d_b)
    if at_db is None or at_db[0] < pr.d_a - FEAS_TOL:
        return none
    top = best_for(pr, 1, pr.d_a)
    l_max = pr.d_b if top is None else max(top[0], pr.d_b)

    def minus_nash(level: float) -> float:
        res = best_for(pr, 0, level)
        if res is None or res[0] <= pr.d_a or level <= pr.d_b:
            return 1e6 + (level - pr.d_b) ** 2
        return -(pr.alpha * math.log(res[0] - pr.d_a) + (1 - pr.alpha) * math.log(level - pr.d_b))

    if l_max - pr.d_b <= 1e-12:
        level = pr.d_b
    elif pr.form == "linear":  # kinks: golden section
        level = _golden(minus_nash, pr.d_b, l_max)
    else:  # smooth: Brent
        opt = minimize_scalar(
            minus_nash, bounds=(pr.d_b, l_max), method="bounded", options={"xatol": 1e-13}
        )
        level = float(opt.x)
    res = best_for(pr, 0, level)
    if res is None:
        return none
    z = res[1]
    u_a, u_b, _ = values(pr, z)
    s_a, s_b = u_a - pr.d_a, u_b - pr.d_b
    log_nash = (
        pr.alpha * math.log(s_a) + (1 - pr.alpha) * math.log(s_b) if s_a > 0 and s_b > 0 else nan
    )
    return ReferenceSolution(True, z, u_a, u_b, s_a, s_b, log_nash)


def _golden(f: Callable[[float], float], lo: float, hi: float, tol: float = 1e-12) -> float:
    """Minimiser of a unimodal f on [lo, hi] by golden-section search."""
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    x1, x2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    f1, f2 = f(x1), f(x2)
    while hi - lo > tol:
        if f1 <= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - ratio * (hi - lo)
            f1 = f(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + ratio * (hi - lo)
            f2 = f(x2)
    return x1 if f1 <= f2 else x2


def zopa_one(p: BargainingProblem, i: int) -> bool:
    """Whether Z* of sample i is non-empty (F_A(d_B) >= d_A)."""
    pr = profile(p, i)
    at_db = best_for(pr, 0, pr.d_b)
    return at_db is not None and at_db[0] >= pr.d_a - FEAS_TOL


def scipy_nash(p: BargainingProblem, i: int, starts: int = 4) -> tuple[float, float, float]:
    """(log Nash product, s_A, s_B) of the full problem by SLSQP from several starts (the
    best run); NaNs when no start reaches a feasible point with positive surpluses.

    Variables: z | e_A | e_B (credibility-discounted issue gains) | s_A, s_B | for linear
    loss also t_A, t_B >= |z - x| and q_v >= |z - r_v| (hypograph lifting, exact).
    Maximise alpha ln s_A + (1 - alpha) ln s_B subject to e <= g, e <= tau g (g the issue
    gain over z0), s_X <= u_X(z0) + sum e_X - d_X and every ratifier.
    """
    pr = profile(p, i)
    n, n_rat = pr.n_issues, len(pr.d_v)
    linear = pr.form == "linear"
    xs = [np.array(pr.a), np.array(pr.b)]
    ws = [np.array(pr.w_a), np.array(pr.w_b)]
    taus = [pr.tau_a, pr.tau_b]
    z0 = np.array(pr.z0)
    r_ideal, r_weight = np.array(pr.r_ideal).reshape(n_rat, n), np.array(pr.r_weight)
    res_d = [pr.d_a, pr.d_b]
    consts = [raw_utility(pr.form, pr.z0, pr.a, pr.w_a), raw_utility(pr.form, pr.z0, pr.b, pr.w_b)]
    n_var = 3 * n + 2 + ((2 + n_rat) * n if linear else 0)
    lift = 3 * n + 2  # first lifted variable (linear only)

    def block(k: int) -> slice:  # e_k
        return slice(n + k * n, 2 * n + k * n)

    def t_block(k: int) -> slice:  # t_k (linear), q_v at k = 2 + v
        return slice(lift + k * n, lift + (k + 1) * n)

    def gains(y: FloatArray, k: int) -> tuple[FloatArray, FloatArray, slice]:
        """g_k and its derivative with respect to the variables in the returned slice."""
        if linear:
            return ws[k] * (np.abs(z0 - xs[k]) - y[t_block(k)]), -ws[k], t_block(k)
        z = y[:n]
        g = ws[k] * ((z0 - xs[k]) ** 2 - (z - xs[k]) ** 2)
        return g, -2.0 * ws[k] * (z - xs[k]), slice(0, n)

    def cons_fun(y: FloatArray) -> FloatArray:
        z = y[:n]
        out: list[FloatArray] = []
        for k in range(2):
            g, _, _ = gains(y, k)
            e = y[block(k)]
            out += [
                g - e,
                taus[k] * g - e,
                np.array([consts[k] + e.sum() - res_d[k] - y[3 * n + k]]),
            ]
            if linear:
                out += [y[t_block(k)] - (z - xs[k]), y[t_block(k)] + (z - xs[k])]
        for v in range(n_rat):
            if linear:
                q = y[t_block(2 + v)]
                out += [q - (z - r_ideal[v]), q + (z - r_ideal[v])]
                out.append(np.array([1.0 - float(r_weight[v] @ q) - pr.d_v[v]]))
            else:
                out.append(np.array([1.0 - float(r_weight[v] @ (z - r_ideal[v]) ** 2) - pr.d_v[v]]))
        return np.concatenate(out)

    def cons_jac(y: FloatArray) -> FloatArray:
        z = y[:n]
        rows: list[FloatArray] = []
        eye = np.eye(n)
        for k in range(2):
            _, slope, where = gains(y, k)
            for scale in (1.0, taus[k]):
                r = np.zeros((n, n_var))
                r[:, where] = np.diag(scale * slope)
                r[:, block(k)] = -eye
                rows.append(r)
            r = np.zeros((1, n_var))
            r[0, block(k)] = 1.0
            r[0, 3 * n + k] = -1.0
            rows.append(r)
            if linear:
                for sign in (-1.0, 1.0):
                    r = np.zeros((n, n_var))
                    r[:, t_block(k)] = eye
                    r[:, :n] = sign * eye
                    rows.append(r)
        for v in range(n_rat):
            if linear:
                for sign in (-1.0, 1.0):
                    r = np.zeros((n, n_var))
                    r[:, t_block(2 + v)] = eye
                    r[:, :n] = sign * eye
                    rows.append(r)
                r = np.zeros((1, n_var))
                r[0, t_block(2 + v)] = -r_weight[v]
                rows.append(r)
            else:
                r = np.zeros((1, n_var))
                r[0, :n] = -2.0 * r_weight[v] * (z - r_ideal[v])
                rows.append(r)
        return np.vstack(rows)

    constant = cons_jac(np.zeros(n_var)) if linear else None  # linear constraints

    def jacobian(y: FloatArray) -> FloatArray:
        return constant if constant is not None else cons_jac(y)

    def objective(y: FloatArray) -> float:
        return -(pr.alpha * math.log(y[3 * n]) + (1 - pr.alpha) * math.log(y[3 * n + 1]))

    def gradient(y: FloatArray) -> FloatArray:
        grad = np.zeros(n_var)
        grad[3 * n] = -pr.alpha / y[3 * n]
        grad[3 * n + 1] = -(1 - pr.alpha) / y[3 * n + 1]
        return grad

    bounds = [*pr.box] + [(None, None)] * (2 * n) + [(1e-12, None)] * 2
    if linear:
        bounds += [(0.0, None)] * ((2 + n_rat) * n)
    best = (float("nan"), float("nan"), float("nan"))
    for start in _starts(pr, starts):
        y0 = np.zeros(n_var)
        y0[:n] = start
        if linear:
            for k in range(2):
                y0[t_block(k)] = np.abs(start - xs[k])
            for v in range(n_rat):
                y0[t_block(2 + v)] = np.abs(start - r_ideal[v])
        for k in range(2):
            g, _, _ = gains(y0, k)
            y0[block(k)] = np.minimum(g, taus[k] * g)
            y0[3 * n + k] = max(consts[k] + y0[block(k)].sum() - res_d[k], 1e-3)
        res = minimize(
            objective,
            y0,
            jac=gradient,
            method="SLSQP",
            constraints=[{"type": "ineq", "fun": cons_fun, "jac": jacobian}],
            bounds=bounds,
            options={"ftol": 1e-15, "maxiter": 300},
        )
        y = res.x
        if not np.all(np.isfinite(y)) or cons_fun(y).min() < -1e-9:
            continue
        z = list(np.clip(y[:n], *_box_arrays(pr)))
        u_a, u_b, u_v = values(pr, z)
        s_a, s_b = u_a - pr.d_a, u_b - pr.d_b
        if s_a <= 0 or s_b <= 0 or any(u < dv - 1e-9 for u, dv in zip(u_v, pr.d_v, strict=True)):
            continue
        value = pr.alpha * math.log(s_a) + (1 - pr.alpha) * math.log(s_b)
        if math.isnan(best[0]) or value > best[0]:
            best = (value, s_a, s_b)
    return best


# --- private information -----------------------------------------------------------------


def private_information_one(
    central: BargainingProblem, reservations_b: list[float], reservation_a: float | None = None
) -> ReferencePrivate:
    """A's optimal offer: loop over A's best offer and every sample value of d_B above it.

    A's best offer is B's best package among A's best ones; it gives B exactly ``low`` and A
    its top value, so F_A(low) is read off that package rather than asked of the LP again
    (at that level the LP's feasible set can shrink to a point the solver calls infeasible,
    e.g. when a tiny tau_B leaves B a credible gain of a few 1e-9)."""
    pr = profile(central, 0)
    d_a = pr.d_a if reservation_a is None else reservation_a
    top_a = best_for(pr, 0, -10.0)
    if top_a is None:
        return ReferencePrivate(False, float("nan"), 0.0, float("nan"), d_a)
    generous = best_for(pr, 1, top_a[0] - 1e-11)  # B's best among A's best packages
    u_a, low, _ = values(pr, top_a[1] if generous is None else generous[1])
    ordered = sorted(reservations_b)
    candidates = [(low, u_a)]
    for level in ordered:
        res = best_for(pr, 0, level) if level > low else None
        if res is not None:
            candidates.append((level, res[0]))
    best = (d_a, 0.0, float("nan"), float("nan"))  # (expected, F, level, u_A)
    for level, value in candidates:
        accept = sum(1 for r in ordered if r <= level) / len(ordered)
        expected = accept * value + (1.0 - accept) * d_a
        better = expected > best[0] + 1e-12
        tie = abs(expected - best[0]) <= 1e-12 and accept > best[1]
        if (better or tie) and accept > 0.0:
            best = (expected, accept, level, value)
    if best[1] == 0.0:
        return ReferencePrivate(False, float("nan"), 0.0, float("nan"), d_a)
    return ReferencePrivate(True, best[2], best[1], best[3], best[0])
