"""The integrated forecast's mixture on hand-computed cases (docs/integrated.md)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from summitry.integrated.mixture import intervals, mixture, probability, quantile


def test_no_deal_gives_the_no_deal_point() -> None:
    b = np.array([[10.0, 50.0], [20.0, 60.0], [30.0, 70.0]])
    y = mixture(np.zeros(3, dtype=bool), np.array([99.0, 1.0]), b)
    assert np.array_equal(y, b)
    assert intervals(y[:, 0])["median"] == 20.0


def test_a_sure_deal_gives_the_terms() -> None:
    b = np.array([[10.0, 50.0], [20.0, 60.0]])
    y = mixture(np.ones(2, dtype=bool), np.array([99.0, 1.0]), b)
    assert np.array_equal(y, [[99.0, 1.0], [99.0, 1.0]])
    rec = intervals(y[:, 1])
    assert rec["median"] == 1.0
    assert all(pair == [1.0, 1.0] for pair in rec["intervals"].values())


def test_a_twenty_percent_deal_mixes_the_two_points() -> None:
    """2 of 10 draws at the terms 80, 8 at the status quo 0: F(0) = 0.8, F(80) = 1, so the
    median and the 50% interval [Q(0.25), Q(0.75)] are 0, the 80% interval [Q(0.1), Q(0.9)]
    is [0, 80], and no value lies between."""
    deal = np.array([True] * 2 + [False] * 8)
    y = mixture(deal, np.array([80.0]), np.zeros((10, 1)))[:, 0]
    rec = intervals(y)
    assert probability(deal) == pytest.approx(0.2)
    assert rec["median"] == 0.0
    assert rec["intervals"]["50"] == [0.0, 0.0]
    assert rec["intervals"]["80"] == [0.0, 80.0]
    assert rec["intervals"]["95"] == [0.0, 80.0]


def test_quantiles_are_attained_values() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    assert quantile(x, 0.5) == 2.0  # inf {y : F(y) >= 0.5}, no interpolation to 2.5
    assert quantile(x, 0.51) == 3.0
    assert quantile(x, 1.0) == 4.0


def test_bad_shapes_and_nan_are_refused() -> None:
    with pytest.raises(ValueError, match="deal"):
        mixture(np.zeros(2, dtype=bool), np.zeros(1), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="NaN"):
        intervals(np.array([1.0, np.nan]))


@given(
    st.lists(st.booleans(), min_size=1, max_size=40),
    st.floats(0, 100),
    st.lists(st.floats(0, 100), min_size=40, max_size=40),
)
def test_the_mixture_stays_within_its_parts(deal, term, no_deal) -> None:
    d = np.array(deal)
    b = np.array(no_deal[: d.size])[:, None]
    y = mixture(d, np.array([term]), b)[:, 0]
    assert np.array_equal(y[d], np.full(d.sum(), term))
    assert np.array_equal(y[~d], b[~d, 0])
    rec = intervals(y)
    lo, hi = min(term, b.min()), max(term, b.max())
    for pair in rec["intervals"].values():
        assert lo <= pair[0] <= rec["median"] <= pair[1] <= hi
        assert pair[0] in y and pair[1] in y
    assert 0.0 <= probability(d) <= 1.0
