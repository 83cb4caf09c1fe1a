"""Run-level properties of the vectorised SMP engine and checks of its parts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summitry.engines.smp import POS_TOL, SMPOptions, simulate
from summitry.engines.smp.challenge import best_challenges
from summitry.engines.smp.reference import simulate as simulate_reference
from summitry.engines.smp.report import estimator_probabilities, unique_positions
from summitry.engines.smp.rules import distances, perceived_risk, seq_prod, seq_sum

from .test_smp_agreement import VARIANTS, scenarios

CI = settings(
    max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
TURNS = 12


def _distinct_sum(prob: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Sum of prob[..., h, i] over one actor per distinct position (first in actor order)."""
    out = np.empty(prob.shape[:-1])
    for t in range(prob.shape[0]):
        reps, _ = unique_positions(positions[t][None])
        out[t] = prob[t][:, reps[0]].sum(axis=-1)
    return out


@given(sc=scenarios(max_batch=3), variant=st.sampled_from(VARIANTS))
@CI
def test_positions_stay_in_the_unit_box_and_probabilities_sum_to_one(
    sc: dict[str, np.ndarray], variant: dict[str, str]
) -> None:
    opt = SMPOptions(max_turns=TURNS, **variant)
    res = simulate(sc["capability"], sc["position"], sc["salience"], opt, uniforms=sc["uniforms"])
    assert np.all((res.positions >= 0) & (res.positions <= 1))
    assert np.all((res.ideals >= 0) & (res.ideals <= 1))
    assert np.all((res.prob >= 0) & (res.prob <= 1))
    assert np.all((res.turns_run >= 1) & (res.turns_run <= TURNS))
    for row in range(res.positions.shape[0]):
        sums = _distinct_sum(res.prob[row], res.positions[row])
        np.testing.assert_allclose(sums, 1.0, atol=1e-9)


@given(sc=scenarios(max_batch=4))
@settings(max_examples=10, deadline=None, derandomize=True)
def test_reordering_the_batch_reorders_the_results(sc: dict[str, np.ndarray]) -> None:
    keys = ("capability", "position", "salience")
    base = simulate(*(sc[k] for k in keys))
    order = np.arange(sc["capability"].shape[0])[::-1]
    moved = simulate(*(sc[k][order] for k in keys))
    np.testing.assert_array_equal(moved.turns_run, base.turns_run[order])
    np.testing.assert_array_equal(moved.positions, base.positions[order])
    np.testing.assert_allclose(moved.prob, base.prob[order], rtol=0, atol=1e-12)


def test_stochastic_runs_are_reproducible_from_their_draws() -> None:
    rng = np.random.default_rng(7)
    b, n, k = 5, 6, 2
    cap = rng.uniform(1, 100, (b, n))
    pos = rng.uniform(0, 1, (b, n, k))
    sal = rng.uniform(0.2, 0.5, (b, n, k))
    opt = SMPOptions(resolution="stochastic", max_turns=20)
    draws = np.random.default_rng(11).uniform(size=(b, 20, n))
    first = simulate(cap, pos, sal, opt, uniforms=draws)
    again = simulate(cap, pos, sal, opt, uniforms=draws.copy())
    np.testing.assert_array_equal(first.positions, again.positions)
    other = simulate(
        cap, pos, sal, opt, uniforms=np.random.default_rng(12).uniform(size=draws.shape)
    )
    assert not np.array_equal(first.positions, other.positions)
    with pytest.raises(ValueError, match="uniforms"):
        simulate(cap, pos, sal, opt)
    with pytest.raises(ValueError, match="uniforms"):
        simulate(cap, pos, sal, opt, uniforms=draws[:, :10])


def test_accommodation_moves_ideals_part_way() -> None:
    rng = np.random.default_rng(3)
    n = 5
    cap = rng.uniform(1, 100, (1, n))
    pos = rng.uniform(0, 1, (1, n, 2))
    sal = rng.uniform(0.2, 0.5, (1, n, 2))
    acc = 0.5 * np.eye(n) + 0.1 * (1 - np.eye(n)) / (n - 1)
    opt = SMPOptions(max_turns=8)
    res = simulate(cap, pos, sal, opt, accommodation=acc)
    t = int(res.turns_run[0])
    for s in range(1, t + 1):
        expected = acc @ res.positions[0, s] + (1 - acc.sum(axis=1))[:, None] * res.ideals[0, s - 1]
        np.testing.assert_allclose(res.ideals[0, s], expected, atol=1e-15)
    ref = simulate_reference(cap[0], pos[0], sal[0], opt, accommodation=acc)
    assert ref.turns_run[0] == t
    np.testing.assert_allclose(res.positions[0], ref.positions[0], atol=1e-9)
    np.testing.assert_allclose(res.prob[0], ref.prob[0], atol=1e-9)


def test_everyone_at_one_position_stays_put() -> None:
    pos = np.full((1, 4, 2), 0.3)
    res = simulate(np.ones((1, 4)), pos, np.full((1, 4, 2), 0.4))
    assert res.turns_run[0] == 2
    np.testing.assert_array_equal(res.positions[0], np.broadcast_to(pos[0], res.positions[0].shape))
    np.testing.assert_allclose(res.prob[0], 1.0)  # one distinct position: it prevails


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"capability": -np.ones((1, 3))}, "capabilities"),
        ({"position": np.full((1, 3, 1), 1.2)}, "positions"),
        ({"salience": np.full((1, 3, 2), 0.6)}, "saliences"),
        ({"salience": np.zeros((1, 3, 1))}, "saliences"),
        ({"accommodation": np.full((3, 3), 0.5)}, "accommodation"),
        ({"capability": np.ones((1, 2)), "position": np.zeros((1, 2, 1))}, "at least 3"),
        ({"capability": np.ones((2, 3))}, "expected"),
    ],
)
def test_bad_inputs_are_refused(kwargs: dict[str, np.ndarray], message: str) -> None:
    args: dict[str, np.ndarray] = {
        "capability": np.ones((1, 3)),
        "position": np.full((1, 3, 1), 0.5),
        "salience": np.full((1, 3, 1), 0.5),
    }
    if "salience" in kwargs and kwargs["salience"].shape[-1] == 2:
        args["position"] = np.full((1, 3, 2), 0.5)
    if "position" in kwargs and "salience" not in kwargs:
        args["salience"] = np.full(kwargs["position"].shape, 0.5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        simulate(**args)  # type: ignore[arg-type]


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="voting"):
        SMPOptions(voting="majority")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown SMP option"):
        SMPOptions().with_overrides(colour="red")
    assert SMPOptions().with_overrides(pce="markov-uniform").pce == "markov-uniform"


@pytest.mark.parametrize("perception", ["one-third", "none", "half", "two-thirds", "full"])
@pytest.mark.parametrize("pce", ["conditional", "markov-incentive"])
def test_breakpoint_reporting_equals_the_direct_sum(perception: str, pce: str) -> None:
    """The O(n^3 log n) per-estimator coalitions equal the plain O(n^4) sums."""
    rng = np.random.default_rng(len(perception) + 10 * len(pce))
    b, n, k = 2, 17, 2
    theta = np.round(rng.uniform(0, 1, (b, n, k)), 1)  # coarse grid: many shared positions
    sal = rng.uniform(0.1, 0.5, (b, n, k))
    cap = rng.uniform(1, 50, (b, n))
    d = distances(theta, theta, sal)
    r = rng.uniform(-0.5, 1.0, (b, n))
    rp = perceived_risk(r, perception)
    opt = SMPOptions(perception=perception, pce=pce)  # type: ignore[arg-type]
    fast = estimator_probabilities(d, r, rp, theta, cap, opt, method="breakpoint")
    slow = estimator_probabilities(d, r, rp, theta, cap, opt, method="direct")
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)


def test_unique_positions_follow_ktab_grouping() -> None:
    # 0 and 1 coincide within POS_TOL, 2 is apart; 3 is close to 1 but not to 0
    x = np.array([[[0.0], [0.8 * POS_TOL], [0.5], [1.7 * POS_TOL]]])
    reps, rep_of = unique_positions(x)
    np.testing.assert_array_equal(reps[0], [True, False, True, True])
    np.testing.assert_array_equal(rep_of[0], [0, 3, 2, 3])  # the last equivalent representative


@pytest.mark.parametrize(("gap", "challenges"), [(0.5 * POS_TOL, False), (2 * POS_TOL, True)])
def test_targets_at_ones_own_position_are_not_challenged(gap: float, challenges: bool) -> None:
    """Actor 1 gains from challenging its near-twin 0 (actor 2 is too strong to take on),
    but only does so once they are POS_TOL apart."""
    theta = np.array([[[0.2], [0.2 + gap], [0.9]]])
    sal = np.full((1, 3, 1), 0.8)
    d = distances(theta, theta, sal)
    weight = np.array([[100.0, 1.0, 1000.0]]) * 0.8
    ch = best_challenges(
        d, np.zeros((1, 3, 3)), theta, weight, np.full((1, 3), 0.8), "prop", "semi-commit"
    )
    assert ch.has[0, 1] == challenges
    if challenges:
        assert ch.target[0, 1] == 0


@pytest.mark.parametrize("shape", [(9,), (9, 1), (9, 2), (3, 1, 4), (2, 3, 1, 1), (12, 5)])
def test_sequential_sums_add_left_to_right(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(len(shape))
    x = rng.normal(size=shape) * 10.0 ** rng.integers(-9, 9, size=shape)
    for axis in range(len(shape)):
        moved = np.moveaxis(x, axis, 0)
        total = 0.25 + moved[0]
        product = moved[0].copy()
        for row in moved[1:]:
            total = total + row
            product = product * row
        np.testing.assert_array_equal(seq_sum(x, axis, 0.25), total)
        np.testing.assert_array_equal(seq_prod(x, axis), product)
