"""Private information about B's reservation (Fearon 1995; docs/models/bargaining.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from summitry.engines.bargaining import BargainingProblem, evaluate, private_information, solve
from summitry.engines.bargaining import reference as ref

from .test_bargaining_strategies import problems

CI = settings(
    max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
CAMPAIGN = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))


def _spread(p: BargainingProblem, data: st.DataObject) -> list[float]:
    """Sampled reservations of B around the central one, with repeats."""
    centre = float(solve(p).d_b[0])
    count = data.draw(st.integers(1, 12))
    # exact ties with d_B, or clear gaps: the reference's LP works to 1e-10
    offset = st.one_of(st.just(0.0), st.floats(-0.3, -1e-6), st.floats(1e-6, 0.3))
    draws = [centre + data.draw(offset) for _ in range(count)]
    return draws + draws[: data.draw(st.integers(0, 2))]


def _check_against_reference(p: BargainingProblem, data: st.DataObject, tol: float) -> None:
    sample = _spread(p, data)
    got = private_information(p, sample)
    want = ref.private_information_one(p, sample)
    assert got.expected_utility_a == pytest.approx(want.expected_utility_a, abs=tol)
    if abs(got.expected_utility_a - got.d_a) > 1e-9:  # A is not indifferent to walking away
        assert got.offer == want.offer
    if got.offer and want.offer and got.p_deal == pytest.approx(want.p_deal):
        # (different p_deal: A's expected value ties between two levels; both are optimal)
        assert got.u_a_eff == pytest.approx(want.u_a_eff, abs=tol)
    if got.offer:
        assert got.p_breakdown == pytest.approx(1.0 - got.p_deal)
        assert got.p_deal == pytest.approx(np.mean(np.array(sample) <= got.level))
        assert got.u_b_eff >= got.level - 1e-9
        assert got.u_a_eff * got.p_deal + got.d_a * got.p_breakdown == pytest.approx(
            got.expected_utility_a
        )
        values = evaluate(p, got.z[None])
        assert np.all(values.u_ratifiers >= solve(p).d_ratifiers - 1e-9)


@given(p=problems(form="linear", max_issues=3), data=st.data())
@CI
def test_linear_offer_agrees_with_the_reference(p: BargainingProblem, data: st.DataObject) -> None:
    _check_against_reference(p, data, tol=1e-7)


@given(p=problems(form="quadratic", max_issues=2, n_ratifiers=0), data=st.data())
@settings(CI, max_examples=5)
def test_quadratic_offer_agrees_with_the_reference(
    p: BargainingProblem, data: st.DataObject
) -> None:
    _check_against_reference(p, data, tol=1e-4)  # SLSQP inside the reference (see oracles)


@given(p=problems(max_issues=3))
@CI
def test_known_reservation_means_no_breakdown_whenever_a_zone_exists(p: BargainingProblem) -> None:
    sol = solve(p)
    pr = ref.profile(p, 0)
    at_db, at_da = ref.best_for(pr, 0, pr.d_b), ref.best_for(pr, 1, pr.d_a)
    margins = [-1.0 if r is None else r[0] - d for r, d in ((at_db, pr.d_a), (at_da, pr.d_b))]
    assume(all(abs(m) > 1e-7 for m in margins))  # clear-cut cases
    known = private_information(p, np.full(20, sol.d_b[0]))
    if sol.zopa_exists[0]:
        assert known.offer and known.p_breakdown == 0.0
        assert known.u_b_eff >= sol.d_b[0] - 1e-9
        assert known.u_a_eff >= sol.d_a[0] - 1e-9
    else:
        assert known.p_deal == 0.0 and known.p_breakdown == 1.0


@given(p=problems(form="linear", max_issues=3), data=st.data(), shift=st.floats(0.0, 0.3))
@CI
def test_a_tougher_b_never_raises_as_expected_value(
    p: BargainingProblem, data: st.DataObject, shift: float
) -> None:
    sample = np.array(_spread(p, data))
    easy = private_information(p, sample)
    hard = private_information(p, sample + shift)
    assert hard.expected_utility_a <= easy.expected_utility_a + 1e-12
    assert easy.expected_utility_a >= easy.d_a - 1e-12  # A can always walk away


@pytest.mark.parametrize("o_a", [0.0, 0.5])
def test_the_offer_trades_acceptance_against_terms(o_a: float) -> None:
    # the swap of test_bargaining_cases: d_B uniform on four values; B gains 0.8 per unit of
    # z_1 and A loses 0.2, so meeting level l costs A l/4 from 1 (for l <= 0.8). With a
    # valuable outside option (o_A = 0.5, d_A = 0.7) A stops short of the toughest type.
    central = BargainingProblem.build(
        a=[1.0, 0.0], b=[0.0, 1.0], w_a=[0.8, 0.2], w_b=[0.2, 0.8], z0=[0, 0], o_a=o_a
    )
    d_a = 0.2 + o_a
    sample = [0.1, 0.3, 0.5, 0.75]
    got = private_information(central, sample)
    by_hand = {
        level: (k + 1) / 4 * (1 - level / 4) + (1 - (k + 1) / 4) * d_a
        for k, level in enumerate(sample)
    }
    best = max(by_hand, key=lambda level: by_hand[level])
    assert best == (0.75 if o_a == 0.0 else 0.5)
    assert got.level == pytest.approx(best)
    assert got.expected_utility_a == pytest.approx(by_hand[best])
    assert got.p_deal == pytest.approx(sample.index(best) / 4 + 0.25)
    np.testing.assert_allclose(got.z, [1.0, best / 0.8], atol=1e-12)
    np.testing.assert_allclose(got.expected[1:], [by_hand[s] for s in sample])


def test_an_indifferent_a_still_makes_the_offer() -> None:
    # binary-exact numbers: giving B 0.375 leaves A exactly its reservation 0.875
    central = BargainingProblem.build(
        a=[1.0, 0.0], b=[0.0, 1.0], w_a=[0.75, 0.25], w_b=[0.25, 0.75], z0=[0, 0], o_a=0.625
    )
    got = private_information(central, [0.375] * 3)
    assert got.offer and got.p_breakdown == 0.0
    assert got.expected_utility_a == got.d_a == 0.875
    np.testing.assert_allclose(got.z, [1.0, 0.5], atol=1e-15)


def test_a_ratifier_met_exactly_does_not_cost_a_its_best_offer() -> None:
    # (found by the campaign) A gains 1/2 on issue 0 (z0 = 1 -> 0), believed with tau_A = 1/2,
    # and wants z_1 = 0; the ratifier (ideal z_1 = 1/4) passes z_1 in [0, 1/2], so A's best
    # offer (0, 0, 0) meets it exactly and is worth 1/2 + 1/4 to A. B cares only about issue 0,
    # so it is also B's best package among A's best: every type of B accepts it. (This tau_B
    # makes the engine's two ways of computing u_B differ by one ulp.)
    central = BargainingProblem.build(
        a=[0, 0, 0],
        b=[0, 0, 0],
        w_a=[0.5, 0.5, 0],
        w_b=[1, 0, 0],
        z0=[1, 0, 0],
        tau_a=0.5,
        tau_b=0.2579805886566607,
        ratifier_ideal=[[0, 0.25, 0]],
        ratifier_weight=[[0, 1, 0]],
        form="quadratic",
    )
    got = private_information(central, [0.0])
    assert got.offer and got.p_deal == 1.0
    assert got.expected_utility_a == pytest.approx(0.75, abs=1e-12)
    np.testing.assert_allclose(got.z, [0.0, 0.0, 0.0], atol=1e-12)
    assert ref.private_information_one(central, [0.0]).expected_utility_a == pytest.approx(0.75)


def test_a_barely_credible_concession_still_buys_acceptance() -> None:
    # (found by the campaign) tau_B = 1e-8: moving z_1 from 0.8125 to B's ideal 0.5 is worth
    # only 3.125e-9 to B, but that is enough for B (d_B = 0.6875) to accept A's best offer
    # (0.25, 0.5), worth 0.75 + 0.125 to A. The reference reads this offer off the package
    # that defines it (its linear program calls the level infeasible).
    central = BargainingProblem.build(
        a=[0.25, 0], b=[0, 0.5], w_a=[1, 0], w_b=[0, 1], z0=[0, 0.8125], tau_a=0.5, tau_b=1e-8
    )
    got = private_information(central, [0.6875])
    assert got.offer and got.p_deal == 1.0
    assert got.u_b_eff == pytest.approx(0.6875 + 3.125e-9, abs=1e-15)
    assert got.expected_utility_a == pytest.approx(0.875, abs=1e-12)
    np.testing.assert_allclose(got.z, [0.25, 0.5], atol=1e-12)
    want = ref.private_information_one(central, [0.6875])
    assert want.offer and want.expected_utility_a == pytest.approx(0.875, abs=1e-9)


def test_inputs_are_checked() -> None:
    batch = BargainingProblem.build(a=[0.0], b=[1.0], w_a=[1.0], w_b=[1.0], z0=[0.5], o_b=[0, 0])
    with pytest.raises(ValueError, match="single-sample"):
        private_information(batch, [0.1])
    with pytest.raises(ValueError, match="non-empty"):
        private_information(batch.take([0]), [])


@pytest.mark.campaign
@given(p=problems(max_issues=3), data=st.data())
@CAMPAIGN
def test_campaign_private_information(p: BargainingProblem, data: st.DataObject) -> None:
    _check_against_reference(p, data, tol=1e-7 if p.form == "linear" else 1e-4)
