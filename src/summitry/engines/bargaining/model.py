"""Bilateral bargaining engine: Nash, Rubinstein, two-level game, private information.

docs/models/bargaining.md, batched over samples. Two principals, A and B, bargain over a
package z in [0, 1]^D. With u_X the linear (default) or quadratic loss utility,
d_X = u_X(z0) + o_X the reservation, u^eff the credibility-discounted utility (see
``utility``) and ratifiers v needing u_v(z) >= d_v = u_v(z0) + o_v (Putnam 1988), the
agreement set is

    Z* = { z in B : u_A^eff(z) >= d_A, u_B^eff(z) >= d_B, u_v(z) >= d_v for every v },

B the box of deal values the issues' consenters accept (docs/models/bargaining.md,
"Issue-specific consent"; [0,1]^D without consent), and the predicted deal is the
asymmetric Nash (1950) solution on Z*,

    z* = argmax_{z in Z*}  alpha_A ln(u_A^eff - d_A) + (1 - alpha_A) ln(u_B^eff - d_B),
    alpha_A = ln(delta_B) / (ln(delta_A) + ln(delta_B))      (Rubinstein 1982; BRW 1986).

The solver is exact and vectorised over samples: for linear utilities a walk along the Pareto
frontier's segments (``walk``) and, where a ratifier binds, a chord search on the
Pareto boundary with one Lagrange-multiplier search per ratifier (``search``) over a
piecewise-linear representation (``linear``); for quadratic utilities the same
searches over the contract curve's closed form (``quadratic``). Private
information (Fearon 1995) is in ``private``.

Channel (summit vs working level) is nothing but the inputs: pass the leader's profile as A
and only the ratifiers he cannot override for a summit (an override cost c can be added to
A's outside option, which shifts d_A by c); pass the bureaucracy's profile and every
ratifier for a working-level process.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from summitry.engines.bargaining.backend import build_backend
from summitry.engines.bargaining.linear import PiecewiseLinear
from summitry.engines.bargaining.private import PrivateInformation, private_information
from summitry.engines.bargaining.problem import BargainingProblem, BoolArray, FloatArray, Form
from summitry.engines.bargaining.search import (
    TOL_ZOPA,
    Backend,
    ends,
    level_search,
    nash_search,
    zopa_search,
)
from summitry.engines.bargaining.utility import (
    effective_utility,
    party_reservations,
    rubinstein_alpha,
    utility,
)
from summitry.engines.bargaining.walk import walk_nash

__all__ = [
    "BargainingProblem",
    "Form",
    "NashSolution",
    "PackageValues",
    "PrivateInformation",
    "evaluate",
    "in_agreement_set",
    "private_information",
    "rubinstein_alpha",
    "solve",
]

CHUNK = 2048
"""Samples solved together; small enough to stay in cache, results do not depend on it."""


@dataclass(frozen=True)
class PackageValues:
    """Utilities of packages z (B, D): raw and effective for A and B (B,), ratifiers (B, V)."""

    u_a: FloatArray
    u_b: FloatArray
    u_a_eff: FloatArray
    u_b_eff: FloatArray
    u_ratifiers: FloatArray


@dataclass(frozen=True)
class NashSolution:
    """The complete-information solution of every sample.

    ``zopa_exists``: Z* is non-empty; ``zopa_without_ratifiers``: the principals alone have a
    zone (a deal the ratifiers block has the second but not the first); ``degenerate``: Z* has
    no point with both surpluses > 0 (z is then A's best point of Z*, ties to B: the limit of
    the Nash solution). Where Z* is empty, z,
    utilities, surpluses and ``log_nash`` are NaN. ``log_nash`` is alpha ln s_A + (1-alpha) ln s_B.
    """

    alpha_a: FloatArray
    d_a: FloatArray
    d_b: FloatArray
    d_ratifiers: FloatArray
    zopa_exists: BoolArray
    zopa_without_ratifiers: BoolArray
    degenerate: BoolArray
    z: FloatArray
    u_a: FloatArray
    u_b: FloatArray
    u_a_eff: FloatArray
    u_b_eff: FloatArray
    surplus_a: FloatArray
    surplus_b: FloatArray
    u_ratifiers: FloatArray
    ratifier_binding: BoolArray
    log_nash: FloatArray


def evaluate(problem: BargainingProblem, z: FloatArray) -> PackageValues:
    """Every party's utility of the packages z (B, D)."""
    p = problem
    z = np.asarray(z, dtype=float)
    return PackageValues(
        u_a=utility(z, p.a, p.w_a, p.form),
        u_b=utility(z, p.b, p.w_b, p.form),
        u_a_eff=effective_utility(z, p.a, p.w_a, p.z0, p.tau_a, p.form),
        u_b_eff=effective_utility(z, p.b, p.w_b, p.z0, p.tau_b, p.form),
        u_ratifiers=utility(z[:, None, :], p.ratifier_ideal, p.ratifier_weight, p.form),
    )


def in_agreement_set(problem: BargainingProblem, z: FloatArray, tol: float = 0.0) -> BoolArray:
    """Whether each package z (B, D) lies in Z* (every surplus >= -tol, every issue within
    the consent box widened by tol)."""
    d = party_reservations(problem)
    values = evaluate(problem, z)
    ok = (values.u_a_eff >= d[:, 0] - tol) & (values.u_b_eff >= d[:, 1] - tol)
    inside = ((z >= problem.lower - tol) & (z <= problem.upper + tol)).all(axis=1)
    return np.asarray(ok & inside & (values.u_ratifiers >= d[:, 2:] - tol).all(axis=1))


def solve(problem: BargainingProblem) -> NashSolution:
    """Zone of agreement and asymmetric Nash solution of every sample (exact, vectorised)."""
    p = problem
    size, n_issues = p.size, p.n_issues
    alpha = rubinstein_alpha(p.delta_a, p.delta_b)
    d = party_reservations(p)
    z = np.full((size, n_issues), np.nan)
    zopa = np.zeros(size, dtype=bool)
    zopa0 = np.zeros(size, dtype=bool)
    degenerate = np.zeros(size, dtype=bool)
    for start in range(0, size, CHUNK):
        rows = slice(start, min(start + CHUNK, size))
        with np.errstate(over="ignore", under="ignore", divide="ignore"):  # extreme weights
            z[rows], zopa[rows], zopa0[rows], degenerate[rows] = _solve_chunk(
                p, rows, d[rows], alpha[rows]
            )
    z[~zopa] = np.nan
    values = evaluate(p, z)
    s_a, s_b = values.u_a_eff - d[:, 0], values.u_b_eff - d[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_nash = alpha * np.log(s_a) + (1.0 - alpha) * np.log(s_b)
    binding = zopa[:, None] & (np.abs(values.u_ratifiers - d[:, 2:]) <= 1e-9)
    return NashSolution(
        alpha_a=alpha,
        d_a=d[:, 0],
        d_b=d[:, 1],
        d_ratifiers=d[:, 2:],
        zopa_exists=zopa,
        zopa_without_ratifiers=zopa0,
        degenerate=zopa & (degenerate | ~((s_a > TOL_ZOPA) & (s_b > TOL_ZOPA))),
        z=z,
        u_a=values.u_a,
        u_b=values.u_b,
        u_a_eff=values.u_a_eff,
        u_b_eff=values.u_b_eff,
        surplus_a=s_a,
        surplus_b=s_b,
        u_ratifiers=values.u_ratifiers,
        ratifier_binding=binding,
        log_nash=log_nash,
    )


def _solve_chunk(
    p: BargainingProblem, rows: slice, d: FloatArray, alpha: FloatArray
) -> tuple[FloatArray, BoolArray, BoolArray, BoolArray]:
    """(z, zopa, zopa without ratifiers, degenerate) for the samples ``rows``."""
    be = build_backend(p, d, rows)
    normal: FloatArray | None = None
    if isinstance(be, PiecewiseLinear):
        zopa0, x, degenerate, normal = walk_nash(be, alpha)
    else:
        zopa0, x, degenerate = solve_generic(be, [], alpha)
    zopa = zopa0.copy()
    n_parties = be.n_parties
    if n_parties > 2:
        u = be.utilities(x)
        blocked = np.flatnonzero(zopa0 & (u[:, 2:] < be.d[:, 2:]).any(axis=1))
        if blocked.size:
            cons = list(range(2, n_parties))
            first = None
            if normal is not None:  # warm start: the direction of the unratified solution
                first = np.where(normal[blocked, 0] > 0.0, normal[blocked, 1], np.nan)
            zopa[blocked], x[blocked], degenerate[blocked] = solve_generic(
                be.take(blocked), cons, alpha[blocked], first
            )
    return be.package(x), zopa, zopa0, degenerate


def solve_generic(
    be: Backend, cons: list[int], alpha: FloatArray, first: FloatArray | None = None
) -> tuple[BoolArray, FloatArray, BoolArray]:
    """(zopa, point, degenerate) by the searches of ``search``; ``first`` (B,) is an
    optional warm-start direction t for the Nash search (weights (1 - t, t) on U_A, U_B)."""
    xa, ua, xb, ub, feasible = ends(be, cons)
    zopa = np.zeros(be.size, dtype=bool)
    ok = np.flatnonzero(feasible)
    if ok.size:
        zopa[ok] = zopa_search(be.take(ok), cons, ua[ok], ub[ok])
    x = xa.copy()
    degenerate = np.zeros(be.size, dtype=bool)
    idx = np.flatnonzero(zopa)
    if idx.size:
        sub = be.take(idx)
        warm = None if first is None else first[idx]
        xs, us = nash_search(sub, cons, alpha[idx], xa[idx], ua[idx], xb[idx], ub[idx], warm)
        flat = ~((us[:, :2] - sub.d[:, :2]) > TOL_ZOPA).all(axis=1)
        if flat.any():  # A's best point of Z*, then B's best among A's best points
            j = np.flatnonzero(flat)
            at = idx[j]
            xs[j] = _degenerate_point(sub.take(j), cons, (xa[at], ua[at], xb[at], ub[at]))
        x[idx] = xs
        degenerate[idx] = flat
    return zopa, x, degenerate


def _degenerate_point(
    be: Backend, cons: list[int], ends_j: tuple[FloatArray, FloatArray, FloatArray, FloatArray]
) -> FloatArray:
    """A's best point of a degenerate Z*, ties to B (the limit of the Nash solution).

    B is held to d_B (or to B's best, if that is lower by at most the tolerance): the
    tolerance decides whether a zone exists, it is not a concession B makes, so a touching
    zone gives B exactly its reservation. Only where that leaves A below d_A - tol (a zone
    within the tolerance only) is B held to d_B - tol instead. The second search (B's best
    among A's best points) may only raise B's utility: where A's gains are below round-off
    (a tau_A of 1e-20, say) it can mistake a point far worse for B for one of A's best."""
    d_a, d_b = be.d[:, 0], be.d[:, 1]
    x, u, _ = level_search(be, cons, d_b, *ends_j)
    short = np.flatnonzero(u[:, 0] < d_a - TOL_ZOPA)
    if short.size:
        xa, ua, xb, ub = (e[short] for e in ends_j)
        x[short], u[short], _ = level_search(
            be.take(short), cons, d_b[short] - TOL_ZOPA, xa, ua, xb, ub
        )
    x_b, u_b, _ = level_search(be, cons, u[:, 0], *ends_j, party=0)
    return np.where((u_b[:, 1] >= u[:, 1])[:, None], x_b, x)
