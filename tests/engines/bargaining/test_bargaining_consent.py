"""Issue-specific consent in the bargaining engine: the consent box bounds the deal terms
(docs/models/bargaining.md, "Issue-specific consent").

Hand-solved two-issue cases, then properties over generated problems.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summitry.engines.bargaining import (
    BargainingProblem,
    in_agreement_set,
    private_information,
    solve,
)
from summitry.engines.bargaining import reference as ref

from .test_bargaining_strategies import problems

CI = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _swap(box_hi_2: float = 1.0, o_b: float = 0.0, size: int = 1) -> BargainingProblem:
    """The two-issue swap of the cases below, with issue 2 capped at ``box_hi_2``."""
    return BargainingProblem.build(
        a=[1.0, 0.0],
        b=[0.0, 1.0],
        w_a=[0.75, 0.25],
        w_b=[0.25, 0.75],
        z0=[0.0, 0.0],
        o_b=o_b,
        delta_a=0.9,
        delta_b=0.9,
        box_lo=[0.0, 0.0],
        box_hi=[1.0, box_hi_2],
        size=size,
    )


def test_a_consenter_moves_the_terms_to_the_edge_of_its_interval() -> None:
    """Two principals, linear utilities, tau = 1, o = 0, equal patience (alpha = 1/2).

    A's ideal (1, 0), B's (0, 1), z0 = (0, 0), weights w_A = (3/4, 1/4), w_B = (1/4, 3/4):
    s_A = 3/4 z1 - 1/4 z2 and s_B = -1/4 z1 + 3/4 z2 on [0, 1]^2. Without consent the Nash
    product s_A s_B is largest at (1, 1) (s = (1/2, 1/2); lowering z1 by t gives
    (1/2 - 3t/4)(1/2 + t/4), whose slope at 0 is -1/4 < 0).

    A consenter on issue 2 with ideal p = 0 = q_2 and tolerance 0.4 accepts |x - 0| <= 0 +
    0.4: issue 2 is capped at 0.4. From A's best (1, 0) the frontier first raises z2 to 0.4
    (B gains 3 per unit A loses): (s_A, s_B) = (0.65, 0.05); then lowers z1 by t (B gains
    1/3 per unit A loses): s_A = 0.65 - 0.75 t, s_B = 0.05 + 0.25 t. The product's slope
    0.125 - 0.375 t vanishes at t = 1/3: terms (2/3, 0.4), at the edge of the interval on
    issue 2, and A pays on issue 1; s = (0.4, 0.4/3).
    """
    free = solve(_swap())
    assert free.zopa_exists[0]
    np.testing.assert_allclose(free.z[0], [1.0, 1.0], atol=1e-12)
    capped = solve(_swap(box_hi_2=0.4))
    assert capped.zopa_exists[0] and not capped.degenerate[0]
    np.testing.assert_allclose(capped.z[0], [2.0 / 3.0, 0.4], atol=1e-12)
    assert capped.surplus_a[0] == pytest.approx(0.4, abs=1e-12)
    assert capped.surplus_b[0] == pytest.approx(0.4 / 3.0, abs=1e-12)
    r = ref.solve_one(_swap(box_hi_2=0.4), 0)  # the loop oracle, z bounded by the box
    assert r.zopa and r.z is not None
    np.testing.assert_allclose(r.z, [2.0 / 3.0, 0.4], atol=1e-6)


def test_a_consenter_can_kill_the_zone() -> None:
    """The same swap with B's outside option o_B = 0.1 (d_B = 0.35): s_B = -1/4 z1 + 3/4 z2
    - 0.1. Without consent (1, 1) gives s = (0.5, 0.4): a zone. With issue 2 capped at 0.1
    (tolerance 0.1), B's best package (0, 0.1) gives s_B = 0.075 - 0.1 < 0: the box holds
    no package B accepts, so there is no zone and no deal, though the principals alone
    would agree (the consenter, not a ratifier, blocks it)."""
    assert solve(_swap(o_b=0.1)).zopa_exists[0]
    blocked = solve(_swap(box_hi_2=0.1, o_b=0.1))
    assert not blocked.zopa_exists[0]
    assert np.isnan(blocked.z[0]).all()
    assert not ref.zopa_one(_swap(box_hi_2=0.1, o_b=0.1), 0)


def test_private_information_offers_only_inside_the_box() -> None:
    """A's offer against a known d_B (o_B = 0, so d_B = u_B(z0) = 1/4): A's best package that
    leaves B no worse off. Without consent A buys B's consent on issue 2 (3 for B per unit A
    gives): z = (1, 1/3), s_B = 0. With issue 2 capped at 0.2, z2 = 0.2 leaves s_B = -0.1
    at z1 = 1, and A pays the rest on issue 1 (1/3 per unit): z1 = 1 - 0.1 / 0.25 = 0.6, so
    the offer is (0.6, 0.2), accepted for sure. With the zone killed (o_B = 0.1, cap 0.1) A
    has no acceptable offer: P(deal) = 0."""
    free = _swap()
    offer = private_information(free, solve(free).d_b)
    assert offer.offer and offer.p_deal == 1.0
    np.testing.assert_allclose(offer.z, [1.0, 1.0 / 3.0], atol=1e-12)
    central = _swap(box_hi_2=0.2)
    offer = private_information(central, solve(central).d_b)
    assert offer.offer and offer.p_deal == 1.0
    np.testing.assert_allclose(offer.z, [0.6, 0.2], atol=1e-12)
    blocked = _swap(box_hi_2=0.1, o_b=0.1)
    none = private_information(blocked, solve(blocked).d_b)
    assert not none.offer and none.p_deal == 0.0
    assert not ref.private_information_one(blocked, list(solve(blocked).d_b)).offer


@given(p=problems(max_batch=3, consent=True))
@CI
def test_terms_always_lie_inside_the_consent_box(p: BargainingProblem) -> None:
    sol = solve(p)
    ok = sol.zopa_exists
    assert (sol.z[ok] >= p.lower[ok]).all() and (sol.z[ok] <= p.upper[ok]).all()
    assert in_agreement_set(p.take(np.flatnonzero(ok)), sol.z[ok], tol=1e-9).all()


@given(p=problems(max_batch=3, consent=True), issue=st.integers(0, 3))
@CI
def test_a_frozen_issue_stays_at_the_no_deal_point(p: BargainingProblem, issue: int) -> None:
    """A box of width 0 on an issue (a consenter at z0 with tolerance 0) leaves the issue at
    z0 in every deal."""
    d = issue % p.n_issues
    lo, hi = p.lower.copy(), p.upper.copy()
    lo[:, d] = hi[:, d] = p.z0[:, d]
    frozen = solve(BargainingProblem.build(**{**_arrays(p), "box_lo": lo, "box_hi": hi}))
    ok = frozen.zopa_exists
    assert (frozen.z[ok, d] == p.z0[ok, d]).all()


@given(p=problems(max_batch=3))
@CI
def test_the_whole_unit_box_is_no_consent_bit_for_bit(p: BargainingProblem) -> None:
    """A problem built without a box and one with box [0, 1] explicitly give the same
    numbers to the last bit (the engine without consent is the engine as it was)."""
    explicit = BargainingProblem.build(
        **{**_arrays(p), "box_lo": np.zeros_like(p.z0), "box_hi": np.ones_like(p.z0)}
    )
    a, b = solve(p), solve(explicit)
    for name in ("z", "surplus_a", "surplus_b", "log_nash"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.zopa_exists, b.zopa_exists)


@given(p=problems(max_batch=3, consent=True))
@CI
def test_narrowing_the_box_never_creates_a_zone(p: BargainingProblem) -> None:
    """Z* only shrinks with the box: the same problem without consent has a zone wherever
    the one with consent has."""
    wide = solve(BargainingProblem.build(**_arrays(p)))
    narrow = solve(p)
    assert not (narrow.zopa_exists & ~wide.zopa_exists).any()


def test_a_box_that_excludes_the_no_deal_point_is_refused() -> None:
    with pytest.raises(ValueError, match="box_lo must not exceed z0"):
        BargainingProblem.build(a=[1.0], b=[0.0], w_a=[1.0], w_b=[1.0], z0=[0.5], box_lo=[0.6])
    with pytest.raises(ValueError, match="box_hi must lie in"):
        BargainingProblem.build(a=[1.0], b=[0.0], w_a=[1.0], w_b=[1.0], z0=[0.5], box_hi=[1.5])


def _arrays(p: BargainingProblem) -> dict[str, object]:
    """The inputs of ``p`` without its consent box, for BargainingProblem.build."""
    names = ["a", "b", "w_a", "w_b", "z0", "o_a", "o_b", "tau_a", "tau_b", "delta_a"]
    names += ["delta_b", "ratifier_ideal", "ratifier_weight", "ratifier_offset", "form"]
    return {name: getattr(p, name) for name in names}


def test_the_reference_package_stays_inside_the_box():
    """Found by hypothesis: HiGHS put issue 3 at 0.25 + 1.4e-12 against a box edge of
    0.25; the oracle now clips its LP's package to the box, as its other solvers do."""
    a = np.array
    p = BargainingProblem(
        a=a([[0.625, 0, 0]]), b=a([[0.75, 0, 0.25]]), w_a=a([[1.0, 0, 0]]),
        w_b=a([[0.5, 0, 0.5]]), z0=a([[0, 0, 0.25]]), o_a=a([0.0]), o_b=a([0.0]),
        tau_a=a([0.5]), tau_b=a([1.0]), delta_a=a([0.5]), delta_b=a([0.5]),
        ratifier_ideal=np.zeros((1, 0, 3)), ratifier_weight=np.zeros((1, 0, 3)),
        ratifier_offset=np.zeros((1, 0)), form="linear",
        box_lo=a([[0, 0, 0.1875]]), box_hi=a([[1.0, 0, 0.25]]),
    )  # fmt: skip
    r = ref.solve_one(p, 0)
    assert r.zopa and r.z is not None
    assert all(lo <= z <= hi for z, lo, hi in zip(r.z, p.box_lo[0], p.box_hi[0], strict=True))
    assert bool(in_agreement_set(p, np.array([r.z]))[0])
