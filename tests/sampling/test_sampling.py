"""Sampling: reproducible, chunk-invariant draws inside each slot's legal range."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from summitry.sampling import BLOCK, central, draw, from_uniform, issue_capability
from summitry.scenario import load
from summitry.scenario.quantities import Beta, Choice, Fixed, Normal, Triangular, Uniform


@pytest.fixture(scope="module")
def dprk():
    return load("dprk-2025")


def _fields(d):
    return (d.capability, d.position, d.salience, d.status_quo, d.engine_seeds)


def test_same_seed_same_numbers_and_different_seed_different(dprk):
    a, b, c = draw(dprk, 500, 3), draw(dprk, 500, 3), draw(dprk, 500, 4)
    for x, y in zip(_fields(a), _fields(b), strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a.position, c.position)


def test_single_rows_across_a_block_boundary(dprk):
    whole = draw(dprk, 6, 11, start=BLOCK - 3)
    rows = [draw(dprk, 1, 11, start=s) for s in range(BLOCK - 3, BLOCK + 3)]
    np.testing.assert_array_equal(whole.position, np.concatenate([r.position for r in rows]))


@pytest.mark.parametrize("chunk", [333, BLOCK, BLOCK + 7])
def test_any_chunking_gives_the_same_rows(dprk, chunk):
    total = 2 * BLOCK + 100
    whole = draw(dprk, total, 11)
    parts = [draw(dprk, min(chunk, total - s), 11, start=s) for s in range(0, total, chunk)]
    for i, field in enumerate(_fields(whole)):
        np.testing.assert_array_equal(field, np.concatenate([_fields(p)[i] for p in parts]))


def test_draws_respect_legal_ranges(dprk):
    d = draw(dprk, 4000, 5)
    assert (d.capability >= 0).all()
    assert ((d.salience >= 0) & (d.salience <= 1)).all()
    for k, issue in enumerate(dprk.issues):
        lo, hi = issue.scale
        assert ((d.position[:, :, k] >= lo) & (d.position[:, :, k] <= hi)).all()


def test_changing_one_distribution_leaves_the_others_alone(dprk):
    path = "actors.russia.capability"
    other = dprk.with_values({path: 0.05})
    a, b = draw(dprk, 300, 9), draw(other, 300, 9)
    russia = dprk.actor_ids.index("russia")
    assert (b.capability[:, russia] == 0.05).all()
    np.testing.assert_array_equal(
        np.delete(a.capability, russia, 1), np.delete(b.capability, russia, 1)
    )
    np.testing.assert_array_equal(a.position, b.position)


def test_central_values(dprk):
    c = central(dprk)
    assert c.samples == 1
    for i, actor in enumerate(dprk.actors):
        assert c.capability[0, i] == actor.capability.central()
        for k, issue in enumerate(dprk.issue_ids):
            assert c.position[0, i, k] == actor.positions[issue].central()


U = (np.arange(20_000) + 0.5) / 20_000  # a uniform grid: its image is the distribution


@pytest.mark.parametrize(
    ("quantity", "legal", "reference"),
    [
        (Triangular(low=0, mode=5, high=20), (0, 100), stats.triang(0.25, loc=0, scale=20)),
        (Uniform(low=0.2, high=0.6), (0, 1), stats.uniform(0.2, 0.4)),
        (Beta(alpha=2, beta=5), (0, 1), stats.beta(2, 5)),
        (Beta(alpha=2, beta=2, low=10, high=30), (0, 100), stats.beta(2, 2, loc=10, scale=20)),
        (Normal(mean=50, sd=10), (0, 100), stats.truncnorm(-5, 5, loc=50, scale=10)),
        (Normal(mean=5, sd=10), (0, 100), stats.truncnorm(-0.5, 9.5, loc=5, scale=10)),
    ],
)
def test_inverse_transform_matches_the_distribution(quantity, legal, reference):
    x = from_uniform(quantity, U, legal)
    assert legal[0] <= x.min() and x.max() <= legal[1]
    assert stats.kstest(x, reference.cdf).statistic < 1e-3
    assert x.mean() == pytest.approx(reference.mean(), abs=1e-3 * (legal[1] - legal[0]))


def test_normal_truncation_bounds_and_choice_weights():
    x = from_uniform(Normal(mean=0.5, sd=1.0, low=0.4, high=0.7), U, (0, 1))
    assert x.min() >= 0.4 and x.max() <= 0.7
    c = from_uniform(Choice(values=[1, 2, 3], weights=[0.5, 0.25, 0.25]), U, (0, 10))
    assert set(np.unique(c)) == {1.0, 2.0, 3.0}
    assert np.mean(c == 1) == pytest.approx(0.5, abs=1e-3)
    assert (from_uniform(Fixed(value=4.0), U, (0, 10)) == 4.0).all()


def test_bad_requests_are_refused(dprk):
    for kwargs in ({"samples": 0, "seed": 1}, {"samples": 10, "seed": -1}):
        with pytest.raises(ValueError):
            draw(dprk, **kwargs)
    with pytest.raises(ValueError):
        draw(dprk, 10, 1, start=-5)


def test_issue_capability_without_overrides_is_the_capability_on_every_issue(dprk):
    d = draw(dprk, 50, 3)
    cap = issue_capability(dprk, d)
    assert cap.shape == (50, len(dprk.actors), len(dprk.issues))
    for k in range(len(dprk.issues)):
        np.testing.assert_array_equal(cap[:, :, k], d.capability)


def test_issue_capability_places_the_overrides(dprk):
    """An override is drawn right after its actor's capability: the draws before it keep
    their values, the actor's capability on other issues stays, the override's issue gets
    the override's draws (kept in extra by its dotted path)."""
    path = "actors.dprk.capability_by_issue.denuclearization"
    other = dprk.with_values({path: {"dist": "uniform", "low": 0.1, "high": 0.3}})
    a, b = draw(dprk, 400, 9), draw(other, 400, 9)
    k, d = dprk.actor_ids.index("dprk"), dprk.issue_ids.index("denuclearization")
    assert path in b.extra and path not in a.extra
    assert ((b.extra[path] >= 0.1) & (b.extra[path] <= 0.3)).all()
    np.testing.assert_array_equal(a.capability[:, : k + 1], b.capability[:, : k + 1])
    cap = issue_capability(other, b)
    np.testing.assert_array_equal(cap[:, k, d], b.extra[path])
    for e in range(len(dprk.issues)):
        if e != d:
            np.testing.assert_array_equal(cap[:, k, e], b.capability[:, k])
    np.testing.assert_array_equal(np.delete(cap, k, axis=1)[:, :, d], np.delete(b.capability, k, 1))
    assert issue_capability(other, central(other))[0, k, d] == 0.2


def test_an_input_added_by_override_keeps_every_other_draw():
    """Issue-specific capabilities come last in Scenario.quantities(), so setting one (as
    `compare --set` does) leaves every other input's draws as they were: sample-paired."""
    from summitry.compare import paired
    from summitry.forecast import forecast

    sc = load("dprk-2019-hanoi")
    path = "actors.dprk.capability_by_issue.denuclearization"
    more = sc.with_values({path: 0.2})
    paths = [p for p, _, _ in sc.quantities()]
    assert [p for p, _, _ in more.quantities()] == [*paths, path]
    a, b = draw(sc, 300, 5), draw(more, 300, 5)
    assert np.array_equal(a.capability, b.capability)
    assert np.array_equal(a.position, b.position) and np.array_equal(a.salience, b.salience)
    assert np.array_equal(a.status_quo, b.status_quo, equal_nan=True)
    assert np.array_equal(a.engine_seeds, b.engine_seeds)
    assert all(np.array_equal(a.extra[k], b.extra[k]) for k in a.extra)
    assert paired(forecast(sc, 50, 5, engines=("eum",)), forecast(more, 50, 5, engines=("eum",)))
    assert not paired(
        forecast(sc, 50, 5, engines=("eum",)), forecast(more, 50, 6, engines=("eum",))
    )
