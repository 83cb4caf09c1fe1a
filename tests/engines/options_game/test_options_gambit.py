"""Cross-checks of the options engine against Gambit (pygambit, the summitry[games] extra)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summitry.engines.options_game import (
    DEFAULT_LAMBDAS,
    OptionsPayoffs,
    OptionsResult,
    logit_qre,
    solve,
)
from summitry.engines.options_game import gambit as og
from summitry.engines.options_game import reference as ref

from .test_options_strategies import distinct_grid_payoffs, float_payoffs, grid_payoffs

gbt = pytest.importorskip("pygambit")


def _profile(res: OptionsResult, i: int) -> og.PureProfile:
    r = [int(x) for x in res.replies[i]]
    return int(res.choice[i]), (r[0], r[1], r[2])


@settings(max_examples=40, deadline=None)
@given(grid_payoffs(max_batch=2))
def test_spe_is_among_gambits_nash_equilibria(pay: OptionsPayoffs) -> None:
    """Ties included: our tie-broken SPE is one of Gambit's pure equilibria, has zero regret
    by Gambit's own measure, and passes the SPE filter over Gambit's output."""
    res = solve(pay, lambdas=[0.0])
    for i in range(pay.n_samples):
        ours = _profile(res, i)
        assert ours in og.pure_equilibria(pay, i)
        assert og.max_regret(pay, i, ours) == 0.0
        assert ours in og.subgame_perfect_equilibria(pay, i)


@settings(max_examples=40, deadline=None)
@given(distinct_grid_payoffs(max_batch=2))
def test_generic_games_have_one_spe_and_it_is_ours(pay: OptionsPayoffs) -> None:
    res = solve(pay, lambdas=[0.0])
    for i in range(pay.n_samples):
        assert og.subgame_perfect_equilibria(pay, i) == [_profile(res, i)]


@settings(max_examples=25, deadline=None)
@given(grid_payoffs(max_batch=2))
def test_gambit_lcp_equilibria_are_nash_by_the_reference(pay: OptionsPayoffs) -> None:
    """The other direction: each equilibrium Gambit's LCP solver returns (which may rest on a
    non-credible threat, so it need not be our SPE) passes the reference's regret test."""
    for i in range(pay.n_samples):
        eqs = og.lcp_equilibria(pay, i)
        assert eqs
        for q_a, q_b in eqs:
            assert ref.regret(pay.a[i].tolist(), pay.b[i].tolist(), q_a, q_b.tolist()) <= 1e-12


@settings(max_examples=20, deadline=None)
@given(float_payoffs(max_batch=2), st.sampled_from([(0.5, 2.0), DEFAULT_LAMBDAS, (1.0, 7.5, 30.0)]))
def test_numpy_qre_agrees_with_gambit_logit(
    pay: OptionsPayoffs, lambdas: tuple[float, ...]
) -> None:
    g_a, g_b, reached = og.logit_qre(pay, lambdas)
    q_a, q_b, _, _ = logit_qre(pay, lambdas)
    np.testing.assert_allclose(
        reached, np.broadcast_to(np.array(lambdas)[:, None], reached.shape), rtol=1e-6
    )
    np.testing.assert_allclose(g_a, q_a, rtol=0, atol=1e-6)
    np.testing.assert_allclose(g_b, q_b, rtol=0, atol=1e-6)


def test_gambit_qre_handles_zero_repeats_and_order() -> None:
    a = [[0.6, 0.3], [0.4, 0.2], [0.1, 0.2]]
    b = [[0.5, 0.4], [0.3, 0.35], [0.0, 0.05]]
    pay = OptionsPayoffs.from_arrays(a, b)
    lambdas = [5.0, 0.0, 1.0, 5.0]
    g_a, g_b, _ = og.logit_qre(pay, lambdas, sample=0)
    q_a, q_b, _, _ = logit_qre(pay, lambdas)
    np.testing.assert_allclose(g_a, q_a, atol=1e-6)
    np.testing.assert_allclose(g_b, q_b, atol=1e-6)
    np.testing.assert_array_equal(g_a[0], g_a[3])


def test_efg_export_round_trips_through_gambit() -> None:
    rng = np.random.default_rng(7)
    pay = OptionsPayoffs.from_arrays(rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 3, 2)))
    text = og.to_efg(pay, sample=1)
    assert text.startswith("EFG 2 R") and '"United States"' in text and '"DPRK"' in text
    game = gbt.read_efg(io.StringIO(text))
    assert [p.label for p in game.players] == ["United States", "DPRK"]
    root = game.root
    assert [c.prior_action.label for c in root.children] == ["Engage", "Pressure", "Strike"]
    for j, child in enumerate(root.children):
        for k, leaf in enumerate(child.children):
            assert leaf.outcome.label == f"{child.prior_action.label}+{leaf.prior_action.label}"
            assert float(leaf.outcome["United States"]) == pay.a[1, j, k]
            assert float(leaf.outcome["DPRK"]) == pay.b[1, j, k]


@pytest.mark.campaign
@settings(max_examples=400, deadline=None)
@given(grid_payoffs(max_batch=3, span=4), float_payoffs(max_batch=2))
def test_campaign_spe_and_qre_against_gambit(grid: OptionsPayoffs, pay: OptionsPayoffs) -> None:
    res = solve(grid, lambdas=[0.0])
    for i in range(grid.n_samples):
        assert _profile(res, i) in og.subgame_perfect_equilibria(grid, i)
    lambdas = (*DEFAULT_LAMBDAS, 100.0, 500.0)
    g_a, g_b, _ = og.logit_qre(pay, lambdas)
    q_a, q_b, _, _ = logit_qre(pay, lambdas)
    np.testing.assert_allclose(g_a, q_a, atol=1e-6)
    np.testing.assert_allclose(g_b, q_b, atol=1e-6)
