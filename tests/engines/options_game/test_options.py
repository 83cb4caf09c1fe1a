"""Options game engine: payoffs, SPE, logit QRE, summary; no pygambit needed.

docs/models/options.md.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summitry.engines.options_game import (
    DEFAULT_LAMBDAS,
    OptionsParameters,
    OptionsPayoffs,
    enforcement,
    logit_qre,
    path_labels,
    solve,
    subgame_perfect,
    summarise,
)
from summitry.engines.options_game import gambit as options_gambit
from summitry.engines.options_game import reference as ref
from summitry.engines.options_game.payoffs import payoffs

from .test_options_strategies import (
    build,
    distinct_grid_payoffs,
    float_payoffs,
    grid_payoffs,
    parameters,
)

# --- payoffs ---------------------------------------------------------------------------------


def test_payoffs_by_hand() -> None:
    """Each terminal node against a hand calculation (bite 0.3 * 0.5 = 0.15)."""
    p = OptionsParameters.build(
        e_a_deal=0.7,
        e_b_deal=0.6,
        d_a=0.5,
        d_b=0.4,
        played_cost=0.1,
        summit_gain=0.05,
        sanctions_effect=0.3,
        enforcement=0.5,
        p_deal=0.4,
        alpha_a=0.25,
        pressure_cost=0.02,
        escalation_gain=0.08,
        crisis_cost_a=0.06,
        crisis_cost_b=0.07,
        strike_damage=0.2,
        strike_gain=0.12,
        absorb_cost=0.09,
        war_cost_a=0.8,
        war_cost_b=0.9,
        p_war=0.3,
    )
    pay = payoffs(p)
    want_a = [[0.7, 0.4], [0.7 + 0.015 - 0.02, 0.42], [0.62, 0.26]]
    # B under pressure: 0.6 - 0.15 * (1 - 0.4 * 0.75) = 0.495; escalating 0.4 - 0.15 + 0.08 - 0.07
    want_b = [[0.6, 0.45], [0.495, 0.26], [0.11, -0.07]]
    np.testing.assert_allclose(pay.a[0], want_a, atol=1e-12)
    np.testing.assert_allclose(pay.b[0], want_b, atol=1e-12)


def test_supplied_pressure_deal_overrides_first_order_form() -> None:
    base = {"e_a_deal": 0.7, "e_b_deal": 0.6, "d_a": 0.5, "d_b": 0.4, "sanctions_effect": 0.3}
    p = OptionsParameters.build(**base, pressure_cost=0.1, e_a_pressure=0.9, e_b_pressure=0.1)
    pay = payoffs(p)
    assert pay.a[0, 1, 0] == pytest.approx(0.8)
    assert pay.b[0, 1, 0] == pytest.approx(0.1)


def test_pressure_without_bite_leaves_the_deal_unchanged() -> None:
    """With enforcement 0 (a full veto) talks under pressure are the summit's talks."""
    p = OptionsParameters.build(
        e_a_deal=[0.7, 0.3],
        e_b_deal=[0.6, 0.2],
        d_a=0.5,
        d_b=0.4,
        sanctions_effect=0.5,
        enforcement=enforcement(0.9, 1.0),
    )
    pay = payoffs(p)
    np.testing.assert_array_equal(pay.a[:, 1, 0], pay.a[:, 0, 0])
    np.testing.assert_array_equal(pay.b[:, 1, 0], pay.b[:, 0, 0])


@settings(max_examples=40, deadline=None)
@given(parameters(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_more_enforcement_hurts_b_under_pressure_and_helps_a(
    kw: dict[str, float], e1: float, e2: float
) -> None:
    lo, hi = sorted((e1, e2))
    p_lo, p_hi = (
        payoffs(build({**kw, "enforcement": lo})),
        payoffs(build({**kw, "enforcement": hi})),
    )
    assert np.all(p_hi.b[:, 1, :] <= p_lo.b[:, 1, :] + 1e-12)
    assert np.all(p_hi.a[:, 1, 0] >= p_lo.a[:, 1, 0] - 1e-12)
    # B's relative gain from negotiating under pressure grows with the bite.
    gap = lambda p: p.b[:, 1, 0] - p.b[:, 1, 1]  # noqa: E731
    assert np.all(gap(p_hi) >= gap(p_lo) - 1e-12)
    # Engage and Strike do not depend on sanctions.
    np.testing.assert_array_equal(p_hi.a[:, [0, 2]], p_lo.a[:, [0, 2]])
    np.testing.assert_array_equal(p_hi.b[:, [0, 2]], p_lo.b[:, [0, 2]])


@settings(max_examples=40, deadline=None)
@given(parameters(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_veto_never_makes_pressure_better_for_a(kw: dict[str, float], v1: float, v2: float) -> None:
    """If talks beat a crisis for A (E_A >= d_A - k_A), A's SPE value of Pressure falls with
    the veto: less enforcement, smaller bite, a worse bargain or B escalating."""
    kw = {**kw, "e_a_deal": max(kw["e_a_deal"], kw["d_a"] - kw["crisis_cost_a"])}
    lo, hi = sorted((v1, v2))

    def pressure_value(veto: float) -> float:
        pay = payoffs(build({**kw, "enforcement": enforcement(0.9, veto)}))
        k = int(np.argmax(pay.b[0, 1] >= pay.b[0, 1].max() - 1e-12))
        return float(pay.a[0, 1, k])

    assert pressure_value(hi) <= pressure_value(lo) + 1e-12


@settings(max_examples=30, deadline=None)
@given(parameters(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_war_risk_makes_retaliation_worse_for_both(
    kw: dict[str, float], q1: float, q2: float
) -> None:
    lo, hi = sorted((q1, q2))
    p_lo, p_hi = payoffs(build({**kw, "p_war": lo})), payoffs(build({**kw, "p_war": hi}))
    assert p_hi.a[0, 2, 1] <= p_lo.a[0, 2, 1] + 1e-12
    assert p_hi.b[0, 2, 1] <= p_lo.b[0, 2, 1] + 1e-12


def test_parameters_broadcast_and_validate() -> None:
    p = OptionsParameters.build(e_a_deal=[0.1, 0.2, 0.3], e_b_deal=0.5, d_a=0.4, d_b=0.3)
    assert p.n_samples == 3 and p.d_b.shape == (3,) and p.e_a_pressure is None
    assert payoffs(p).a.shape == (3, 3, 2)
    ok = {"e_a_deal": 0.5, "e_b_deal": 0.5, "d_a": 0.4, "d_b": 0.3}
    bad: list[dict[str, object]] = [
        {"war_cost_a": -0.1},
        {"p_war": 1.5},
        {"enforcement": -0.01},
        {"alpha_a": 2.0},
        {"d_a": math.nan},
        {"e_a_deal": [0.1, 0.2], "d_b": [0.1, 0.2, 0.3]},
        {"d_a": [[0.1]]},
        {"e_a_pressure": 0.5},
    ]
    for extra in bad:
        with pytest.raises(ValueError):
            OptionsParameters.build(**{**ok, **extra})  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        enforcement(0.5, 1.2)
    with pytest.raises(ValueError):
        OptionsPayoffs.from_arrays(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError):
        OptionsPayoffs.from_arrays(np.full((3, 2), np.inf), np.zeros((3, 2)))


# --- subgame-perfect equilibrium -------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.one_of(grid_payoffs(max_batch=6), float_payoffs()))
def test_spe_matches_reference_backward_induction(pay: OptionsPayoffs) -> None:
    choice, replies, v_a, v_b = subgame_perfect(pay)
    for i in range(pay.n_samples):
        r_choice, r_replies, r_a, r_b = ref.spe(pay.a[i].tolist(), pay.b[i].tolist())
        assert choice[i] == r_choice
        assert replies[i].tolist() == r_replies
        assert v_a[i] == r_a and v_b[i] == r_b


@settings(max_examples=60, deadline=None)
@given(st.one_of(grid_payoffs(max_batch=6), float_payoffs()))
def test_spe_is_nash_and_sequentially_rational(pay: OptionsPayoffs) -> None:
    res = solve(pay, lambdas=[0.0])
    for i in range(pay.n_samples):
        a, b = pay.a[i].tolist(), pay.b[i].tolist()
        q_a = [1.0 if j == res.choice[i] else 0.0 for j in range(3)]
        q_b = [[1.0 if k == res.replies[i, j] else 0.0 for k in range(2)] for j in range(3)]
        assert ref.regret(a, b, q_a, q_b) <= 1e-12
        for j in range(3):  # best reply at every node, reached or not
            assert b[j][res.replies[i, j]] >= max(b[j]) - 1e-12
        assert res.value_a[i] == a[res.choice[i]][res.reply[i]]
        assert res.path[i] == 2 * res.choice[i] + res.reply[i]


def test_ties_go_to_the_less_escalatory_move() -> None:
    flat = OptionsPayoffs.from_arrays(np.zeros((3, 2)), np.zeros((3, 2)))
    choice, replies, _, _ = subgame_perfect(flat)
    assert choice.tolist() == [0] and replies.tolist() == [[0, 0, 0]]
    # Pressure and Strike tie for A at 1.0, above Engage: Pressure wins the tie.
    a = [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0]]
    b = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    choice, replies, v_a, _ = subgame_perfect(OptionsPayoffs.from_arrays(a, b))
    assert choice.tolist() == [1] and replies.tolist() == [[1, 0, 0]] and v_a.tolist() == [1.0]


def test_non_credible_threat_is_not_subgame_perfect() -> None:
    """B would like to threaten to retaliate, but absorbing is better for it once struck."""
    a = [[0.5, 0.3], [0.4, 0.2], [0.9, 0.0]]
    b = [[0.6, 0.4], [0.5, 0.3], [0.2, 0.1]]
    res = solve(OptionsPayoffs.from_arrays(a, b))
    assert (int(res.choice[0]), int(res.reply[0])) == (2, 0)
    # Retaliation would still be a Nash equilibrium threat: (Engage, retaliate if struck).
    assert ref.regret(a, b, [1.0, 0.0, 0.0], [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]) == 0.0


@settings(max_examples=30, deadline=None)
@given(grid_payoffs(max_batch=6))
def test_batch_equals_samples_one_by_one(pay: OptionsPayoffs) -> None:
    whole = solve(pay)
    for i in range(pay.n_samples):
        one = solve(pay.sample(i))
        assert one.choice[0] == whole.choice[i] and one.reply[0] == whole.reply[i]
        np.testing.assert_allclose(one.qre_a[:, 0], whole.qre_a[:, i], rtol=0, atol=1e-15)
        np.testing.assert_allclose(one.qre_b[:, 0], whole.qre_b[:, i], rtol=0, atol=1e-15)


# --- logit QRE -------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(float_payoffs(), st.lists(st.floats(0.0, 200.0), min_size=1, max_size=4))
def test_qre_matches_reference(pay: OptionsPayoffs, lambdas: list[float]) -> None:
    q_a, q_b, v_a, v_b = logit_qre(pay, lambdas)
    for li, lam in enumerate(lambdas):
        for i in range(pay.n_samples):
            r_a, r_b, r_va, r_vb = ref.qre(pay.a[i].tolist(), pay.b[i].tolist(), lam)
            np.testing.assert_allclose(q_a[li, i], r_a, rtol=0, atol=1e-12)
            np.testing.assert_allclose(q_b[li, i], r_b, rtol=0, atol=1e-12)
            assert v_a[li, i] == pytest.approx(r_va, abs=1e-12)
            assert v_b[li, i] == pytest.approx(r_vb, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(float_payoffs())
def test_qre_is_a_probability_and_uniform_at_zero(pay: OptionsPayoffs) -> None:
    q_a, q_b, _, _ = logit_qre(pay, DEFAULT_LAMBDAS)
    assert np.all(q_a >= 0.0) and np.all(q_b >= 0.0)
    np.testing.assert_allclose(q_a.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(q_b.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(q_a[0], 1.0 / 3.0, atol=1e-15)
    np.testing.assert_allclose(q_b[0], 0.5, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(distinct_grid_payoffs(max_batch=5))
def test_qre_approaches_the_spe(pay: OptionsPayoffs) -> None:
    """Generic games: B's probability of its best reply rises with lambda; at lambda = 1e4
    (advantages of at least 1/16) both players play the SPE almost surely."""
    lambdas = [0.0, 1.0, 10.0, 100.0, 1000.0, 1e4]
    res = solve(pay, lambdas)
    idx = np.arange(pay.n_samples)
    on_best = np.take_along_axis(res.qre_b, res.replies[None, :, :, None], axis=-1)[..., 0]
    assert np.all(np.diff(on_best, axis=0) >= -1e-15)
    np.testing.assert_allclose(on_best[-1], 1.0, atol=1e-9)
    np.testing.assert_allclose(res.qre_a[-1, idx, res.choice], 1.0, atol=1e-9)
    np.testing.assert_allclose(res.qre_value_a[-1], res.value_a, atol=1e-9)
    np.testing.assert_allclose(res.qre_value_b[-1], res.value_b, atol=1e-9)


def test_bad_lambdas_are_rejected() -> None:
    pay = OptionsPayoffs.from_arrays(np.zeros((3, 2)), np.zeros((3, 2)))
    for lam in ([-1.0], [math.inf], [[1.0, 2.0]]):
        with pytest.raises(ValueError):
            logit_qre(pay, lam)


# --- summary ---------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(grid_payoffs(max_batch=8))
def test_summary_counts_and_means(pay: OptionsPayoffs) -> None:
    res = solve(pay)
    out = summarise(res)
    json.dumps(out)  # JSON-ready
    n = pay.n_samples
    assert out["samples"] == n
    paths = out["spe"]["paths"]
    assert list(paths) == path_labels()
    for t, label in enumerate(path_labels()):
        j, k = divmod(t, 2)
        count = sum(1 for i in range(n) if res.choice[i] == j and res.reply[i] == k)
        assert paths[label] == pytest.approx(count / n)
    assert sum(out["spe"]["options"].values()) == pytest.approx(1.0)
    assert out["spe"]["value_a"] == pytest.approx(float(np.mean(res.value_a)))
    assert [row["lambda"] for row in out["qre"]] == list(DEFAULT_LAMBDAS)
    for li, row in enumerate(out["qre"]):
        assert sum(row["paths"].values()) == pytest.approx(1.0)
        assert row["options"]["Strike"] == pytest.approx(float(np.mean(res.qre_a[li, :, 2])))
        retaliate = float(np.mean(res.qre_b[li, :, 2, 1]))
        assert row["replies"]["Strike"]["Retaliate"] == pytest.approx(retaliate)


def test_seed_story_sanctions_without_enforcement_and_a_costly_strike() -> None:
    """Illustrative values (not a scenario): with Russia's veto the sanctions' bite is small,
    B escalates under pressure, a strike invites retaliation, and A's best option is the
    summit; with full enforcement B would negotiate under pressure and A would pressure."""
    common = {
        "e_a_deal": 0.62,
        "e_b_deal": 0.58,
        "d_a": 0.55,
        "d_b": 0.50,
        "played_cost": 0.05,
        "summit_gain": 0.06,
        "sanctions_effect": 0.25,
        "p_deal": 0.5,
        "alpha_a": 0.5,
        "pressure_cost": 0.02,
        "escalation_gain": 0.15,
        "crisis_cost_a": 0.10,
        "crisis_cost_b": 0.05,
        "strike_damage": 0.10,
        "strike_gain": 0.10,
        "absorb_cost": 0.30,
        "war_cost_a": 0.60,
        "war_cost_b": 0.90,
        "p_war": 0.25,
    }
    veto = OptionsParameters.build(**common, enforcement=enforcement(0.9, 0.9))
    full = OptionsParameters.build(**common, enforcement=enforcement(0.9, 0.0))
    r_veto, r_full = solve(veto), solve(full)
    assert r_veto.replies[0].tolist() == [0, 1, 1]
    assert (int(r_veto.choice[0]), int(r_veto.reply[0])) == (0, 0)
    assert (int(r_full.choice[0]), int(r_full.reply[0])) == (1, 0)


# --- pygambit stays optional -----------------------------------------------------------------


def test_engine_import_does_not_load_pygambit() -> None:
    code = (
        "import sys; import summitry.engines.options_game, summitry.engines.options_game.gambit; "
        "print('pygambit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_pygambit_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygambit", None)  # makes `import pygambit` fail
    pay = OptionsPayoffs.from_arrays(np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(options_gambit.GambitUnavailable, match=r"summitry\[games\]"):
        options_gambit.to_efg(pay)
    assert solve(pay).choice.tolist() == [0]  # the numpy engine does not care
