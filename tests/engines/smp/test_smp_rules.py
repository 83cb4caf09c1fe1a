"""Hand-worked checks of the SMP's elementwise rules, PCEs and bargain interpolation."""

from __future__ import annotations

import numpy as np
import pytest

from summitry.engines.smp.bargain import interpolate
from summitry.engines.smp.pce import coalitions, pce, victory_matrix
from summitry.engines.smp.rules import (
    distances,
    perceived_risk,
    risk_attitude,
    utility,
    victory_pair,
    vote,
)


@pytest.mark.parametrize(
    ("rule", "w", "du", "expected"),
    [
        ("prop", 2.0, 0.25, 0.5),
        ("binary", 3.0, 1e-9, 0.3),  # within the 1e-8 band the binary vote is linear
        ("binary", 3.0, -0.5, -3.0),
        ("propbin", 1.0, 0.5, 0.6),  # 0.8 * 0.5 + 0.2 * 1
        ("propcbc", 1.0, 0.5, 0.3125),  # (0.5 + 0.125) / 2
        ("cubic", 2.0, 0.5, 0.25),
        ("asymprosp", 1.0, 0.3, 0.2),  # gains count two thirds
        ("asymprosp", 1.0, -0.3, -0.3),
        ("asymprosp", 1.0, 0.0, 0.0),
    ],
)
def test_votes(rule: str, w: float, du: float, expected: float) -> None:
    assert float(vote(rule, w, np.array(du))) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("model", "s1", "s2", "p1"),
    [
        ("linear", 3.0, 1.0, 0.75),
        ("square", 3.0, 1.0, 0.9),
        ("quartic", 1.0, 1.0, 0.5),
        ("octic", 2.0, 1.0, 256.0 / 257.0),
        ("binary", 1.1, 1.0, 1.0 / (1.0 + 1e-6)),  # a 10% edge wins outright
        ("binary", 1.0, 1.2, 1e-6 / (1.0 + 1e-6)),
        ("binary", 1.05, 1.0, (1.05 / 2.05 * 2.1 - 1.0) / 0.1),  # linear in between
        ("binary", 1.0, 1.0, 0.5),
    ],
)
def test_victory_probabilities(model: str, s1: float, s2: float, p1: float) -> None:
    a, b = victory_pair(model, np.array(s1), np.array(s2))
    assert float(a) == pytest.approx(p1, rel=1e-12)
    assert float(a + b) == pytest.approx(1.0, rel=1e-15)


def test_utility_and_distance() -> None:
    assert float(utility(np.array(0.5), 1.0)) == pytest.approx(0.75)  # risk averse: concave
    assert float(utility(np.array(0.5), -0.5)) == pytest.approx(0.375)
    assert float(utility(np.array(0.0), 0.7)) == 1.0
    assert float(utility(np.array(1.0), 0.7)) == 0.0
    ideal = np.array([[0.2, 0.4]])
    pos = np.array([[0.6, 0.4], [0.2, 0.4]])
    sal = np.array([[0.5, 0.5]])
    np.testing.assert_allclose(distances(ideal, pos, sal), [[np.sqrt(0.08), 0.0]])


def test_risk_attitudes_span_their_ranges() -> None:
    p = np.array([0.1, 0.2, 0.7])
    np.testing.assert_allclose(risk_attitude(p, "mid"), [-0.5, -0.25, 1.0])
    np.testing.assert_allclose(risk_attitude(p, "min"), [0.0, 1 / 6, 1.0])
    np.testing.assert_allclose(risk_attitude(p, "max"), [-1.0, -2 / 3, 1.0])
    np.testing.assert_array_equal(risk_attitude(np.full(3, 1 / 3), "mid"), 0.0)
    rp = perceived_risk(np.array([0.9, -0.3]), "one-third")
    assert rp[0, 1] == pytest.approx(0.5)  # (2 * 0.9 - 0.3) / 3
    assert rp[1, 1] == pytest.approx(-0.3)
    np.testing.assert_allclose(perceived_risk(np.array([0.9, -0.3]), "full"), [[0.9, -0.3]] * 2)


@pytest.mark.parametrize("model", ["conditional", "markov-uniform", "markov-incentive"])
def test_two_option_elections(model: str) -> None:
    """Three voters of weight 1 favour option 0 by 1; one favours option 1 by 1: C = 3 : 1.

    Conditional: P0 = 0.5 * 0.75 / (0.5 * 0.75 + 0.5 * 0.25). Markov-uniform's fixed point
    p0 = (p0 + 0.75)/2 is also 0.75; with incentives the challenger is almost always the
    option with support, and 0 holds against 1 three times in four.
    """
    u = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    c = coalitions(u, np.ones(4), "prop")
    np.testing.assert_allclose(c, [[1e-8, 3 + 1e-8], [1 + 1e-8, 1e-8]])
    p = pce(c, victory_matrix(c, "linear"), model)
    np.testing.assert_allclose(p, [0.75, 0.25], atol=1e-5)


def test_padded_options_are_ignored() -> None:
    u = np.array([[1.0, 0.0, 0.3], [0.0, 1.0, 0.9]])
    c = coalitions(u, np.array([2.0, 1.0]), "prop")
    for model in ("conditional", "markov-uniform", "markov-incentive"):
        full = pce(c[:2, :2], victory_matrix(c[:2, :2], "linear"), model)
        padded = pce(c, victory_matrix(c, "linear"), model, np.array([True, True, False]))
        np.testing.assert_allclose(padded, np.append(full, 0.0), atol=1e-15)


def test_bargain_interpolation() -> None:
    one = np.ones(1)
    bi, bj = interpolate(np.zeros(1), one, np.array(0.75), one, one, np.array(0.25), "s2p2")
    # weights 0.75^2 and 0.25^2: both move to 0.1 (rounded to 4 decimals)
    np.testing.assert_array_equal(bi, [0.1])
    np.testing.assert_array_equal(bj, [0.1])
    bi, bj = interpolate(np.zeros(1), one, np.array(0.75), one, one, np.array(0.25), "s1p1")
    np.testing.assert_array_equal(bi, [0.25])
    bi, bj = interpolate(np.zeros(1), one, np.array(0.75), one, one, np.array(0.25), "s2pmax")
    assert bi[0] == 0.0  # the likelier winner stays
    assert bj[0] == pytest.approx(1 - 0.5 / (1 + 1e-6))  # the other concedes half
