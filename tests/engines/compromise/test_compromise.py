"""The compromise model and its baselines (src/summitry/engines/compromise/).

The batched engine against the plain-loop oracle on generated cases, hand-computed cases,
invariants (unanimity, scale, permutation, batching) and the DEU check
(docs/models/compromise.md).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from summitry.data import compromise as deu_compromise
from summitry.data import load_deu
from summitry.engines.compromise import (
    CompromiseOptions,
    compromise,
    mean_position,
    weighted_median,
)
from summitry.engines.compromise import reference as ref

from ..settlement_strategies import SETTINGS, permuted, problems

OPTIONS = st.one_of(
    st.just(CompromiseOptions()),
    st.builds(
        CompromiseOptions,
        reference=st.just("actor"),
        reference_weight=st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.floats(0, 10)),
    ),
)


def close(a, b) -> None:
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=0, atol=1e-9)


# -- against the oracle ----------------------------------------------------------------------


@SETTINGS
@given(problems(), OPTIONS)
def test_compromise_matches_reference(case, options):
    x, s, c, rp = case
    close(compromise(x, s, c, rp, options), ref.compromise(x, s, c, rp, options))


@SETTINGS
@given(problems())
def test_baselines_match_reference(case):
    x, s, c, _ = case
    close(weighted_median(x, s, c), ref.weighted_median(x, s, c))
    close(mean_position(x), ref.mean_position(x))


# -- by hand ---------------------------------------------------------------------------------


def test_hand_cases():
    x = np.array([[0.0, 100.0]])
    assert compromise(x, [1, 1], [1, 3])[0] == 75.0
    assert compromise(x, [1, 0.5], [1, 3])[0] == 60.0  # weights 1 and 1.5
    rp = np.array([40.0])
    as_actor = CompromiseOptions(reference="actor", reference_weight=1.0)
    assert compromise(x, 1, 1, rp, as_actor)[0] == pytest.approx(140 / 3, abs=1e-12)
    twice = CompromiseOptions(reference="actor", reference_weight=2.0)
    assert compromise(x, 1, 1, rp, twice)[0] == pytest.approx(45.0, abs=1e-12)
    # the rp actor's weight is the mean actor weight (here (1 + 3) / 2 = 2)
    assert compromise(x, 1, [1, 3], rp, as_actor)[0] == pytest.approx(380 / 6, abs=1e-12)
    pos = np.array([10.0, 20.0, 30.0])
    assert weighted_median(pos, 1, [1, 1, 1]) == 20.0
    assert weighted_median(pos, 1, [2, 1, 1]) == 10.0  # 2 of 4 at 10: the lower median
    assert weighted_median(pos, 1, [1, 1, 2]) == 20.0
    assert weighted_median(pos, [1, 1, 0], [1, 1, 5]) == 10.0  # salience 0: no weight
    assert mean_position([10.0, np.nan, 40.0]) == 25.0


def test_missing_inputs():
    x = np.array([[10.0, np.nan, 40.0, 70.0]])
    s = np.array([[1.0, 1.0, np.nan, 1.0]])
    c = np.array([[1.0, 5.0, 1.0, np.nan]])
    assert compromise(x, s, c)[0] == 10.0  # only actor 0 has all three inputs
    assert math.isnan(compromise(x, s, 0.0)[0])  # no weight at all
    assert math.isnan(weighted_median(x, 0.0, c)[0])
    assert math.isnan(mean_position([[np.nan, np.nan]])[0])
    as_actor = CompromiseOptions(reference="actor")
    assert math.isnan(compromise(x, s, c, [np.nan], as_actor)[0])
    assert compromise(x, s, c, [np.nan])[0] == 10.0  # rp unused without the option
    # an empty actor axis
    assert math.isnan(compromise(np.empty((1, 0)), 1, 1)[0])
    assert math.isnan(weighted_median(np.empty((1, 0)), 1, 1)[0])


def test_absent_actor_is_the_same_as_no_column():
    x = np.array([[10.0, np.nan, 40.0], [5.0, 60.0, np.nan]])
    s, c = np.full((2, 3), 0.7), np.array([2.0, 9.0, 1.0])
    full = compromise(x, s, c), weighted_median(x, s, c)
    for r in range(2):
        keep = ~np.isnan(x[r])
        assert compromise(x[r, keep], s[r, keep], c[keep]) == full[0][r]
        assert weighted_median(x[r, keep], s[r, keep], c[keep]) == full[1][r]


# -- invariants ------------------------------------------------------------------------------


@SETTINGS
@given(problems(missing=False), st.floats(0, 100), OPTIONS)
def test_unanimous_actors_give_their_position(case, x0, options):
    _, s, c, rp = case
    s, c = s + 0.1, c + 0.1  # every actor has weight
    x = np.full_like(s, x0)
    if options.reference == "actor":  # rp as an actor must agree too (NaN rp gives NaN,
        rp = np.full_like(rp, x0)  # whatever its weight: docs/models/compromise.md)
    for f in (compromise(x, s, c, rp, options), weighted_median(x, s, c), mean_position(x)):
        close(f, np.full(len(x), x0))


@SETTINGS
@given(problems(), OPTIONS, st.floats(1e-3, 1e3), st.integers(-20, 20))
def test_scaling_capabilities_changes_nothing(case, options, k, e):
    x, s, c, rp = case
    a = compromise(x, s, c, rp, options)
    np.testing.assert_allclose(compromise(x, s, k * c, rp, options), a, rtol=1e-12, atol=1e-12)
    # the median compares sums: a power of two scales them exactly
    np.testing.assert_array_equal(weighted_median(x, s, 2.0**e * c), weighted_median(x, s, c))


@SETTINGS
@given(problems(), OPTIONS, st.integers(0, 2**32 - 1))
def test_permuting_actors_changes_nothing(case, options, seed):
    x, s, c, rp = case
    px, ps, pc = permuted(seed, x, s, c)
    np.testing.assert_allclose(
        compromise(px, ps, pc, rp, options), compromise(x, s, c, rp, options), atol=1e-9
    )
    np.testing.assert_array_equal(weighted_median(px, ps, pc), weighted_median(x, s, c))
    np.testing.assert_allclose(mean_position(px), mean_position(x), atol=1e-9)


@SETTINGS
@given(problems(), OPTIONS)
def test_compromise_lies_between_the_weighted_positions(case, options):
    x, s, c, rp = case
    out = compromise(x, s, c, rp, options)
    pts = np.where(c * s > 0, x, np.nan)
    if options.reference == "actor":
        pts = np.column_stack([pts, rp])
    ok = ~np.isnan(out)
    with np.errstate(all="ignore"):
        lo, hi = np.nanmin(pts, axis=1, initial=np.inf), np.nanmax(pts, axis=1, initial=-np.inf)
    assert np.all(out[ok] >= lo[ok] - 1e-9) and np.all(out[ok] <= hi[ok] + 1e-9)


@SETTINGS
@given(problems(), OPTIONS, st.integers(1, 3))
def test_batches_give_bit_identical_rows(case, options, chunk):
    x, s, c, rp = case
    whole = compromise(x, s, c, rp, options), weighted_median(x, s, c), mean_position(x)
    for start in range(0, len(x), chunk):
        sl = slice(start, start + chunk)
        part = (
            compromise(x[sl], s[sl], c[sl], rp[sl], options),
            weighted_median(x[sl], s[sl], c[sl]),
            mean_position(x[sl]),
        )
        for w, p in zip(whole, part, strict=True):
            np.testing.assert_array_equal(w[sl], p)


def test_leading_axes_and_broadcasting():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, (2, 3, 5))
    s = rng.uniform(0, 1, (2, 3, 5))
    c = rng.uniform(0, 1, 5)  # one capability per actor, shared by every problem
    rp = rng.uniform(0, 100, (2, 3))
    out = compromise(x, s, c, rp, CompromiseOptions(reference="actor"))
    assert out.shape == (2, 3)
    flat = compromise(
        x.reshape(6, 5), s.reshape(6, 5), c, rp.reshape(6), CompromiseOptions("actor")
    )
    np.testing.assert_array_equal(out.reshape(6), flat)
    assert weighted_median(x, s, c).shape == (2, 3) and mean_position(x).shape == (2, 3)


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: compromise([[1.0, 2.0]], [[1.0, -0.5]], 1), "saliences: negative value -0.5"),
        (lambda: compromise([[1.0, np.inf]], 1, 1), "positions: infinite value at [0, 1]"),
        (lambda: compromise([[1.0, 2.0]], [1.0, 1.0, 1.0], 1), "saliences: shape (3,)"),
        (lambda: compromise([[1.0, 2.0]], 1, 1, [1.0, 2.0]), "reference_points: shape (2,)"),
        (lambda: compromise(3.0, 1, 1), "positions: need an actor axis"),
        (lambda: CompromiseOptions(reference="rp"), "reference: unknown option 'rp'"),
        (lambda: CompromiseOptions(reference_weight=-1), "reference_weight: -1"),
        (lambda: CompromiseOptions(reference_weight=math.nan), "reference_weight: nan"),
    ],
)
def test_bad_input_is_one_clear_line(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value) and "\n" not in str(err.value)


# -- the DEU file ----------------------------------------------------------------------------


def test_deu_compromise_error():
    """The README of the DEU data reports MAE 23.95 on the 171 valid issues with the
    Commission and the Parliament at the largest member's power, the reader's default
    convention (docs/data-deu.md)."""
    deu = load_deu()
    ok = deu.select(deu.valid)
    x = compromise(ok.positions, ok.saliences, ok.capabilities)
    assert np.isfinite(x).sum() == 171
    np.testing.assert_allclose(x, deu_compromise(ok), rtol=0, atol=1e-9)
    assert abs(np.mean(np.abs(x - ok.outcomes)) - 23.95) < 1.0
    for f in (
        weighted_median(ok.positions, ok.saliences, ok.capabilities),
        mean_position(ok.positions),
    ):
        assert np.isfinite(f).all() and np.all((f >= 0) & (f <= 100))
