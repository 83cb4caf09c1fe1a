"""Properties of the plain-loop EUM reference (src/summitry/engines/eum/reference.py)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from summitry.engines.eum.options import EUMOptions, resolve_options
from summitry.engines.eum.reference import (
    KINDS,
    TIE,
    ReferenceRun,
    expected_utility,
    king_of_hill_median,
    mean_about_median,
    pair_expected_utility,
    risk_exponents,
    simulate_one,
    votes,
    weighted_mean,
    weighted_median,
    win_probability,
)

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # CI sees the same examples every time; the campaign explores
    suppress_health_check=[HealthCheck.too_slow],
)
CAMPAIGN = settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))

# --------------------------------------------------------------------------- strategies


@st.composite
def actors(draw: st.DrawFn, min_n: int = 1, max_n: int = 6, integer: bool = False):
    """(capability, position, salience) on realistic scales.

    Weights are 0 or at least 1e-6 and positions are multiples of 1e-6, which keeps the
    model away from subnormal numbers (where even power-of-two scaling is inexact).
    ``integer`` positions keep affine maps with dyadic factors exact.
    """
    n = draw(st.integers(min_n, max_n))
    unit = st.one_of(st.just(0.0), st.floats(1e-6, 1.0))
    if integer:
        pos = st.integers(-8, 8).map(float)
    else:
        pos = st.floats(-1e3, 1e3).map(lambda v: round(v, 6))
    c = np.array(draw(st.lists(unit, min_size=n, max_size=n)))
    x = np.array(draw(st.lists(pos, min_size=n, max_size=n)))
    s = np.array(draw(st.lists(unit, min_size=n, max_size=n)))
    return c, x, s


@st.composite
def options(draw: st.DrawFn, rounds: int = 4, stochastic: bool = True) -> EUMOptions:
    """Any combination of the modelling options."""
    return EUMOptions(
        votes=draw(st.sampled_from(["linear", "risk"])),
        probability=draw(st.sampled_from(["pairwise", "all-pairs"])),
        median_rule=draw(st.sampled_from(["weighted", "king-of-hill"])),
        mu=draw(st.sampled_from(["median", "mean"])),
        ranking=draw(st.sampled_from(["eu", "type"])),
        conflict=draw(
            st.sampled_from(["deterministic", "stochastic"] if stochastic else ["deterministic"])
        ),
        compromise=draw(st.sampled_from(["partial", "weighted"])),
        resolution=draw(st.sampled_from(["bdm", "scholz-code"])),
        proposer=draw(st.sampled_from(["target", "sender"])),
        q=draw(st.sampled_from([0.0, 0.5, 1.0])),
        t=draw(st.sampled_from([0.0, 0.5, 1.0])),
        rounds=rounds,
    )


def run(c, x, s, opt: EUMOptions, seed: int = 0) -> ReferenceRun:
    uniforms = None
    if opt.conflict == "stochastic":
        uniforms = np.random.default_rng(seed).random((opt.rounds, len(x), len(x)))
    return simulate_one(c, x, s, opt, uniforms)


def assert_finite(res: ReferenceRun) -> None:
    for arr in (res.positions, res.median, res.mean, res.risk):
        assert np.all(np.isfinite(arr))
    for rec in res.trace:
        assert math.isfinite(rec.eu_ij) and math.isfinite(rec.eu_ji)
        assert math.isfinite(rec.new_position)


# --------------------------------------------------------------------------- hand checks


@given(actors(min_n=1))
@SETTINGS
def test_mean_about_the_median_is_the_weighted_mean(data) -> None:
    """median + (mean - median) is the weighted mean up to rounding; where all weight sits
    at one position, the median is that position and the offset exactly 0."""
    c, x, s = data
    ref = mean_about_median(c, x, s)
    assert ref.anchor == weighted_median(c, x, s)
    eps = float(np.finfo(np.float64).eps)
    bound = 2 * (len(x) + 2) * eps * float(np.abs(x).max())
    assert abs(ref.anchor + ref.offset - weighted_mean(c, x, s)) <= bound
    w = c * s
    if np.any(w > 0) and len(set(x[w > 0].tolist())) == 1:
        assert (ref.anchor, ref.offset) == (x[w > 0][0], 0.0)


def test_mean_at_an_end_of_the_scale_is_exact() -> None:
    """All weight on x = 24: sum w x / sum w rounds to 24 - 4e-15, about the median it is
    exactly 24, so m of an actor at the other end is exactly 1."""
    c, x, s = np.array([0.7, 0.5, 0.5]), np.array([24.0, 22.0, 14.0]), np.array([0.5, 0, 0])
    assert weighted_mean(c, x, s) != 24.0
    ref = mean_about_median(c, x, s)
    assert (ref.anchor, ref.offset) == (24.0, 0.0)
    assert ref.distance(14.0) / 10.0 == 1.0


def test_two_actor_expected_utility_by_hand() -> None:
    """x = (0, 1), equal weights: P = 0.5, U_s = 2, U_f = -2, U_sq = 2 - 4 * 0.5^r."""
    c, x, s = np.array([1.0, 1.0]), np.array([0.0, 1.0]), np.array([0.5, 0.5])
    opt = EUMOptions()
    p = win_probability(c, x, s, None, opt)
    np.testing.assert_array_equal(p, [[0.5, 0.5], [0.5, 0.5]])
    # EU_01 = 0.5 (0.5*2 + 0.5*(-2)) + 0.5*2 - U_sq(r=1) = 0 + 1 - 0
    eu = expected_utility(c, x, s, np.array([1.0, 1.0]), opt)
    assert eu[0, 1] == pytest.approx(1.0, abs=1e-15)
    # r = 2: U_s = 2, U_f = -2, U_sq = 1, so EU = 1 - 1 = 0
    eu2 = expected_utility(c, x, s, np.array([2.0, 2.0]), opt)
    assert eu2[0, 1] == pytest.approx(0.0, abs=1e-15)
    # Q = 0, T = 1, mu = 0 (the weighted median): U_b = 2 - 4 (0.5 - 0.25 (0 + 1)) = 1
    eu_q = expected_utility(c, x, s, None, EUMOptions(q=0.0, t=1.0))
    assert eu_q[0, 1] == pytest.approx(1.0 - 1.0, abs=1e-15)
    # T = 0 uses U_w = 2 - 4 (0.5 + 0.25) = -1 instead
    eu_w = expected_utility(c, x, s, None, EUMOptions(q=0.0, t=0.0))
    assert eu_w[0, 1] == pytest.approx(1.0 + 1.0, abs=1e-15)


def test_target_salience_weighs_resistance() -> None:
    """Eq. 25a: a target with salience 0 never resists, so EU_ij = U_s - U_sq."""
    eu = pair_expected_utility(0.0, 1.0, 0.0, 0.1, 1.0, 0.0, 2.0, EUMOptions())
    assert eu == pytest.approx(2.0 - 4.0 * 0.25 - 0.0, abs=1e-15)


def test_views_use_the_right_exponent() -> None:
    c, x, s = np.array([1.0, 2.0, 1.0]), np.array([0.0, 1.0, 3.0]), np.array([0.3, 0.6, 0.9])
    r = np.array([0.5, 1.0, 2.0])
    opt = EUMOptions()
    p = win_probability(c, x, s, r, opt)
    mu = weighted_median(c, x, s)
    by_challenger = expected_utility(c, x, s, r, opt, view="challenger")
    by_target = expected_utility(c, x, s, r, opt, view="target")
    for i in range(3):
        for j in range(3):
            if i != j:
                args = (x[i], x[j], s[j], p[i, j])
                assert by_challenger[i, j] == pair_expected_utility(*args, r[i], mu, 3.0, opt)
                assert by_target[i, j] == pair_expected_utility(*args, r[j], mu, 3.0, opt)


def test_risk_exponents_order_follows_danger() -> None:
    """The most threatened actor gets r = 0.5, the safest r = 2 (eqs. 32-33)."""
    c = np.array([0.3, 0.1, 0.4, 0.2])
    x = np.array([0.0, 2.0, 5.0, 9.0])
    s = np.array([0.9, 0.5, 0.7, 0.4])
    opt = EUMOptions()
    eu = expected_utility(c, x, s, None, opt)
    danger = eu.sum(axis=0)  # S_i = sum_j EU_ji (the diagonal is 0)
    r = risk_exponents(c, x, s, opt)
    assert r[np.argmax(danger)] == pytest.approx(0.5, abs=1e-12)
    assert r[np.argmin(danger)] == pytest.approx(2.0, abs=1e-12)
    order = np.argsort(danger)
    assert np.all(np.diff(r[order]) <= 1e-12)


@given(actors(min_n=1, max_n=7))
@SETTINGS
def test_weighted_median_definition(data) -> None:
    """Smallest position with W(<= x) >= W/2, on integer weights so the sums are exact."""
    c, x, s = data
    c = np.round(c * 8)  # small integers: weights c*s with s in {0, 1} below stay exact
    s = (s > 0.5).astype(float)
    w = c * s if np.any(c * s > 0) else np.ones_like(c)
    expected = min(v for v in x if w[x <= v].sum() >= 0.5 * w.sum())
    assert weighted_median(c, x, s) == expected


@given(actors(min_n=1, max_n=7))
@SETTINGS
def test_both_medians_minimise_the_weighted_distance(data) -> None:
    """In one dimension the Condorcet winner minimises sum_k w_k |x_k - m| over positions."""
    c, x, s = data
    w = c * s if np.any(c * s > 0) else np.ones_like(c)
    cost = {float(v): float(np.sum(w * np.abs(x - v))) for v in x}
    best = min(cost.values())
    scale = 1e-9 * (1.0 + float(np.sum(w * np.abs(x))))
    assert cost[weighted_median(c, x, s)] <= best + scale
    assert cost[king_of_hill_median(c, x, s)] <= best + scale


# --------------------------------------------------------------------------- P and r


@given(actors(min_n=2), st.sampled_from(["linear", "risk"]), st.integers(0, 2**31))
@SETTINGS
def test_pairwise_probabilities_sum_to_one(data, vote_rule, seed) -> None:
    c, x, s = data
    r = np.random.default_rng(seed).uniform(0.5, 2.0, len(x))
    p = win_probability(c, x, s, r, EUMOptions(votes=vote_rule))
    assert np.all((p >= 0.0) & (p <= 1.0))
    np.testing.assert_allclose(p + p.T, 1.0, rtol=0, atol=1e-12)


@given(actors(min_n=2), st.sampled_from(["linear", "risk"]))
@SETTINGS
def test_all_pairs_probabilities(data, vote_rule) -> None:
    c, x, s = data
    opt = EUMOptions(votes=vote_rule, probability="all-pairs")
    p = win_probability(c, x, s, None, opt)
    assert np.all((p >= 0.0) & (p <= 1.0))
    if np.ptp(x) > 0:
        assert np.all(p[x[:, None] == x[None, :]] == 0.0)
        v = votes(c, x, s, None, opt)
        if np.abs(v).sum() > 0:
            # P_ij is i's share of all positive support in the whole vote table
            np.testing.assert_allclose(p.sum(), np.clip(v, 0, None).sum() / np.abs(v).sum())


@given(actors(min_n=1), options(rounds=3))
@SETTINGS
def test_risk_exponents_in_range(data, opt) -> None:
    c, x, s = data
    r = risk_exponents(c, x, s, opt)
    assert np.all((r >= 0.5) & (r <= 2.0))
    res = run(c, x, s, opt)
    assert np.all((res.risk >= 0.5) & (res.risk <= 2.0))


# --------------------------------------------------------------------------- runs


def check_positions_stay_in_the_initial_range(c, x, s, opt: EUMOptions) -> None:
    res = run(c, x, s, opt)
    lo, hi = x.min(), x.max()
    assert_finite(res)
    for arr in (res.positions, res.median, res.mean):
        assert np.all(arr >= lo) and np.all(arr <= hi)
    assert res.positions.shape == (opt.rounds + 1, len(x))
    assert res.counts.shape == (opt.rounds, 3) and res.risk.shape == (opt.rounds, len(x))


@given(actors(min_n=1), options())
@SETTINGS
def test_positions_stay_in_the_initial_range(data, opt) -> None:
    check_positions_stay_in_the_initial_range(*data, opt)


def check_capability_scale_changes_nothing(c, x, s, opt: EUMOptions, power: int) -> None:
    a, b = run(c, x, s, opt), run(c * 2.0**power, x, s, opt)
    for name in ("positions", "median", "mean", "counts", "risk"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.trace == b.trace


@given(actors(min_n=1), options(), st.integers(-6, 6))
@SETTINGS
def test_capability_scale_changes_nothing(data, opt, power) -> None:
    """Only capability ratios matter; a power-of-two factor keeps every float identical."""
    check_capability_scale_changes_nothing(*data, opt, power)


@given(actors(min_n=2), options(stochastic=False), st.floats(0.01, 100.0))
@SETTINGS
def test_capability_scale_any_factor_first_round(data, opt, factor) -> None:
    c, x, s = data
    k = c * factor
    np.testing.assert_allclose(
        win_probability(c, x, s, None, opt), win_probability(k, x, s, None, opt), atol=1e-12
    )
    np.testing.assert_allclose(risk_exponents(c, x, s, opt), risk_exponents(k, x, s, opt))
    np.testing.assert_allclose(
        expected_utility(c, x, s, None, opt), expected_utility(k, x, s, None, opt), atol=1e-12
    )


def check_position_scale_changes_no_bit(c, x, s, opt: EUMOptions, power: int) -> None:
    """x -> 2^k x: positions, medians, means and the trace's new positions scale exactly;
    every other float and every decision is unchanged, in every round."""
    a = 2.0**power
    base, scaled = run(c, x, s, opt), run(c, a * x, s, opt)
    for name in ("positions", "median", "mean"):
        np.testing.assert_array_equal(a * getattr(base, name), getattr(scaled, name))
    for name in ("counts", "risk"):
        np.testing.assert_array_equal(getattr(base, name), getattr(scaled, name))
    assert (base.rounds_run, base.cycled) == (scaled.rounds_run, scaled.cycled)
    assert [replace(rec, new_position=a * rec.new_position) for rec in base.trace] == scaled.trace


@given(actors(min_n=1), options(), st.integers(-10, 10))
@SETTINGS
def test_power_of_two_position_scale_changes_no_bit(data, opt, power) -> None:
    """Every position enters as a difference over Delta and every position tolerance is a
    multiple of Delta, so a power-of-two factor commutes with each rounding."""
    check_position_scale_changes_no_bit(*data, opt, power)


def check_affine_map(c, x, s, opt: EUMOptions, a: float, b: float) -> None:
    """Integer x, dyadic a, integer b: each round that starts from an exactly mapped state
    makes the same records with bit-identical EU values (see test_affine_map_of_the_scale)."""
    base, mapped = run(c, x, s, opt), run(c, a * x + b, s, opt)
    eps = float(np.finfo(np.float64).eps)
    big = abs(b) + a * max(1.0, float(np.abs(x).max()))
    tol, tol_mean = 4.0 * eps * big, (len(x) + 2) * eps * big
    p1, p2 = base.positions, mapped.positions
    exact = [
        bool(np.all(row == np.round(row))) and np.array_equal(a * row + b, p2[t])
        for t, row in enumerate(p1)
    ]
    assert exact[0]
    for t in np.flatnonzero(exact):
        assert mapped.median[t] == a * base.median[t] + b, t
        assert abs(mapped.mean[t] - (a * base.mean[t] + b)) <= tol_mean, t
        if t >= base.rounds_run:
            continue
        np.testing.assert_array_equal(base.counts[t], mapped.counts[t])
        np.testing.assert_array_equal(base.risk[t], mapped.risk[t])
        np.testing.assert_allclose(a * p1[t + 1] + b, p2[t + 1], rtol=0, atol=tol)
        mine = [rec for rec in base.trace if rec.round == t + 1]
        theirs = [rec for rec in mapped.trace if rec.round == t + 1]
        assert [replace(rec, new_position=0.0) for rec in mine] == [
            replace(rec, new_position=0.0) for rec in theirs
        ]
        for rec, other in zip(mine, theirs, strict=True):
            assert abs(a * rec.new_position + b - other.new_position) <= tol
    if all(exact[: base.rounds_run]):
        assert (base.rounds_run, base.cycled) == (mapped.rounds_run, mapped.cycled)


@given(
    actors(min_n=1, integer=True),
    options(),
    st.sampled_from([0.25, 0.5, 2.0, 8.0]),
    st.integers(-20, 20).map(float),
)
@SETTINGS
def test_affine_map_of_the_scale(data, opt, a, b) -> None:
    """x -> a x + b, a > 0: the rounds that start from an exactly mapped state agree.

    Integer positions with a dyadic a and an integer b map exactly, so such a round sees the
    same differences over Delta (also m of ``mu="mean"``, taken about the weighted median)
    and decides everything bit for bit; only its new positions are formed on each scale,
    within 4 eps (|b| + a max|x|) of each other (derivation: test_eum_vectorised.py). Later
    rounds start from rounded compromises and can decide a tie differently (an exact sign
    test of an EU that is 0, x_i == x_j, the risk quotient of nearly equal dangers), so
    they are not compared; test_power_of_two_position_scale_changes_no_bit covers them for
    pure scaling.
    """
    check_affine_map(*data, opt, a, b)


def _no_equidistant_voter(x: np.ndarray) -> bool:
    """No voter is (nearly) equidistant from two distinct positions: there P jumps."""
    span = float(np.ptp(x))
    gaps = [abs(abs(xk - xi) - abs(xk - xj)) for xk in x for xi in x for xj in x if xi != xj]
    return span > 0 and min(gaps) > 1e-9 * span


@given(actors(min_n=2, max_n=5), options(stochastic=False), st.floats(0.1, 10.0))
@SETTINGS
def test_affine_map_any_factor_first_round(data, opt, a) -> None:
    """Any a > 0 and b (inexact in floating point): the first-round P, r and EU agree closely."""
    c, x, s = data
    assume(_no_equidistant_voter(x))
    y = a * x - 3.3
    mu = weighted_median(c, x, s)
    np.testing.assert_allclose(
        win_probability(c, x, s, None, opt), win_probability(c, y, s, None, opt), atol=1e-9
    )
    np.testing.assert_allclose(
        risk_exponents(c, x, s, opt, mu=mu),
        risk_exponents(c, y, s, opt, mu=a * mu - 3.3),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        expected_utility(c, x, s, None, opt, mu=mu),
        expected_utility(c, y, s, None, opt, mu=a * mu - 3.3),
        atol=1e-9,
    )


@pytest.mark.parametrize(
    "c, x, s",
    [
        ([0.7], [3.0], [0.5]),  # one actor
        ([0.2, 0.5, 0.3], [2.0, 2.0, 2.0], [0.5, 1.0, 0.1]),  # all at one position
        ([0.0, 0.0, 0.0], [0.0, 5.0, 9.0], [0.5, 1.0, 0.1]),  # nobody has capability
        ([0.4, 0.5, 0.3], [0.0, 5.0, 9.0], [0.0, 0.0, 0.0]),  # nobody cares
        ([0.0, 0.0], [1.0, 1.0], [0.0, 0.0]),  # everything degenerate at once
    ],
)
@pytest.mark.parametrize("variant", ["default", "scholz-code"])
def test_degenerate_inputs_finish_finite(c, x, s, variant) -> None:
    c, x, s = np.array(c), np.array(x), np.array(s)
    opt = resolve_options(variant)
    res = simulate_one(c, x, s, opt)
    assert_finite(res)
    if np.ptp(x) == 0:  # Delta = 0: nothing moves, r = 1, stop at once
        assert res.rounds_run == 0 and not res.cycled and res.trace == []
        assert np.all(res.positions == x) and np.all(res.risk == 1.0)
        assert np.all(res.counts == 0)
        assert np.all(win_probability(c, x, s, None, opt) == 0.5)


def test_stochastic_needs_uniforms() -> None:
    c, x, s = np.ones(3), np.array([0.0, 1.0, 2.0]), np.full(3, 0.5)
    opt = EUMOptions(conflict="stochastic", rounds=2)
    with pytest.raises(ValueError):
        simulate_one(c, x, s, opt)
    with pytest.raises(ValueError):
        simulate_one(c, x, s, opt, np.zeros((3, 3, 3)))


@given(actors(min_n=2), st.sampled_from(["bdm", "scholz-code"]))
@SETTINGS
def test_stochastic_conflicts_follow_the_draws(data, resolution) -> None:
    """u = 0 lets the sender win every conflict it has any chance in; u = 1 never."""
    c, x, s = data
    opt = EUMOptions(conflict="stochastic", resolution=resolution, rounds=3)
    n = len(x)
    for u, sender_wins in ((0.0, True), (1.0, False)):
        res = simulate_one(c, x, s, opt, np.full((3, n, n), u))
        for rec in res.trace:
            if rec.kind != "conflict":
                continue
            state = res.positions[rec.round - 1]
            p = win_probability(c, state, s, res.risk[rec.round - 1], opt, delta=np.ptp(x))
            if sender_wins and p[rec.sender, rec.target] > 0:
                assert rec.mover == rec.target and rec.new_position == state[rec.sender]
            if not sender_wins:
                assert rec.mover != rec.target


def test_a_cycle_is_flagged_and_stops_the_run() -> None:
    """A small case whose scholz-code state returns to an earlier one."""
    c = np.array([1.0, 0.5, 0.25, 0.75])
    x = np.array([2.0, 4.0, 2.0, 1.0])
    s = np.array([0.25, 0.5, 0.75, 1.0])
    res = simulate_one(c, x, s, resolve_options("scholz-code", rounds=10))
    t = res.rounds_run
    assert res.cycled and t < 10
    tol = 1e-6 * np.ptp(x)
    assert any(np.max(np.abs(res.positions[t] - res.positions[u])) <= tol for u in range(t - 1))
    assert np.all(res.positions[t + 1 :] == res.positions[t])
    assert np.all(res.counts[t:] == 0)
    assert np.all(res.risk[t:] == res.risk[t - 1])


@given(actors(min_n=1), options(rounds=8))
@SETTINGS
def test_stop_rule(data, opt) -> None:
    check_stop_rule(*data, opt)


def check_stop_rule(c, x, s, opt: EUMOptions) -> None:
    res = run(c, x, s, opt)
    t = res.rounds_run
    tol = opt.tol * np.ptp(x)
    for u in range(1, t):  # every round before the stop moved someone and found no cycle
        assert np.max(np.abs(res.positions[u] - res.positions[u - 1])) > tol
    if t < opt.rounds:
        assert np.all(res.positions[t + 1 :] == res.positions[t])
        assert np.all(res.counts[t:] == 0)
        if t > 0:
            assert np.all(res.risk[t:] == res.risk[t - 1])
            still = np.max(np.abs(res.positions[t] - res.positions[t - 1])) <= tol
            assert still or res.cycled


# --------------------------------------------------------------------------- the trace


def _expected_kind(a: float, b: float, e: float, opt: EUMOptions) -> str | None:
    """The classification rules of the module docstring, restated: a = EU_ij and b = EU_ji
    as the target sees them, e = EU_ij as the sender sees it."""
    if opt.proposer == "sender" and not e > 0:
        return None  # the sender makes no proposal
    if opt.resolution == "bdm":
        proposed = e > 0 if opt.proposer == "sender" else a > 0
        if not proposed or b == 0:
            return None
        return "conflict" if b > 0 else "compromise" if abs(b) < a else "capitulation"
    conflict = a > 0 and b > 0 if opt.conflict == "stochastic" else b > 0 and a - b > TIE
    if conflict:
        return "conflict"
    if a > 0 > b:
        return "compromise" if abs(b) < a else "capitulation"
    return None


@given(actors(min_n=2), options(rounds=3))
@SETTINGS
def test_trace_agrees_with_the_plain_functions(data, opt) -> None:
    """Every recorded pair re-derives from expected_utility; every mover took its best offer."""
    check_trace(*data, opt)


def check_trace(c, x, s, opt: EUMOptions) -> None:
    res = run(c, x, s, opt)
    delta = float(np.ptp(x))
    for t in range(1, res.rounds_run + 1):
        state, r = res.positions[t - 1], res.risk[t - 1]
        np.testing.assert_array_equal(r, risk_exponents(c, state, s, opt, delta=delta))
        by_target = expected_utility(c, state, s, r, opt, delta=delta, view="target")
        by_self = expected_utility(c, state, s, r, opt, delta=delta, view="challenger")
        records = [rec for rec in res.trace if rec.round == t]
        seen = set()
        for i in range(len(x)):
            for j in range(len(x)):
                if i == j or state[i] == state[j]:
                    continue
                kind = _expected_kind(by_target[i, j], by_self[j, i], by_self[i, j], opt)
                if kind is not None:
                    seen.add((i, j, kind))
        assert seen == {(rec.sender, rec.target, rec.kind) for rec in records}
        for rec in records:
            assert rec.eu_ij == by_target[rec.sender, rec.target]
            assert rec.eu_ji == by_self[rec.target, rec.sender]
        assert [sum(rec.kind == k for rec in records) for k in KINDS] == res.counts[t - 1].tolist()
        for k in range(len(x)):
            offers = [rec for rec in records if rec.mover == k]
            taken = [rec for rec in offers if rec.accepted]
            assert len(taken) == (1 if offers else 0)
            if not offers:
                assert res.positions[t][k] == state[k]
                continue
            assert res.positions[t][k] == taken[0].new_position
            assert taken[0] is _expected_choice(offers, state, delta, opt)
        for rec in records:  # a drawn deterministic conflict moves nobody
            if rec.mover == -1 and opt.conflict == "deterministic":
                assert abs(rec.eu_ij - rec.eu_ji) <= TIE


def _expected_choice(offers, state, delta: float, opt: EUMOptions):
    """The choice rule of the module docstring, restated."""
    if opt.resolution == "scholz-code" or opt.ranking == "type":
        best = min(KINDS.index(rec.kind) for rec in offers)
        offers = [rec for rec in offers if KINDS.index(rec.kind) == best]

    def value(rec) -> float:
        if opt.resolution == "scholz-code" and rec.kind == "compromise":
            a, b = abs(rec.eu_ij), abs(rec.eu_ji)
            return (a * state[rec.sender] + b * state[rec.target]) / (a + b)
        return abs(rec.new_position - state[rec.mover])

    least = min(value(rec) for rec in offers)
    offers = [rec for rec in offers if value(rec) <= least + TIE * delta]
    top = max(rec.eu_ij for rec in offers)
    offers = [rec for rec in offers if rec.eu_ij >= top - TIE]
    return min(offers, key=lambda rec: (rec.sender, rec.target))


def test_conflict_draw_and_losing_sender_under_bdm() -> None:
    """Equal actors: a drawn conflict moves nobody. Stronger actor 1: actor 0 loses both
    as target and as sender; both offers move it by 1, the larger EU_ij (sender 1) is taken.
    """
    x = np.array([0.0, 1.0])
    opt = EUMOptions(rounds=1)
    draw = simulate_one(np.array([1.0, 1.0]), x, np.array([0.5, 0.5]), opt)
    assert [(rec.kind, rec.mover, rec.accepted) for rec in draw.trace] == [
        ("conflict", -1, False),
        ("conflict", -1, False),
    ]
    np.testing.assert_array_equal(draw.positions[1], x)

    res = simulate_one(np.array([1.0, 2.0]), x, np.array([0.2, 0.2]), opt)
    by_pair = {(rec.sender, rec.target): rec for rec in res.trace}
    as_target, as_sender = by_pair[(1, 0)], by_pair[(0, 1)]
    assert as_target.kind == as_sender.kind == "conflict"
    assert as_target.eu_ij > as_target.eu_ji and as_sender.eu_ij < as_sender.eu_ji
    assert as_target.mover == as_sender.mover == 0
    assert as_target.accepted and not as_sender.accepted
    np.testing.assert_array_equal(res.positions[1], [1.0, 1.0])


# Two actors at 0 and 1 (d = 1, Q = 1): EU_ij = 4 (0.5^r - s_j (1 - P_ij)) seen with exponent
# r. With c = (0.8, 1), s = (0.9, 0.9): P_01 = 0.72 / 1.62 = 4/9, so s_0 P_01 = 0.4 and
# s_1 P_10 = 0.5. Dangers (r = 1): S_0 = EU_10 = 4 (0.5 - 0.4) = 0.4 > S_1 = EU_01 = 0, so
# r_0 = 0.5 (risk acceptant) and r_1 = 2 (cautious).
TWO_C, TWO_X, TWO_S = np.array([0.8, 1.0]), np.array([0.0, 1.0]), np.array([0.9, 0.9])


def _two_actor_eu(r: float, resisted: float) -> float:
    return 4.0 * (0.5**r - resisted)


def test_two_actor_case_by_hand() -> None:
    opt = EUMOptions()
    np.testing.assert_allclose(risk_exponents(TWO_C, TWO_X, TWO_S, opt), [0.5, 2.0], atol=1e-12)
    eu_self = expected_utility(TWO_C, TWO_X, TWO_S, np.array([0.5, 2.0]), opt)
    np.testing.assert_allclose(
        eu_self, [[0.0, _two_actor_eu(0.5, 0.5)], [_two_actor_eu(2.0, 0.4), 0.0]], atol=1e-12
    )


def test_target_view_decides_the_proposal_by_default() -> None:
    """Target view: actor 1 sees actor 0's challenge as a loss for 0 (4 (0.25 - 0.5) < 0), so
    only 1 -> 0 is a proposal; actor 0, seeing both challenges pay with its r = 0.5
    (4 (0.707 - 0.4) > 4 (0.707 - 0.5) > 0), fights and loses, moving to 1."""
    res = simulate_one(TWO_C, TWO_X, TWO_S, EUMOptions(rounds=2))
    round1 = [rec for rec in res.trace if rec.round == 1]
    assert [(rec.sender, rec.target, rec.kind, rec.mover) for rec in round1] == [
        (1, 0, "conflict", 0)
    ]
    assert round1[0].eu_ij == pytest.approx(_two_actor_eu(0.5, 0.4), abs=1e-12)
    assert round1[0].eu_ji == pytest.approx(_two_actor_eu(0.5, 0.5), abs=1e-12)
    np.testing.assert_array_equal(res.positions[1], [1.0, 1.0])


def test_sender_view_decides_the_proposal() -> None:
    """Sender view: the cautious actor 1 no longer proposes (4 (0.25 - 0.4) < 0); the
    risk-acceptant actor 0 does (4 (0.707 - 0.5) > 0). Actor 1 classifies it with its own
    r = 2: a = 4 (0.25 - 0.5) = -1, b = 4 (0.25 - 0.4) = -0.6 < 0 and |b| >= a, so it
    capitulates and moves to 0."""
    res = simulate_one(TWO_C, TWO_X, TWO_S, EUMOptions(proposer="sender", rounds=2))
    round1 = [rec for rec in res.trace if rec.round == 1]
    assert [(rec.sender, rec.target, rec.kind, rec.mover) for rec in round1] == [
        (0, 1, "capitulation", 1)
    ]
    assert round1[0].eu_ij == pytest.approx(-1.0, abs=1e-12)
    assert round1[0].eu_ji == pytest.approx(-0.6, abs=1e-12)
    np.testing.assert_array_equal(res.positions[1], [0.0, 0.0])

    # scholz-code (other P and votes): with the target's view actor 0 loses the conflict
    # 1 -> 0; with the sender's, 1 no longer proposes and 0 -> 1 fails the receiver's own
    # rule a > 0, so nobody moves
    def scholz(proposer: str) -> ReferenceRun:
        opt = resolve_options("scholz-code", proposer=proposer, rounds=1)
        return simulate_one(TWO_C, TWO_X, TWO_S, opt)

    assert [(rec.sender, rec.kind, rec.mover) for rec in scholz("target").trace] == [
        (1, "conflict", 0)
    ]
    assert scholz("sender").trace == []
    np.testing.assert_array_equal(scholz("sender").positions[1], TWO_X)


@given(actors(min_n=2), options(rounds=3))
@SETTINGS
def test_sender_proposals_are_those_the_sender_expects_to_gain_from(data, opt) -> None:
    """Every classified pair in round 1 has EU_ij > 0 as the sender sees it; under ``bdm``
    every such pair with EU_ji != 0 (as the target sees it) is classified."""
    c, x, s = data
    opt = opt.with_overrides(proposer="sender")
    res = run(c, x, s, opt)
    if res.rounds_run == 0:
        return
    r = res.risk[0]
    by_self = expected_utility(c, x, s, r, opt, view="challenger")
    pairs = {(rec.sender, rec.target) for rec in res.trace if rec.round == 1}
    assert all(by_self[i, j] > 0 for i, j in pairs)
    if opt.resolution == "bdm":
        expected = {
            (i, j)
            for i in range(len(x))
            for j in range(len(x))
            if x[i] != x[j] and by_self[i, j] > 0 and by_self[j, i] != 0
        }
        # b is EU_ji seen by the target j: by_self[j, i] uses r_j, the target's own exponent
        assert pairs == expected


@pytest.mark.campaign
@given(actors(min_n=1, max_n=7), options(rounds=6), st.integers(-6, 6))
@CAMPAIGN
def test_campaign(data, opt, power) -> None:
    """The run-level properties on many more random cases (``pytest -m campaign``)."""
    c, x, s = data
    check_positions_stay_in_the_initial_range(c, x, s, opt)
    check_capability_scale_changes_nothing(c, x, s, opt, power)
    check_stop_rule(c, x, s, opt)
    check_trace(c, x, s, opt)
    check_position_scale_changes_no_bit(c, x, s, opt, power)
    xi = np.round(x / max(1.0, float(np.abs(x).max())) * 8.0)  # small integers
    check_affine_map(c, xi, s, opt, 2.0 ** (power % 4 - 2), float(power) * 3.0)
