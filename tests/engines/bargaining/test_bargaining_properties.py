"""What the theory guarantees, checked on generated problems (docs/models/bargaining.md).

Z* shrinks when B's outside option rises, B's credibility falls or a ratifier is added; the
Nash solution lies in Z*, is Pareto-optimal there and individually rational; equal patience
gives alpha_A = 1/2 and mirror-image problems mirror-image solutions; the frontier walk and
the general search agree; results do not depend on how samples are batched.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import summitry.engines.bargaining.model as bargaining
from summitry.engines.bargaining import reference as ref
from summitry.engines.bargaining.backend import build_backend
from summitry.engines.bargaining.linear import PiecewiseLinear
from summitry.engines.bargaining.model import (
    BargainingProblem,
    evaluate,
    in_agreement_set,
    solve,
    solve_generic,
)
from summitry.engines.bargaining.search import TOL_ZOPA
from summitry.engines.bargaining.utility import party_reservations, rubinstein_alpha
from summitry.engines.bargaining.walk import walk_nash

from .test_bargaining_strategies import problems

ROUND_OFF = 8 * np.finfo(float).eps
"""Round-off of a utility or surplus, relative to max(1, |d|) (sums of a few terms <= 1)."""
CI = settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def _packages(n_issues: int, seed: int = 0) -> np.ndarray:
    """Test packages: the 3^D grid on {0, 1/2, 1} (D <= 3) plus random points, (G, D)."""
    grid = np.array(list(itertools.product([0.0, 0.5, 1.0], repeat=min(n_issues, 3))))
    if n_issues > 3:
        grid = np.concatenate([grid, np.full((grid.shape[0], n_issues - 3), 0.5)], axis=1)
    rng = np.random.default_rng(seed)
    return np.concatenate([grid, rng.random((40, n_issues))])


def _members(p: BargainingProblem, packages: np.ndarray) -> np.ndarray:
    """(G, B) membership of each package (the same for every sample) in each sample's Z*."""
    return np.array([in_agreement_set(p, np.tile(z, (p.size, 1))) for z in packages])


@given(
    p=problems(max_batch=3),
    rise=st.floats(0.0, 0.3),
    keep=st.floats(0.0, 1.0),
)
@CI
def test_tougher_b_never_enlarges_the_agreement_set(
    p: BargainingProblem, rise: float, keep: float
) -> None:
    packages = _packages(p.n_issues)
    base, sol = _members(p, packages), solve(p)
    assert np.all(sol.zopa_exists[base.any(axis=0)])  # a member proves the zone exists
    for tougher in (
        dataclasses.replace(p, o_b=p.o_b + rise),
        dataclasses.replace(p, tau_b=p.tau_b * keep),
    ):
        inside = _members(tougher, packages)
        assert not np.any(inside & ~base)
        assert not np.any(solve(tougher).zopa_exists & ~sol.zopa_exists)


@given(p=problems(max_batch=3, n_ratifiers=0), data=st.data())
@CI
def test_adding_a_ratifier_never_helps(p: BargainingProblem, data: st.DataObject) -> None:
    free = solve(p)
    ideal = np.array([[data.draw(st.floats(0, 1)) for _ in range(p.n_issues)]])
    weight = np.full((1, p.n_issues), 1.0 / p.n_issues)
    offset = data.draw(st.floats(-0.3, 0.1))
    ratified = dataclasses.replace(
        p,
        ratifier_ideal=np.repeat(ideal[None], p.size, axis=0),
        ratifier_weight=np.repeat(weight[None], p.size, axis=0),
        ratifier_offset=np.full((p.size, 1), offset),
    )
    bound = solve(ratified)
    assert not np.any(bound.zopa_exists & ~free.zopa_exists)
    np.testing.assert_array_equal(bound.zopa_without_ratifiers, free.zopa_exists)
    both = bound.zopa_exists & ~bound.degenerate & ~free.degenerate
    assert np.all(bound.log_nash[both] <= free.log_nash[both] + 1e-12)


def _check_rational_and_pareto(p: BargainingProblem) -> None:
    sol = solve(p)
    d = party_reservations(p)
    ok = sol.zopa_exists
    # Individually rational, ratifiers included: u >= d - TOL_ZOPA, the engine's documented
    # tolerance, plus the round-off of computing u - d from the package (a few ulps of the
    # magnitudes, 1e-16 here). The engine spends none of the tolerance where Z* is truly
    # non-empty (a zone that only touches gives B exactly d_B; see test_bargaining_cases);
    # it reaches -TOL_ZOPA only where the zone exists within the tolerance alone, and there
    # round-off may take it past, as -1.00009e-12 once did. Any real error (a package
    # outside Z*) is far larger than the ulps allowed.
    slack = TOL_ZOPA + ROUND_OFF * np.maximum(1.0, np.abs(d[ok]))
    assert np.all(sol.surplus_a[ok] >= -slack[:, 0])
    assert np.all(sol.surplus_b[ok] >= -slack[:, 1])
    assert np.all(sol.u_ratifiers[ok] >= d[ok, 2:] - slack[:, 2:])
    packages = _packages(p.n_issues, seed=1)
    for i in np.flatnonzero(ok):
        # no test package in Z* is better for both principals
        one = p.take([i])
        zs = np.concatenate([packages, sol.z[i] + 0.01 * (packages - 0.5)])
        zs = np.clip(zs, 0.0, 1.0)
        inside = np.array([in_agreement_set(one, z[None])[0] for z in zs])
        values = evaluate(one.repeat(len(zs)), zs)
        better = (values.u_a_eff > sol.u_a_eff[i] + 1e-9) & (values.u_b_eff > sol.u_b_eff[i] + 1e-9)
        assert not np.any(inside & better)
        # nor any package at all: B's best given A's utility (the reference's linear program;
        # the quadratic reference, SLSQP, is not reliable on the tiny sets this can give)
        if p.form == "linear":
            _check_no_package_dominates(p, int(i), sol.z[i], float(sol.u_b_eff[i]))


def _check_no_package_dominates(p: BargainingProblem, i: int, z: np.ndarray, u_b: float) -> None:
    """B's best package giving A at least what package z gives it (the reference's linear
    program) gives B no more than u_b.

    A witness must really give A as much as z does, compared issue by issue (A's credible
    gains differ between the two packages by sum_d min(h_d, tau_A h_d) terms, which a sum
    with the utility's constant would round away when tau_A is as small as 1e-164). The LP
    meets A's level only to its tolerance (about 1e-10), and where A's gains are tiny next to
    B's (a tau_A of 1e-12, say) that slack alone buys B a lot: where its package falls short
    of z for A, the level is raised by 1e-9, past the slack. If no package then qualifies, z
    is within 1e-9 of A's best, finer than the LP resolves, and there is nothing to check
    (likewise where the LP, to round-off, finds no package giving A what z gives it).
    """
    pr = ref.profile(p, i)
    u_a = ref.values(pr, list(z))[0]
    for rise in (0.0, 1e-9):
        top = ref.best_for(pr, 1, u_a + rise)
        if top is None:  # at u_a, which z itself reaches, only by round-off (a tau_A of 1e-8)
            return
        if _a_gain(p, i, np.array(top[1]), z) >= 0.0:
            assert ref.values(pr, top[1])[1] <= u_b + 1e-8
            return


def _a_gain(p: BargainingProblem, i: int, z: np.ndarray, base: np.ndarray) -> float:
    """u_A^eff(z) - u_A^eff(base) for linear loss, summed issue by issue over the credible
    gains min(h_d, tau_A h_d), h_d = w_d (|z0_d - a_d| - |z_d - a_d|)
    (docs/models/bargaining.md, "Credibility")."""
    a, w, z0, tau = p.a[i], p.w_a[i], p.z0[i], float(p.tau_a[i])

    def credible(x: np.ndarray) -> np.ndarray:
        h = w * (np.abs(z0 - a) - np.abs(x - a))
        return np.asarray(np.minimum(h, tau * h))

    return float(np.sum(credible(z) - credible(base)))


@given(p=problems(max_batch=2))
@CI
def test_solution_is_individually_rational_and_pareto_optimal(p: BargainingProblem) -> None:
    _check_rational_and_pareto(p)


@pytest.mark.campaign
@given(p=problems(max_batch=2))
@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
def test_campaign_individually_rational_and_pareto_optimal(p: BargainingProblem) -> None:
    _check_rational_and_pareto(p)


@given(p=problems(max_batch=2, n_ratifiers=0))
@CI
def test_equal_patience_mirrors_the_solution(p: BargainingProblem) -> None:
    p = dataclasses.replace(p, delta_b=p.delta_a)
    mirror = dataclasses.replace(
        p, a=p.b, b=p.a, w_a=p.w_b, w_b=p.w_a, o_a=p.o_b, o_b=p.o_a, tau_a=p.tau_b, tau_b=p.tau_a
    )
    sol, flip = solve(p), solve(mirror)
    np.testing.assert_array_equal(sol.alpha_a, 0.5)
    np.testing.assert_array_equal(sol.zopa_exists, flip.zopa_exists)
    fine = sol.zopa_exists & ~sol.degenerate
    np.testing.assert_allclose(sol.surplus_a[fine], flip.surplus_b[fine], atol=1e-10)
    np.testing.assert_allclose(sol.surplus_b[fine], flip.surplus_a[fine], atol=1e-10)


def test_alpha_through_the_solver() -> None:
    p = BargainingProblem.build(
        a=[0.0], b=[1.0], w_a=[1.0], w_b=[1.0], z0=[0.0], delta_a=[0.9, 0.5], delta_b=[0.9, 0.9]
    )
    alpha = solve(p).alpha_a
    assert alpha[0] == pytest.approx(0.5)
    assert alpha[1] == pytest.approx(rubinstein_alpha(np.array(0.5), np.array(0.9)))


@given(p=problems(form="linear", max_batch=3))
@CI
def test_frontier_walk_agrees_with_the_general_search(p: BargainingProblem) -> None:
    d = party_reservations(p)[:, :2]  # A and B only: the walk ignores ratifiers
    be = build_backend(dataclasses.replace(p, **_no_ratifiers(p)), d)
    assert isinstance(be, PiecewiseLinear)
    alpha = rubinstein_alpha(p.delta_a, p.delta_b)
    zopa_w, x_w, deg_w, _ = walk_nash(be, alpha)
    zopa_g, x_g, deg_g = solve_generic(be, [], alpha)
    np.testing.assert_array_equal(zopa_w, zopa_g)
    fine = zopa_w & ~deg_w & ~deg_g
    np.testing.assert_allclose(be.utilities(x_w)[fine], be.utilities(x_g)[fine], atol=1e-12)


def _no_ratifiers(p: BargainingProblem) -> dict[str, Any]:
    return {
        "ratifier_ideal": np.zeros((p.size, 0, p.n_issues)),
        "ratifier_weight": np.zeros((p.size, 0, p.n_issues)),
        "ratifier_offset": np.zeros((p.size, 0)),
    }


@given(p=problems(max_batch=5, n_ratifiers=1))
@settings(CI, max_examples=10)
def test_results_do_not_depend_on_the_batching(p: BargainingProblem) -> None:
    whole = solve(p)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(bargaining, "CHUNK", 2)
        chunked = solve(p)
    order = np.arange(p.size)[::-1]
    reordered = solve(p.take(order))
    for field in ("z", "surplus_a", "surplus_b", "u_ratifiers", "zopa_exists", "degenerate"):
        np.testing.assert_array_equal(getattr(chunked, field), getattr(whole, field))
        np.testing.assert_array_equal(getattr(reordered, field), getattr(whole, field)[order])
