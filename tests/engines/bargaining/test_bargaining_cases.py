"""Hand-solved bargaining cases: a swap of concessions, patience, credibility, ratifiers, channel.

The "swap": A cares mostly about issue 0 (wants 1), B about issue 1 (wants 1), the status
quo gives neither; with linear utilities
    u_A = 1 - 0.8 |z_0 - 1| - 0.2 |z_1|,   u_B = 1 - 0.2 |z_0| - 0.8 |z_1 - 1|,
d_A = d_B = 0.2, and the Pareto frontier runs (1, 0) -> (1, 1) -> (0, 1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from summitry.engines.bargaining import BargainingProblem, private_information, solve

SWAP = {"a": [1.0, 0.0], "b": [0.0, 1.0], "w_a": [0.8, 0.2], "w_b": [0.2, 0.8], "z0": [0, 0]}
CONGRESS = {"ratifier_ideal": [[1.0, 0.0]], "ratifier_weight": [[0.5, 0.5]]}


def test_equal_patience_swaps_the_two_concessions() -> None:
    sol = solve(BargainingProblem.build(**SWAP))  # type: ignore[arg-type]
    assert sol.alpha_a[0] == pytest.approx(0.5)
    assert sol.zopa_exists[0] and not sol.degenerate[0]
    np.testing.assert_allclose(sol.z[0], [1.0, 1.0], atol=1e-12)
    assert (sol.surplus_a[0], sol.surplus_b[0]) == pytest.approx((0.6, 0.6))


def test_a_very_patient_a_keeps_part_of_its_concession() -> None:
    # alpha_A = 0.9: the optimum is inside the first segment, z_1 = (0.64 - 0.6 alpha) / 0.16
    delta_b = 0.5
    delta_a = delta_b ** (1 / 9)
    sol = solve(BargainingProblem.build(**SWAP, delta_a=delta_a, delta_b=delta_b))  # type: ignore[arg-type]
    assert sol.alpha_a[0] == pytest.approx(0.9)
    np.testing.assert_allclose(sol.z[0], [1.0, 0.625], atol=1e-12)
    assert (sol.surplus_a[0], sol.surplus_b[0]) == pytest.approx((0.675, 0.3))


def test_distrust_moves_the_deal_toward_the_doubting_side() -> None:
    # tau_B = 0.2: A's concession on issue 1 is worth only 0.16 to B, so A must also give up
    # part of issue 0; the Nash point is z_0 = 1 - 0.475 on the segment (1, 1) -> (0, 1).
    sol = solve(BargainingProblem.build(**SWAP, tau_b=0.2))  # type: ignore[arg-type]
    np.testing.assert_allclose(sol.z[0], [0.525, 1.0], atol=1e-12)
    assert (sol.surplus_a[0], sol.surplus_b[0]) == pytest.approx((0.22, 0.055))
    assert sol.u_b_eff[0] < sol.u_b[0]
    # with no credibility A's concessions are worth nothing to B, so B gains only where A
    # loses; an outside option above A's status quo then leaves no zone
    none = solve(BargainingProblem.build(**SWAP, tau_b=0.0, o_a=0.05))  # type: ignore[arg-type]
    assert not none.zopa_exists[0]
    assert np.isnan(none.z[0]).all() and np.isnan(none.log_nash[0])


@pytest.mark.parametrize(
    ("offset", "zopa", "z", "binding"),
    [
        (-0.1, True, [1.0, 1.0], False),  # d_V = 0.4: the swap passes
        (0.1, True, [1.0, 0.8], True),  # d_V = 0.6: (1 - z_0) + z_1 <= 0.8
        (0.45, False, None, False),  # d_V = 0.95: Congress blocks every deal
    ],
)
def test_congress_binding_or_not(
    offset: float, zopa: bool, z: list[float] | None, binding: bool
) -> None:
    p = BargainingProblem.build(**SWAP, **CONGRESS, ratifier_offset=[offset])  # type: ignore[arg-type]
    sol = solve(p)
    assert sol.zopa_exists[0] == zopa
    assert sol.zopa_without_ratifiers[0]
    assert sol.ratifier_binding[0, 0] == binding
    if z is not None:
        np.testing.assert_allclose(sol.z[0], z, atol=1e-12)
        assert sol.u_ratifiers[0, 0] >= sol.d_ratifiers[0, 0] - 1e-12


@pytest.mark.parametrize(
    ("form", "o_a", "offset", "u_b"),
    [("linear", 0.5, -0.5, 0.25), ("quadratic", 0.25, -0.25, 0.375)],
)
def test_a_ratifier_does_not_override_the_tie_break_toward_b(
    form: str, o_a: float, offset: float, u_b: float
) -> None:
    # A cares only about issue 0 (ideal 0) and its outside option makes d_A = 1, its top: Z* is
    # A's top face {z_0 = 0}, so the zone is degenerate. On issue 1 B wants 1 and the
    # ratifier wants 0 but passes z_1 <= 1/2. A's best point of Z*, ties to B: (0, 1/2).
    p = BargainingProblem.build(
        a=[0, 0],
        b=[1, 1],
        w_a=[1, 0],
        w_b=[0.5, 0.5],
        z0=[0.5, 0],
        o_a=o_a,
        o_b=-0.3,
        ratifier_ideal=[[0, 0]],
        ratifier_weight=[[0, 1]],
        ratifier_offset=[offset],
        form=form,  # type: ignore[arg-type]
    )
    sol = solve(p)
    assert sol.zopa_exists[0] and sol.degenerate[0]
    # quadratic: A's utility is flat at its top, so meeting A's level to round-off pins z_0
    # only to about its square root
    tol = 1e-12 if form == "linear" else 1e-7
    np.testing.assert_allclose(sol.z[0], [0.0, 0.5], atol=tol)
    assert sol.u_a_eff[0] == pytest.approx(1.0, abs=1e-12)
    assert sol.u_b_eff[0] == pytest.approx(u_b, abs=tol)


@pytest.mark.parametrize(
    ("form", "a", "tau_a"),
    [("linear", 0.1, 0.5), ("quadratic", 1.0, 1.0)],
)
def test_a_zone_that_only_touches_costs_b_nothing(form: str, a: float, tau_a: float) -> None:
    # B's ideal is the status quo z0 = 0, so every move costs B: Z* = {0}, where both
    # surpluses are exactly 0. The zone test's tolerance (1e-12) must not become a concession
    # by B: spending it bought A a z of 1e-12 (linear) or 1e-6 (quadratic, A gaining 2e-6).
    p = BargainingProblem.build(
        a=[a],
        b=[0.0],
        w_a=[1.0],
        w_b=[1.0],
        z0=[0.0],
        tau_a=tau_a,
        form=form,  # type: ignore[arg-type]
    )
    sol = solve(p)
    assert sol.zopa_exists[0] and sol.degenerate[0]
    assert sol.z[0, 0] == pytest.approx(0.0, abs=1e-13)
    assert sol.surplus_a[0] >= 0.0 and sol.surplus_b[0] >= 0.0


WALK_ROUND_OFF = {
    "a": [0.5, 0.0],
    "b": [0.0, 0.25],
    "w_a": [0.32, 0.68],
    "w_b": [0.0, 1.0],
    "z0": [0.50390625, 0.25],
    "tau_b": 0.0,
}
"""The frontier walk: A's best package is outside Z* and the Nash product is flat there."""
SEARCH_ROUND_OFF = {
    "a": [0.5, 0.0],
    "b": [0.0, 0.0],
    "w_a": [1.0, 0.0],
    "w_b": [1.0, 0.0],
    "z0": [0.25, 0.0],
    "tau_b": 0.5,
    "ratifier_ideal": [[0.0, 0.25]],
    "ratifier_weight": [[0.0, 1.0]],
    "ratifier_offset": [1 / 16],
}
"""The general search (the ratifier passes z_1 in [1/16, 7/16] only): B's best among A's
best points must not fall below A's best point giving B d_B."""


@pytest.mark.parametrize(
    ("problem", "z"), [(WALK_ROUND_OFF, [0.5, 0.25]), (SEARCH_ROUND_OFF, [0.25, 1 / 16])]
)
def test_gains_below_round_off_do_not_outweigh_b(
    problem: dict[str, object], z: list[float]
) -> None:
    # (found by the campaign) tau_A = 1e-20: A's credible gains are below the round-off of
    # its utility, so A is all but indifferent, while moving issue 0 up (or, in the walk,
    # issue 1 down) costs B a surplus of 1/4. A's best point of Z* is z, both surpluses 0.
    sol = solve(BargainingProblem.build(**problem, tau_a=1e-20))  # type: ignore[arg-type]
    assert sol.zopa_exists[0] and sol.degenerate[0]
    np.testing.assert_allclose(sol.z[0], z, atol=1e-12)
    assert sol.surplus_b[0] >= 0.0 and sol.surplus_a[0] >= -1e-15


def test_two_ratifiers_that_pass_no_common_package_block_the_deal() -> None:
    # (found by the campaign) one ratifier passes only its ideal z = 0 (offset 0), the other
    # only z >= 1/16, so no package passes both. Buying the first one's utility back, every
    # piece was needed and their sum fell short of the need by round-off: the knapsack then
    # bought a single piece and called the constraint met, z = 1/16.
    p = BargainingProblem.build(
        a=[0.25],
        b=[0.18380505380362958],
        w_a=[1.0],
        w_b=[1.0],
        z0=[0.0],
        tau_a=0.0,
        tau_b=0.0,
        ratifier_ideal=[[0.0], [0.875]],
        ratifier_weight=[[1.0], [1.0]],
        ratifier_offset=[0.0, 0.0625],
    )
    sol = solve(p)
    assert sol.zopa_without_ratifiers[0] and not sol.zopa_exists[0]
    assert np.isnan(sol.z[0]).all()


def test_a_summit_can_override_what_the_working_level_cannot_pass() -> None:
    working = solve(BargainingProblem.build(**SWAP, **CONGRESS, ratifier_offset=[0.45]))  # type: ignore[arg-type]
    # the leader drops the ratifier at an override cost of 0.1, carried as A's outside option
    summit = solve(BargainingProblem.build(**SWAP, o_a=0.1))  # type: ignore[arg-type]
    assert not working.zopa_exists[0]
    assert summit.zopa_exists[0]
    np.testing.assert_allclose(summit.z[0], [1.0, 1.0], atol=1e-12)
    assert summit.surplus_a[0] == pytest.approx(0.5)


def test_quadratic_single_issue_matches_the_first_order_condition() -> None:
    # u_A = 1 - z^2, u_B = 1 - (1 - z)^2, d = 0.75 - 0.1; alpha = 0.9
    delta_b = 0.5
    p = BargainingProblem.build(
        a=[0.0],
        b=[1.0],
        w_a=[1.0],
        w_b=[1.0],
        z0=[0.5],
        o_a=-0.1,
        o_b=-0.1,
        delta_a=delta_b ** (1 / 9),
        delta_b=delta_b,
        form="quadratic",
    )
    sol = solve(p)

    def foc(z: float) -> float:
        return 0.9 * (-2 * z) / (0.35 - z * z) + 0.1 * 2 * (1 - z) / (0.35 - (1 - z) ** 2)

    lo, hi = 1 - math.sqrt(0.35) + 1e-12, math.sqrt(0.35) - 1e-12
    z_star = brentq(foc, lo, hi, xtol=1e-15)
    assert sol.z[0, 0] == pytest.approx(z_star, abs=1e-9)


def test_known_reservation_and_the_swap_private_information() -> None:
    central = BargainingProblem.build(**SWAP)  # type: ignore[arg-type]
    # d_B known to be 0.2: A offers the package giving B exactly 0.2 and it is accepted
    known = private_information(central, np.full(50, 0.2))
    assert known.offer and known.p_breakdown == 0.0
    assert known.u_b_eff == pytest.approx(0.2)
    # on segment (1, 0) -> (1, 1), B gets 0.2 at z_1 = 0.25; A keeps 1 - 0.05
    np.testing.assert_allclose(known.z, [1.0, 0.25], atol=1e-12)
    assert known.expected_utility_a == pytest.approx(0.95)
