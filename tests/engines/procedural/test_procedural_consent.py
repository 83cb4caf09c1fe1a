"""The procedural engine's ``bounds`` (issue-specific consent, docs/models/procedural.md):
against the plain-loop oracle, and the settlement never leaves the narrowed interval."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from summitry.engines.procedural import acceptable_interval, procedural
from summitry.engines.procedural import reference as ref

from ..settlement_strategies import SETTINGS
from .test_procedural import cases


@st.composite
def bounded(draw: st.DrawFn):
    """A case of test_procedural with consent bounds around each reference point: from rp
    itself (a frozen issue) to far beyond every position (no constraint)."""
    x, s, c, rp, gs = draw(cases())
    rows = rp.size
    room = st.one_of(st.just(0.0), st.floats(0, 3), st.just(1e9))
    below = np.array([draw(room) for _ in range(rows)]).reshape(rp.shape)
    above = np.array([draw(room) for _ in range(rows)]).reshape(rp.shape)
    return x, s, c, rp, gs, (rp - below, rp + above)


@SETTINGS
@given(bounded())
def test_bounds_match_the_reference(case):
    x, s, c, rp, gs, (lo_c, hi_c) = case
    got = procedural(x, s, c, rp, gs, bounds=(lo_c, hi_c))
    expected = ref.procedural(
        x, s, c, rp, gs, bounds=(lo_c.reshape(-1).tolist(), hi_c.reshape(-1).tolist())
    )
    np.testing.assert_allclose(got.reshape(-1), expected, rtol=0, atol=1e-9)


@SETTINGS
@given(bounded())
def test_the_settlement_stays_inside_the_bounds_and_the_interval(case):
    x, s, c, rp, gs, (lo_c, hi_c) = case
    out = procedural(x, s, c, rp, gs, bounds=(lo_c, hi_c)).reshape(-1)
    caring = np.where(~np.isnan(s) & (s > 0), x, np.nan)
    lo, hi = (v.reshape(-1) for v in acceptable_interval(caring, rp, gs))
    given_rp = ~np.isnan(rp.reshape(-1)) & ~np.isnan(out)
    assert np.isnan(out[np.isnan(rp.reshape(-1))]).all()
    for v, a, b in ((out, lo_c, hi_c), (out, lo, hi)):
        a, b = np.broadcast_to(a, rp.shape).reshape(-1), np.broadcast_to(b, rp.shape).reshape(-1)
        assert (v[given_rp] >= a[given_rp]).all() and (v[given_rp] <= b[given_rp]).all()


@SETTINGS
@given(bounded())
def test_bounds_far_beyond_the_positions_change_nothing(case):
    x, s, c, rp, gs, _ = case
    wide = (rp - 1e9, rp + 1e9)
    np.testing.assert_array_equal(
        procedural(x, s, c, rp, gs, bounds=wide), procedural(x, s, c, rp, gs)
    )


def test_bounds_must_contain_the_reference_point():
    x, s, c = [[0.0, 10.0]], [[1.0, 0.2]], [[1.0, 1.0]]  # the compromise is 10 / 6
    with pytest.raises(ValueError, match=r"bounds: need lo <= rp <= hi"):
        procedural(x, s, c, [5.0], [], bounds=([6.0], [8.0]))
    with pytest.raises(ValueError, match=r"bounds: each end must fit"):
        procedural(x, s, c, [5.0], [], bounds=([0.0, 1.0, 2.0], [8.0]))
    assert procedural(x, s, c, [5.0], [])[0] == pytest.approx(10 / 6)
    assert procedural(x, s, c, [5.0], [], bounds=([4.0], [7.0]))[0] == 4.0
    assert procedural(x, s, c, [5.0], [], bounds=([5.0], [5.0]))[0] == 5.0  # frozen
