"""The asymmetric Nash bargaining solution (src/summitry/engines/nbs/).

The batched bisection against the piecewise KKT oracle on generated cases, hand-computed
cases, invariants and the DEU check (docs/models/nbs.md).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from summitry.data import load_deu
from summitry.engines.nbs import NBSOptions, feasible_interval, nbs
from summitry.engines.nbs import reference as ref

from ..settlement_strategies import SETTINGS, permuted, problems

OPTIONS = st.builds(
    NBSOptions,
    weights=st.sampled_from(["capability", "equal", "capability-salience"]),
    power=st.sampled_from([2.0, 1.0, 1.5, 3.0]),
)


def close(a, b) -> None:
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=0, atol=1e-9)


def one(x, w, rp, options=None, s=None):
    """The NBS of one problem given positions, weights (as capabilities) and rp."""
    x = np.asarray(x, float)
    s = np.ones_like(x) if s is None else np.asarray(s, float)
    return float(nbs(x[None], s[None], np.asarray(w, float)[None], [rp], options)[0])


# -- against the oracle ----------------------------------------------------------------------


@SETTINGS
@given(problems(), OPTIONS)
def test_matches_reference(case, options):
    x, s, c, rp = case
    close(nbs(x, s, c, rp, options), ref.nbs(x, s, c, rp, options))


# -- by hand ---------------------------------------------------------------------------------


def test_hand_cases():
    # quadratic, symmetric, rp = 0, actors at 10 and 20: 2/t = 1/(20-t) + 1/(40-t),
    # t^2 - 45 t + 400 = 0
    t = (45 - math.sqrt(425)) / 2
    eq = NBSOptions(weights="equal")
    assert one([10, 20], [1, 1], 0.0, eq) == pytest.approx(t, abs=1e-12)
    assert one([90, 80], [1, 1], 100.0, eq) == pytest.approx(100 - t, abs=1e-12)  # mirrored
    # linear: the nearer actor's kink for equal weights; 3/t = 1/(20-t) for weights 1, 3
    lin = NBSOptions(power=1.0)
    assert one([10, 20], [1, 1], 0.0, lin) == pytest.approx(10.0, abs=1e-12)
    assert one([10, 20], [1, 3], 0.0, lin) == pytest.approx(15.0, abs=1e-12)
    # quadratic, weights 1, 3: 4/t = 1/(20-t) + 3/(40-t), t^2 - 42.5 t + 400 = 0
    assert one([10, 20], [1, 3], 0.0) == pytest.approx(
        (42.5 - math.sqrt(42.5**2 - 1600)) / 2, abs=1e-12
    )
    assert one([30], [1], 10.0) == pytest.approx(30.0, abs=1e-12)  # one actor: its position
    # a weightless actor at 10 still binds: x <= 20, the weighted actor at 30 wants more
    assert one([10, 30], [0, 1], 0.0) == pytest.approx(20.0, abs=1e-12)


def test_reference_point_outcomes():
    assert one([20, 60], [1, 1], 40.0) == 40.0  # actors on both sides: only rp
    assert one([40, 60, 90], [1, 1, 1], 40.0) == 40.0  # an actor at rp
    assert one([40, 60, 90], [1, 1, 1], 40.0, s=[0, 1, 1]) != 40.0  # ... who does not care
    assert math.isnan(one([60, 90], [1, 1], math.nan))  # no rp
    assert math.isnan(one([60, 90], [1, 1], 40.0, s=[0, 0]))  # nobody cares
    assert math.isnan(one([60, 90], [0, 0], 40.0))  # nobody has weight
    assert one([60, 90], [0, 0], 40.0, NBSOptions(weights="equal")) > 40.0
    assert one([20, 60], [0, 0], 40.0) == 40.0  # the set is {rp} whatever the weights
    assert math.isnan(one([np.nan, np.nan], [1, 1], 40.0))  # no actor


def test_feasible_interval():
    lo, hi = feasible_interval(
        [[60.0, 90.0, np.nan], [20, 60, 50]], [[1, 1, 1], [1, 0, 1]], [40.0, 40]
    )
    np.testing.assert_array_equal(lo, [40.0, 40.0])
    np.testing.assert_array_equal(hi, [80.0, 40.0])
    lo, hi = feasible_interval([[60.0]], [[0.0]], [40.0])
    assert lo[0] == -np.inf and hi[0] == np.inf
    lo, hi = feasible_interval([[60.0]], [[1.0]], [np.nan])
    assert np.isnan(lo[0]) and np.isnan(hi[0])


# -- invariants ------------------------------------------------------------------------------


@SETTINGS
@given(problems(missing=False, rp_missing=False), OPTIONS, st.floats(0, 100))
def test_unanimous_actors_give_their_position(case, options, x0):
    _, s, c, rp = case
    x = np.full_like(s, x0)
    out = nbs(x, s + 0.1, c + 0.1, rp, options)
    close(out, np.full(len(x), x0))


@SETTINGS
@given(problems(), OPTIONS)
def test_solution_is_feasible_and_between_the_bargainers(case, options):
    x, s, c, rp = case
    out = nbs(x, s, c, rp, options)
    lo, hi = feasible_interval(x, s, rp)
    ok = ~np.isnan(out)
    assert np.all(out[ok] >= lo[ok] - 1e-12) and np.all(out[ok] <= hi[ok] + 1e-12)
    moved = ok & (out != rp)
    w = {"equal": np.ones_like(c), "capability": c, "capability-salience": c * s}[options.weights]
    bargainer = ~np.isnan(x) & (s > 0) & (w > 0)
    dist = np.where(bargainer, np.abs(x - rp[:, None]), np.nan)
    near = np.where(bargainer, dist, np.inf).min(axis=1)
    far = np.where(bargainer, dist, -np.inf).max(axis=1)
    side = np.where(bargainer, x - rp[:, None], 0.0).sum(axis=1)
    t = np.abs(out - rp)
    # a solution that moves goes to the bargainers' side of rp, no farther than the
    # farthest bargainer and no nearer than the nearest (unless the interval ends first)
    assert np.all(((out - rp) * side)[moved] > 0)
    assert np.all(t[moved] <= far[moved] + 1e-9)
    assert np.all(t[moved] >= np.minimum(near, hi - lo)[moved] - 1e-9)


@SETTINGS
@given(problems(), OPTIONS)
def test_actor_at_rp_or_on_both_sides_gives_rp(case, options):
    x, s, c, rp = case
    out = nbs(x, s, c, rp, options)
    care = ~np.isnan(x) & (s > 0)
    d = x - rp[:, None]
    stuck = (care & (d == 0)).any(1) | ((care & (d < 0)).any(1) & (care & (d > 0)).any(1))
    stuck &= ~np.isnan(rp)
    np.testing.assert_array_equal(out[stuck], rp[stuck])
    assert np.isnan(out[np.isnan(rp)]).all()


@SETTINGS
@given(problems(), OPTIONS, st.floats(1e-3, 1e3))
def test_scaling_capabilities_changes_nothing(case, options, k):
    x, s, c, rp = case
    np.testing.assert_allclose(nbs(x, s, k * c, rp, options), nbs(x, s, c, rp, options), atol=1e-9)


@SETTINGS
@given(problems(), st.sampled_from(["capability", "equal"]), st.floats(1e-3, 1.0))
def test_positive_saliences_drop_out_of_the_solution(case, weights, k):
    """log(s_i g_i) = log s_i + log g_i: a salience > 0 scales a utility, which the NBS
    ignores, unless the weight itself holds the salience."""
    x, s, c, rp = case
    opts = NBSOptions(weights=weights)
    rescaled = np.where(s > 0, k * np.sqrt(s), s)
    close(nbs(x, rescaled, c, rp, opts), nbs(x, s, c, rp, opts))


@SETTINGS
@given(problems(), OPTIONS, st.integers(0, 2**32 - 1))
def test_permuting_actors_changes_nothing(case, options, seed):
    x, s, c, rp = case
    px, ps, pc = permuted(seed, x, s, c)
    close(nbs(px, ps, pc, rp, options), nbs(x, s, c, rp, options))


@SETTINGS
@given(problems(), OPTIONS, st.floats(-50, 50), st.sampled_from([-2.0, -1.0, 0.5, 1.0, 3.0]))
def test_moving_and_stretching_the_scale_moves_the_solution(case, options, a, b):
    x, s, c, rp = case
    close(nbs(a + b * x, s, c, a + b * rp, options), a + b * nbs(x, s, c, rp, options))


@SETTINGS
@given(problems(), OPTIONS, st.integers(1, 3))
def test_batches_give_bit_identical_rows(case, options, chunk):
    x, s, c, rp = case
    whole = nbs(x, s, c, rp, options)
    for start in range(0, len(x), chunk):
        sl = slice(start, start + chunk)
        np.testing.assert_array_equal(whole[sl], nbs(x[sl], s[sl], c[sl], rp[sl], options))


def test_leading_axes():
    rng = np.random.default_rng(5)
    x = rng.uniform(50, 100, (2, 3, 4))
    out = nbs(x, 1.0, rng.uniform(0, 1, 4), np.full((2, 3), 10.0))
    assert out.shape == (2, 3) and np.all((out > 50) & (out < 100))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: NBSOptions(power=0.5), "power: 0.5 is below 1"),
        (lambda: NBSOptions(power=math.inf), "power: inf is not a finite number"),
        (lambda: NBSOptions(weights="salience"), "weights: unknown option 'salience'"),
        (lambda: NBSOptions(tol=0), "tol: 0 is not in (0, 1e-3]"),
        (lambda: nbs([[1.0]], [[-1.0]], 1, [0.0]), "saliences: negative value -1.0"),
        (lambda: nbs([[1.0]], 1, 1, [[0.0, 1.0]]), "reference_points: shape (1, 2)"),
    ],
)
def test_bad_input_is_one_clear_line(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value) and "\n" not in str(err.value)


# -- the DEU file ----------------------------------------------------------------------------


def test_deu_nbs():
    """NaN exactly where rp is missing; rp wherever an actor who cares sits on rp or actors
    stand on both sides of it (docs/models/nbs.md reports the error)."""
    deu = load_deu()
    ok = deu.select(deu.valid)
    x, s, c, rp = ok.positions, ok.saliences, ok.capabilities, ok.reference_points
    out = nbs(x, s, c, rp)
    has = ~np.isnan(rp)
    assert has.sum() == 129
    np.testing.assert_array_equal(np.isnan(out), ~has)
    care = ~np.isnan(x) & (s > 0)
    d = x - rp[:, None]
    stuck = has & ((care & (d == 0)).any(1) | ((care & (d < 0)).any(1) & (care & (d > 0)).any(1)))
    assert stuck.sum() == 98
    np.testing.assert_array_equal(out[stuck], rp[stuck])
    assert np.all((out[has] >= 0) & (out[has] <= 100))
    close(out[has], ref.nbs(x[has], s[has], c[has], rp[has]))
