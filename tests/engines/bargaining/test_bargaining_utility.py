"""Utilities, credibility, reservations, Rubinstein's split and input checks.

docs/models/bargaining.md, "The model".
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summitry.engines.bargaining import BargainingProblem, rubinstein_alpha
from summitry.engines.bargaining import reference as ref
from summitry.engines.bargaining.utility import (
    effective_utility,
    reservations,
    undo_concessions,
    utility,
)

from .test_bargaining_strategies import TAU, UNIT, weights

FAST = settings(max_examples=60, deadline=None, derandomize=True)


def test_linear_and_quadratic_utilities_by_hand() -> None:
    z, x, w = np.array([[0.5, 1.0]]), np.array([[0.0, 0.5]]), np.array([[0.25, 0.75]])
    assert utility(z, x, w, "linear")[0] == pytest.approx(1 - 0.25 * 0.5 - 0.75 * 0.5)
    assert utility(z, x, w, "quadratic")[0] == pytest.approx(1 - 0.25 * 0.25 - 0.75 * 0.25)


def test_credibility_discounts_the_other_sides_concessions_only() -> None:
    # B wants 1 on both issues; the package moves issue 0 toward B (A's concession, worth
    # 0.6 * 0.5 to B in full) and issue 1 away from B (B's own concession, a loss of 0.2 * 0.5).
    b, w, z0 = np.array([[1.0, 1.0]]), np.array([[0.5, 0.5]]), np.array([[0.2, 0.8]])
    z = np.array([[0.8, 0.6]])
    tau = np.array([0.25])
    base = utility(z0, b, w, "linear")[0]
    expected = base + 0.25 * (0.6 * 0.5) - 0.2 * 0.5
    assert effective_utility(z, b, w, z0, tau, "linear")[0] == pytest.approx(expected)
    # full credibility is the raw utility, none keeps only B's own moves
    assert effective_utility(z, b, w, z0, np.array([1.0]), "linear")[0] == pytest.approx(
        utility(z, b, w, "linear")[0]
    )
    undone = undo_concessions(z, b, z0, "linear")
    np.testing.assert_allclose(undone, [[0.2, 0.6]])
    assert effective_utility(z, b, w, z0, np.array([0.0]), "linear")[0] == pytest.approx(
        utility(undone, b, w, "linear")[0]
    )


@given(
    n=st.integers(1, 5),
    form=st.sampled_from(["linear", "quadratic"]),
    data=st.data(),
)
@FAST
def test_effective_utility_is_the_tau_mixture_of_kept_and_undone(
    n: int, form: str, data: st.DataObject
) -> None:
    z = np.array([[data.draw(UNIT) for _ in range(n)]])
    x = np.array([[data.draw(UNIT) for _ in range(n)]])
    z0 = np.array([[data.draw(UNIT) for _ in range(n)]])
    w = np.array([data.draw(weights(n))])
    tau = np.array([data.draw(TAU)])
    got = effective_utility(z, x, w, z0, tau, form)[0]  # type: ignore[arg-type]
    kept = utility(z, x, w, form)[0]  # type: ignore[arg-type]
    undone = utility(undo_concessions(z, x, z0, form), x, w, form)[0]  # type: ignore[arg-type]
    assert got == pytest.approx(tau[0] * kept + (1 - tau[0]) * undone, abs=1e-12)
    loops = ref.effective_utility(
        form, z[0].tolist(), x[0].tolist(), w[0].tolist(), z0[0].tolist(), tau[0]
    )
    assert got == pytest.approx(loops, abs=1e-12)
    assert got <= kept + 1e-12  # doubt never makes a package look better


def test_reservations_are_status_quo_utility_plus_outside_option() -> None:
    p = BargainingProblem.build(
        a=[0.0, 1.0],
        b=[1.0, 0.0],
        w_a=[0.5, 0.5],
        w_b=[0.25, 0.75],
        z0=[0.5, 0.5],
        o_a=0.1,
        o_b=-0.2,
        ratifier_ideal=[[0.0, 0.0]],
        ratifier_weight=[[1.0, 0.0]],
        ratifier_offset=[0.05],
    )
    d_a, d_b, d_v = reservations(p)
    assert d_a[0] == pytest.approx(1 - 0.5 + 0.1)
    assert d_b[0] == pytest.approx(1 - 0.5 - 0.2)
    assert d_v[0, 0] == pytest.approx(1 - 0.5 + 0.05)


@given(delta=st.floats(0.01, 0.99))
@FAST
def test_equal_patience_splits_power_equally(delta: float) -> None:
    assert rubinstein_alpha(np.array([delta]), np.array([delta]))[0] == pytest.approx(0.5)


def test_the_more_patient_side_has_more_power() -> None:
    deltas = np.array([0.5, 0.8, 0.9, 0.99])
    alpha = rubinstein_alpha(deltas, np.full(4, 0.9))
    assert np.all(np.diff(alpha) > 0)
    assert alpha[2] == pytest.approx(0.5)
    # ln(0.9) / (ln(0.99) + ln(0.9)) by hand
    assert alpha[3] == pytest.approx(np.log(0.9) / (np.log(0.99) + np.log(0.9)))


def _good() -> dict[str, object]:
    return {"a": [0.2, 0.4], "b": [0.9, 0.1], "w_a": [0.5, 0.5], "w_b": [0.3, 0.7], "z0": [0, 0]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"w_a": [0.5, 0.6]}, "w_a must sum to 1"),
        ({"w_b": [-0.1, 1.1]}, "w_b must be >= 0"),
        ({"a": [0.2, 1.4]}, "a must lie in"),
        ({"z0": [np.nan, 0.0]}, "z0 must be finite"),
        ({"tau_b": 1.5}, "tau_b must lie in"),
        ({"delta_a": 1.0}, "delta_a must lie in"),
        ({"b": [0.1, 0.2, 0.3]}, "number of issues"),
        ({"form": "cubic"}, "form must be"),
        ({"ratifier_ideal": [[0.1, 0.2]]}, "ratifier_weight is required"),
    ],
)
def test_bad_inputs_are_rejected_with_a_clear_message(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        BargainingProblem.build(**{**_good(), **change})  # type: ignore[arg-type]


def test_shared_profiles_broadcast_over_the_batch() -> None:
    p = BargainingProblem.build(
        **_good(),  # type: ignore[arg-type]
        o_b=[0.0, 0.1, 0.2],
        ratifier_ideal=[[0.0, 0.0]],
        ratifier_weight=[[1.0, 0.0]],
    )
    assert (p.size, p.n_issues, p.n_ratifiers) == (3, 2, 1)
    np.testing.assert_array_equal(p.a, np.tile([0.2, 0.4], (3, 1)))
    np.testing.assert_array_equal(p.ratifier_offset, np.zeros((3, 1)))
    assert p.take([2]).o_b[0] == pytest.approx(0.2)
    assert p.take([1]).repeat(4).size == 4
