"""The procedural (veto) model (src/summitry/engines/procedural/).

The batched interval against the brute-force oracle on generated cases, hand-computed
cases, invariants (the outcome never leaves the acceptable set, every group accepts it,
scale and permutation) and the DEU check (docs/models/procedural.md).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from summitry.data import council, load_deu
from summitry.engines.compromise import CompromiseOptions, compromise
from summitry.engines.procedural import (
    Group,
    ProceduralOptions,
    acceptable_interval,
    procedural,
    project,
    qualified_majority,
    unanimity,
    veto,
)
from summitry.engines.procedural import reference as ref

from ..settlement_strategies import SETTINGS, permuted, problems


@st.composite
def groups(draw: st.DrawFn, rows: int, n: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """1-3 groups: member masks, weights (integer votes or any floats) and quotas from 0 to
    above the members' total, or exactly the weight of some members (a tie, summed in
    another order), some shared by every row and some per row."""
    out = []
    vote = st.one_of(st.integers(0, 10).map(float), st.floats(0, 10, allow_subnormal=False))
    for _ in range(draw(st.integers(1, 3))):
        shape = draw(st.sampled_from([(n,), (rows, n)]))
        size = math.prod(shape)
        m = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size))).reshape(shape)
        w = np.array(draw(st.lists(vote, min_size=size, max_size=size))).reshape(shape)
        mm, ww = np.broadcast_to(m, (rows, n)), np.broadcast_to(w, (rows, n))
        q = []
        for r in range(rows):
            if draw(st.booleans()):
                q.append(float(draw(st.integers(0, int(ww[r][mm[r]].sum()) + 2))))
            else:
                some = draw(st.lists(st.sampled_from(range(n)), unique=True))
                q.append(sum(float(ww[r, i]) for i in reversed(some) if mm[r, i]))
        out.append((m, w, np.array(q)))
    return out


@st.composite
def cases(draw: st.DrawFn):
    x, s, c, rp = draw(problems())
    return x, s, c, rp, draw(groups(*x.shape))


def accepted_weight(x, rp, point, members, weights):
    """Weight of the members who weakly prefer ``point`` to rp (no position: indifferent)."""
    far = 2 * x - rp
    ok = np.isnan(x) | ((np.minimum(rp, far) <= point) & (point <= np.maximum(rp, far)))
    return np.where(members & ok, weights, 0.0).sum()


# -- against the oracle ----------------------------------------------------------------------


@SETTINGS
@given(cases())
def test_interval_matches_reference(case):
    x, _, _, rp, gs = case
    lo, hi = acceptable_interval(x, rp, gs)
    expected = np.array(ref.acceptable_interval(x, rp, gs)).reshape(-1, 2)
    np.testing.assert_array_equal(lo, expected[:, 0])
    np.testing.assert_array_equal(hi, expected[:, 1])


@SETTINGS
@given(cases(), st.sampled_from([CompromiseOptions(), CompromiseOptions("actor", 0.5)]))
def test_outcome_matches_reference(case, comp):
    x, s, c, rp, gs = case
    opts = ProceduralOptions(compromise=comp)
    np.testing.assert_allclose(
        procedural(x, s, c, rp, gs, opts), ref.procedural(x, s, c, rp, gs, opts), rtol=0, atol=1e-9
    )


# -- invariants ------------------------------------------------------------------------------


@SETTINGS
@given(cases())
def test_outcome_never_leaves_the_acceptable_set(case):
    x, s, c, rp, gs = case
    out = procedural(x, s, c, rp, gs)
    caring = np.where(s > 0, x, np.nan)
    lo, hi = acceptable_interval(caring, rp, gs)
    has = ~np.isnan(rp)
    assert np.all((lo[has] <= rp[has]) & (rp[has] <= hi[has]))
    ok = ~np.isnan(out)
    assert np.all((lo[ok] <= out[ok]) & (out[ok] <= hi[ok]))
    for r in np.flatnonzero(ok & (out != rp)):  # a change needs every group's consent
        for m, w, q in gs:
            mm = np.broadcast_to(m, x.shape)[r]
            ww = np.broadcast_to(w, x.shape)[r]
            assert accepted_weight(caring[r], rp[r], out[r], mm, ww) >= q[r] * (1 - 1e-12)
    # the compromise is kept whenever it is acceptable
    point = compromise(x, s, c)
    inside = ok & (lo <= point) & (point <= hi)
    np.testing.assert_array_equal(out[inside], point[inside])
    assert np.isnan(out[~has]).all()


@SETTINGS
@given(cases(), st.integers(0, 2**32 - 1), st.sampled_from([0.5, 2.0, 3.0, 1e3]))
def test_permuting_actors_and_scaling_weights_change_nothing(case, seed, k):
    x, s, c, rp, gs = case
    out = procedural(x, s, c, rp, gs)
    px, ps, pc = permuted(seed, x, s, c)
    pgs = [(*permuted(seed, m, w), q) for m, w, q in gs]
    np.testing.assert_allclose(procedural(px, ps, pc, rp, pgs), out, atol=1e-9)
    scaled = [(m, k * w, k * q) for m, w, q in gs]
    np.testing.assert_array_equal(procedural(x, s, c, rp, scaled), out)


@SETTINGS
@given(cases(), st.integers(1, 3))
def test_batches_give_bit_identical_rows(case, chunk):
    x, s, c, rp, gs = case
    whole = procedural(x, s, c, rp, gs)
    for start in range(0, len(x), chunk):
        sl = slice(start, start + chunk)
        part = [(m if m.ndim == 1 else m[sl], w if w.ndim == 1 else w[sl], q[sl]) for m, w, q in gs]
        np.testing.assert_array_equal(whole[sl], procedural(x[sl], s[sl], c[sl], rp[sl], part))


# -- by hand ---------------------------------------------------------------------------------


def test_hand_cases():
    x = np.array([[50.0, 70.0, 10.0]])
    rp = np.array([40.0])
    # unanimity: actor 2 accepts only [-20, 40] and actor 0 only [40, 60]
    assert acceptable_interval(x, rp, [unanimity([True, True, True])]) == ([40.0], [40.0])
    assert acceptable_interval(x, rp, [unanimity([True, True, False])]) == ([40.0], [60.0])
    # votes 3, 2, 1, quota 5: actors 0 and 1 up to 60; to the left only actor 2 (1 vote)
    qmv = qualified_majority([True, True, True], [3.0, 2.0, 1.0], 5.0)
    assert acceptable_interval(x, rp, [qmv]) == ([40.0], [60.0])
    # quota 2: actor 1 alone may carry x up to 100; 1 vote to the left still short
    lo, hi = acceptable_interval(x, rp, [qualified_majority([1, 1, 1], [3.0, 2.0, 1.0], 2.0)])
    assert (lo[0], hi[0]) == (40.0, 100.0)
    # default quota: 62/87 of the total 6 votes = 4.28 -> the same as quota 5 here
    assert acceptable_interval(x, rp, [qualified_majority([1, 1, 1], [3.0, 2.0, 1.0])]) == (
        [40.0],
        [60.0],
    )
    # a veto player narrows the set; the compromise (c = s = 1: 43.33) stays inside
    assert acceptable_interval(x, rp, [qmv, veto(1, 3)]) == ([40.0], [60.0])
    assert procedural(x, 1.0, 1.0, rp, [qmv])[0] == pytest.approx(130 / 3, abs=1e-12)
    # weights 1, 1, 4 pull the compromise to 28.33, outside [40, 60]: projected onto 40
    assert procedural(x, 1.0, [1.0, 1.0, 4.0], rp, [qmv])[0] == 40.0
    # actor 0 must accept, and it wants less than the compromise of 0 and 1 (60)
    assert procedural(x, 1.0, [1.0, 1.0, 0.0], rp, [veto(0, 3)])[0] == 60.0
    assert procedural(x, 1.0, [0.0, 1.0, 0.0], rp, [veto(0, 3)])[0] == 60.0
    assert procedural(x, 1.0, [0.0, 1.0, 0.0], rp, [])[0] == 70.0  # no requirement


def test_groups_at_the_edges():
    x = np.array([[50.0, np.nan, 10.0]])
    rp = np.array([40.0])
    every = [True, True, True]
    # a member without a position accepts everything: unanimity is actors 0 and 2
    assert acceptable_interval(x, rp, [unanimity([True, True, False])]) == ([40.0], [60.0])
    lo, hi = acceptable_interval(x, rp, [Group(every, [1.0, 1.0, 1.0], 0.0)])
    assert (lo[0], hi[0]) == (-np.inf, np.inf)  # quota 0: no requirement
    assert acceptable_interval(x, rp, [Group(every, [1.0, 1.0, 1.0], 4.0)]) == ([40.0], [40.0])
    assert acceptable_interval(x, rp, [(every, [1.0, 1.0, 1.0], 2.0)]) == ([-20.0], [60.0])
    lo, hi = acceptable_interval(x, [np.nan], [unanimity(every)])
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    # salience 0: indifferent, accepts every x
    out = procedural([[50.0, 70.0]], [[0.0, 1.0]], 1.0, [40.0], [unanimity([True, True])])
    assert out[0] == 70.0
    assert np.isnan(procedural([[50.0, 70.0]], 1.0, 0.0, [40.0], [])[0])  # no weight
    np.testing.assert_array_equal(
        project([5.0, 50.0, np.nan, 99.0], 10.0, 60.0), [10, 50, np.nan, 60]
    )


def test_per_problem_rules():
    """One group carries QMV on one issue and unanimity on the other by its quota."""
    x = np.array([[50.0, 70.0, 10.0], [50.0, 70.0, 10.0]])
    votes = np.array([3.0, 2.0, 1.0])
    council = Group([True, True, True], votes, np.array([5.0, 6.0]))
    parliament = Group(np.array([[False, True, False], [False, False, False]]), 1.0, [1.0, 0.0])
    lo, hi = acceptable_interval(x, [40.0, 40.0], [council, parliament])
    np.testing.assert_array_equal(lo, [40.0, 40.0])
    np.testing.assert_array_equal(hi, [60.0, 40.0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: acceptable_interval([[1.0, 2.0]], [0.0], [([1, 1], [1.0, -1.0], 1.0)]),
            "groups[0].weights",
        ),
        (
            lambda: acceptable_interval([[1.0, 2.0]], [0.0], [([1, 1], [1.0, 1.0], -1.0)]),
            "groups[0].quota",
        ),
        (
            lambda: acceptable_interval(
                [[1.0, 2.0]], [0.0], [unanimity([1, 1]), ([1, 1, 1], 1.0, 1.0)]
            ),
            "groups[1]: members",
        ),
        (lambda: veto(3, 3), "veto: actor 3 is not in 0..2"),
        (lambda: ProceduralOptions(quota_rtol=0.1), "quota_rtol: 0.1 is not in [0, 1e-6]"),
        (lambda: ProceduralOptions(compromise="actor"), "compromise: 'actor' is not"),
    ],
)
def test_bad_input_is_one_clear_line(call, message):
    with pytest.raises(ValueError) as err:
        call()
    assert message in str(err.value) and "\n" not in str(err.value)


# -- the DEU file ----------------------------------------------------------------------------


def deu_groups(data) -> list[Group]:
    """The Council (EU-15 votes; quota 62 under QMV, all 87 under unanimity) and, under
    codecision, the Parliament's consent (docs/models/procedural.md, "DEU")."""
    rule = next(r for r in council.RULES if r.name == "eu15")
    votes = np.zeros(len(data.actors))
    for member, weight in zip(rule.members, rule.weights, strict=True):
        votes[data.actors.index(member)] = weight
    quota = np.where(data.voting_rules == "Unan", votes.sum(), rule.quota)
    cod = data.procedures == "COD"
    ep = np.zeros((len(data), len(data.actors)), bool)
    ep[:, data.actors.index("ep")] = cod
    return [
        qualified_majority(votes > 0, votes, quota),
        Group(ep, ep.astype(float), cod.astype(float)),
    ]


def test_deu_procedural():
    deu = load_deu()
    ok = deu.select(deu.valid)
    x, s, c, rp = ok.positions, ok.saliences, ok.capabilities, ok.reference_points
    gs = deu_groups(ok)
    out = procedural(x, s, c, rp, gs)
    has = ~np.isnan(rp)
    assert has.sum() == 129
    np.testing.assert_array_equal(np.isnan(out), ~has)
    sub = ok.select(has)
    gsub = [(g.members, g.weights, g.quota) for g in deu_groups(sub)]
    expected = ref.procedural(x[has], s[has], c[has], rp[has], gsub)
    np.testing.assert_allclose(out[has], expected, rtol=0, atol=1e-9)
    lo, hi = acceptable_interval(np.where(s > 0, x, np.nan), rp, gs)
    assert np.all((lo[has] <= out[has]) & (out[has] <= hi[has]))
    assert np.all((out[has] >= 0) & (out[has] <= 100))
