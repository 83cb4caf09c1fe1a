"""The forecast layer: engines run on sampled scenarios, summarised reproducibly."""

from __future__ import annotations

import numpy as np
import pytest

import summitry as sm
from summitry.engines.eum.reference import simulate_one
from summitry.forecast import _ends, forecast
from summitry.scenario import load_text


@pytest.fixture(scope="module")
def ec():
    return sm.load("ec-emissions-1994")


@pytest.fixture(scope="module")
def dprk():
    return sm.load("dprk-2025")


def test_point_forecast_of_the_ec_case_matches_the_reference(ec):
    fc = forecast(ec, point=True)
    assert fc.samples == 1
    assert fc.result.median[0, 0, 0] == 7.0
    assert fc.result.mean[0, 0, 0] == pytest.approx(7.389955686853767, abs=1e-12)
    ref = simulate_one(
        fc.draws.capability[0], fc.draws.position[0, :, 0], fc.draws.salience[0, :, 0], fc.options
    )
    np.testing.assert_allclose(fc.result.median[0, 0], ref.median, atol=1e-9)
    np.testing.assert_allclose(fc.result.positions[0, 0], ref.positions, atol=1e-9)
    traj = fc.summary()[0]["trajectory"]
    assert len(traj["median"]) == fc.options.rounds + 1


def test_variant_and_rounds_override_the_scenario(ec):
    fc = forecast(ec, point=True, variant="scholz-code", rounds=4)
    assert fc.options.votes == "risk" and fc.options.rounds == 4
    assert fc.result.median.shape == (1, 1, 5)


def test_chunk_size_does_not_change_the_numbers(dprk):
    a = forecast(dprk, 700, seed=2, chunk=700)
    b = forecast(dprk, 700, seed=2, chunk=256)
    np.testing.assert_array_equal(a.result.positions, b.result.positions)
    np.testing.assert_array_equal(a.settlement(), b.settlement())


def test_stochastic_conflict_is_reproducible_and_chunk_invariant(dprk):
    sc = dprk.model_copy(deep=True)
    a = forecast(sc, 300, seed=5, chunk=300, variant="default")
    opts = dict(conflict="stochastic")
    base = a.options.with_overrides(**opts)
    from summitry.forecast import forecast_draws
    from summitry.sampling import draw

    r1 = forecast_draws(sc, draw(sc, 300, 5), base).result
    r2 = forecast_draws(sc, draw(sc, 300, 5), base).result
    np.testing.assert_array_equal(r1.positions, r2.positions)
    assert (r1.counts[..., 0] > 0).any(), "the scenario has conflicts to resolve at random"
    halves = [forecast_draws(sc, draw(sc, 150, 5, start=s), base).result for s in (0, 150)]
    np.testing.assert_array_equal(r1.positions, np.concatenate([h.positions for h in halves]))
    det = forecast_draws(sc, draw(sc, 300, 5), a.options).result
    assert not np.array_equal(r1.positions, det.positions)


def test_start_selects_rows_of_the_same_sequence(dprk):
    whole = forecast(dprk, 500, seed=8)
    tail = forecast(dprk, 200, seed=8, start=300)
    np.testing.assert_array_equal(whole.settlement()[300:], tail.settlement())
    outs = tail.outputs()
    issue = dprk.issue_ids[0]
    np.testing.assert_array_equal(outs[f"eum.settlement.{issue}"], tail.settlement()[:, 0])


def test_summary_and_frame_are_consistent(dprk):
    fc = forecast(dprk, 400, seed=1)
    rows = fc.summary()
    assert [r["issue"] for r in rows] == dprk.issue_ids
    df = fc.frame()
    assert len(df) == 400 * len(dprk.issues)
    for k, row in enumerate(rows):
        lo, hi = row["scale"]
        q = row["final_median"]
        assert lo <= q["p10"] <= q["p50"] <= q["p90"] <= hi
        sub = df[df.issue == row["issue"]].final_median.to_numpy()
        assert q["p50"] == pytest.approx(np.quantile(sub, 0.5))
        np.testing.assert_array_equal(sub, fc.settlement()[:, k])
        assert row["nearest_anchor"] is not None
        at = row["nearest_anchor"]["at"]
        anchors = dprk.issues[k].anchors
        assert all(abs(at - q["p50"]) <= abs(a - q["p50"]) for a in anchors)


def test_trace_names_real_moves(ec):
    fc = forecast(ec, point=True)
    trace = fc.trace()["years"] if "years" in fc.trace() else next(iter(fc.trace().values()))
    assert trace, "the EC case has proposals in round 1"
    accepted = [t for t in trace if t.accepted]
    assert accepted
    with pytest.raises(ValueError):
        fc.trace(sample=3)


def test_bad_arguments_raise_value_error(dprk):
    with pytest.raises(ValueError):
        forecast(dprk, 0)
    with pytest.raises(ValueError):
        forecast(dprk, 10, variant="no-such-variant")
    with pytest.raises(ValueError):
        forecast(dprk, 10, chunk=0)


def test_spatial_model_runs_beside_the_expected_utility_model(dprk):
    fc = forecast(dprk, 64, seed=3)
    assert fc.engines == ("eum", "smp", "bargaining") and fc.smp is not None
    assert fc.smp.settlement.shape == (64, len(dprk.issues))
    for k, issue in enumerate(dprk.issues):
        lo, hi = issue.scale
        s = fc.smp.settlement[:, k]
        assert ((s >= lo) & (s <= hi)).all()
        np.testing.assert_array_equal(fc.outputs()[f"smp.settlement.{issue.id}"], s)
    assert "smp" in fc.summary()[0]
    only_eum = forecast(dprk, 64, seed=3, engines=("eum",))
    assert only_eum.smp is None and not any(k.startswith("smp.") for k in only_eum.outputs())
    np.testing.assert_array_equal(only_eum.settlement(), fc.settlement())


def test_spatial_model_is_chunk_invariant_and_seeded(dprk):
    sc = dprk.model_copy(
        update={
            "model": dprk.model.model_copy(
                update={"smp": dprk.model.smp.model_copy(update={"resolution": "stochastic"})}
            )
        }
    )
    a = forecast(sc, 40, seed=6, chunk=40)
    b = forecast(sc, 40, seed=6, chunk=15)
    np.testing.assert_array_equal(a.smp.settlement, b.smp.settlement)
    np.testing.assert_array_equal(a.smp.positions, b.smp.positions)
    det = forecast(dprk, 40, seed=6)
    assert not np.array_equal(a.smp.positions, det.smp.positions)


def test_spatial_model_needs_three_actors(ec):
    two = ec.model_copy(update={"actors": ec.actors[:2]})
    fc = forecast(two, point=True)
    assert fc.smp is None and fc.notes and "3 actors" in fc.notes[0]
    with pytest.raises(ValueError, match="at least 3 actors"):
        forecast(two, point=True, engines=("smp",))
    with pytest.raises(ValueError, match="unknown engine"):
        forecast(ec, point=True, engines=("eum", "ktab"))


def test_the_package_exposes_the_forecast_function_not_the_module():
    import sys

    import summitry.forecast  # noqa: F401  (the submodule import must not rebind the name)

    assert callable(sm.forecast) and sm.forecast is sys.modules["summitry.forecast"].forecast


def test_bargaining_model_reports_zone_deal_and_private_offer(dprk):
    fc = forecast(dprk, 300, seed=2)
    deal = fc.deal_summary()
    assert deal is not None and deal["channel"] == dprk.bargaining.channel
    zopa = fc.bargaining.zopa_exists
    assert deal["p_zopa"] == pytest.approx(zopa.mean())
    assert deal["n_zopa"] == zopa.sum() and deal["samples"] == 300
    outs = fc.outputs()
    for issue in dprk.issues:
        terms = outs[f"bargaining.terms.{issue.id}"]
        assert np.isnan(terms[~zopa]).all()
        lo, hi = issue.scale
        assert ((terms[zopa] >= lo) & (terms[zopa] <= hi)).all()
    assert (fc.bargaining.surplus_a[zopa] >= -1e-9).all()
    assert (fc.bargaining.surplus_b[zopa] >= -1e-9).all()
    pi = deal["private_information"]
    assert 0 <= pi["p_deal"] <= 1 and pi["p_breakdown"] == pytest.approx(1 - pi["p_deal"])
    halves = [forecast(dprk, 150, seed=2, start=s) for s in (0, 150)]
    np.testing.assert_array_equal(np.concatenate([h.bargaining.z for h in halves]), fc.bargaining.z)


def test_channel_and_outside_option_move_the_zone_the_right_way(dprk):
    summit = forecast(dprk, 400, seed=4, engines=("bargaining",))
    working = forecast(
        dprk.with_values({"bargaining.channel": "working"}), 400, seed=4, engines=("bargaining",)
    )
    assert working.deal_summary()["ratifiers"] and not summit.deal_summary()["ratifiers"]
    richer = dprk.with_values({"bargaining.outside_options.b": 0.3})
    poorer = dprk.with_values({"bargaining.outside_options.b": -0.2})
    p_rich = forecast(richer, 400, seed=4, engines=("bargaining",)).bargaining.zopa_exists
    p_poor = forecast(poorer, 400, seed=4, engines=("bargaining",)).bargaining.zopa_exists
    assert (p_rich <= p_poor).all() and p_rich.mean() < p_poor.mean()


def test_bargaining_needs_its_section(ec):
    fc = forecast(ec, point=True)
    assert fc.bargaining is None and fc.deal_summary() is None
    assert any("bargaining" in n for n in fc.notes)
    with pytest.raises(ValueError, match="no bargaining section"):
        forecast(ec, point=True, engines=("bargaining",))


OPTIONS = {
    "played_cost": 0.05,
    "summit_gain": 0.03,
    "sanctions_effect": 0.2,
    "enforcement": 0.9,
    "veto": {"dist": "uniform", "low": 0.3, "high": 0.9},
    "pressure_cost": 0.02,
    "escalation_gain": 0.05,
    "crisis_cost_a": 0.05,
    "crisis_cost_b": 0.05,
    "strike_damage": 0.1,
    "strike_gain": 0.05,
    "absorb_cost": 0.1,
    "war_cost_a": 0.6,
    "war_cost_b": 0.9,
    "p_war": 0.3,
}


def test_options_game_builds_on_the_bargaining_results(dprk):
    sc = dprk.with_values({"options": OPTIONS})
    fc = forecast(sc, 200, seed=1)
    game = fc.options_game
    assert game is not None and game.choice.shape == (200,)
    summary = fc.options_summary()
    assert sum(summary["spe"]["paths"].values()) == pytest.approx(1.0)
    # without any veto, sanctions bite harder: pressure can only become more attractive to A
    no_veto = forecast(sc.with_values({"options.veto": 0.0}), 200, seed=1).options_game
    assert (no_veto.choice == 1).mean() >= (game.choice == 1).mean()
    assert fc.to_dict()["options_game"]["spe"] == summary["spe"]
    outs = fc.outputs()
    shares = [outs[f"options.{o}"] for o in ("engage", "pressure", "strike")]
    np.testing.assert_array_equal(sum(shares), np.ones(200))
    assert shares[1].mean() == pytest.approx(summary["spe"]["options"]["Pressure"])


def test_options_section_is_validated(dprk):
    from summitry.scenario import ScenarioError

    with pytest.raises(ScenarioError, match=r"options\.p_war: 1\.5 is above 1"):
        dprk.with_values({"options": {**OPTIONS, "p_war": 1.5}})
    with pytest.raises(ScenarioError, match="strike_gain"):
        dprk.with_values({"options": {k: v for k, v in OPTIONS.items() if k != "strike_gain"}})


# --------------------------------------------------------------------------- issue capability

HAND = """
name: hand-check
title: One issue where the small actor has the say
issues:
  - {id: x, label: Issue x, scale: [0, 100], status_quo: 50}
  - {id: y, label: Issue y, scale: [0, 100], status_quo: 50}
actors:
  - id: big
    name: Big
    capability: 3
    positions: {x: 100, y: 100}
    salience: {x: 0.8, y: 0.8}
  - id: small
    name: Small
    capability: 1
    positions: {x: 0, y: 0}
    salience: {x: 0.9, y: 0.9}
  - id: mid
    name: Mid
    capability: 1
    positions: {x: 40, y: 40}
    salience: {x: 0.5, y: 0.5}
"""
OUTPUT_FIELDS = ("positions", "median", "mean", "counts", "risk", "rounds_run", "cycled")


def _same_outputs(a, b) -> None:
    for name in OUTPUT_FIELDS:
        np.testing.assert_array_equal(getattr(a.result, name), getattr(b.result, name))
    outs_a, outs_b = a.outputs(), b.outputs()
    assert outs_a.keys() == outs_b.keys()
    for name in outs_a:
        np.testing.assert_array_equal(outs_a[name], outs_b[name], err_msg=name)


@pytest.mark.parametrize("name", sm.scenario.bundled_names())
def test_bundled_forecasts_equal_the_one_capability_bridge(name: str):
    """Without capability_by_issue the expected-utility model runs exactly as the bridge
    did before it: one capability (B, n) per actor for every issue."""
    from summitry.engines import eum

    sc = sm.load(name)
    for fc in (forecast(sc, 64, seed=4, engines=("eum",)), forecast(sc, point=True)):
        before = eum.simulate_issues(
            fc.draws.capability, fc.draws.position, fc.draws.salience, fc.options
        )
        if fc.samples > 1:  # a sampled run keeps the first and last rows (docs/limits.md)
            before = _ends(before)
        for field in OUTPUT_FIELDS:
            np.testing.assert_array_equal(getattr(fc.result, field), getattr(before, field))


@pytest.mark.parametrize("name", sm.scenario.bundled_names())
def test_issue_capability_equal_to_the_capability_changes_nothing(name: str):
    """Every actor given capability_by_issue on every issue, equal to its capability: the
    same draws give every output of every engine bit for bit, and so do central values."""
    from dataclasses import replace

    from summitry.forecast import forecast_draws, scenario_options
    from summitry.sampling import draw

    sc = sm.load(name)
    same = sc.with_values(
        {
            f"actors.{a.id}.capability_by_issue.{i}": a.capability
            for a in sc.actors
            for i in sc.issue_ids
        }
    )
    d = draw(sc, 48, 2)
    extra = {
        f"actors.{a.id}.capability_by_issue.{i}": d.capability[:, k]
        for k, a in enumerate(sc.actors)
        for i in sc.issue_ids
    }
    d_same = replace(d, extra={**d.extra, **extra})
    opts = scenario_options(sc)
    _same_outputs(forecast_draws(sc, d, opts), forecast_draws(same, d_same, opts))
    _same_outputs(forecast(sc, point=True), forecast(same, point=True))


def test_issue_capability_moves_the_settlement_on_its_issue_only():
    """Weights c s: big 2.4, small 0.9, mid 0.5 of 3.8, so the weighted median is big's 100
    on both issues. Small's capability 5 on x alone gives it 4.5 of 7.4, more than half: x
    starts (and stays) at small's 0; y is untouched; the spatial model keeps one capability
    per actor and does not see the override."""
    sc = load_text(HAND, "hand.yaml")
    base = forecast(sc, point=True)
    moved = forecast(sc.with_values({"actors.small.capability_by_issue.x": 5}), point=True)
    np.testing.assert_array_equal(base.result.median[0, :, 0], [100.0, 100.0])
    np.testing.assert_array_equal(moved.result.median[0, :, 0], [0.0, 100.0])
    assert moved.settlement()[0, 0] == 0.0 < base.settlement()[0, 0] == 100.0
    for field in OUTPUT_FIELDS:  # issue y runs exactly as before
        np.testing.assert_array_equal(
            getattr(moved.result, field)[:, 1], getattr(base.result, field)[:, 1]
        )
    assert base.smp is not None and moved.smp is not None
    np.testing.assert_array_equal(moved.smp.settlement, base.smp.settlement)


def test_trace_uses_the_issue_capability():
    sc = load_text(HAND, "hand.yaml").with_values({"actors.small.capability_by_issue.x": 5})
    fc = forecast(sc, point=True)
    want = simulate_one(
        np.array([3.0, 5.0, 1.0]),
        np.array([100.0, 0.0, 40.0]),
        np.array([0.8, 0.9, 0.5]),
        fc.options,
    )
    assert fc.trace()["x"] == want.trace
    np.testing.assert_array_equal(fc.result.positions[0, 0], want.positions)


def test_sensitivity_picks_up_issue_capability():
    """small's capability counts on y only, its capability_by_issue.x on x only: each moves
    the settlement of its own issue (past 3.22 small outweighs the others) and nothing else."""
    from summitry import sensitivity as sa

    sc = load_text(HAND, "hand.yaml").with_values(
        {
            "actors.small.capability": {"dist": "uniform", "low": 0.5, "high": 6},
            "actors.small.capability_by_issue.x": {"dist": "uniform", "low": 0.5, "high": 6},
        }
    )
    assert sa.uncertain_inputs(sc) == [
        "actors.small.capability",
        "actors.small.capability_by_issue.x",
    ]
    for issue, drives, inert in (
        ("x", "actors.small.capability_by_issue.x", "actors.small.capability"),
        ("y", "actors.small.capability", "actors.small.capability_by_issue.x"),
    ):
        res = sa.analyze(sc, f"eum.settlement.{issue}", method="morris", n=8, seed=1)
        mu_star = dict(zip(res.names, res.indices["mu_star"], strict=True))
        assert mu_star[drives] > 10.0 and mu_star[inert] == 0.0, (issue, mu_star)


def test_proposer_from_the_scenario_reaches_the_engine(ec):
    from summitry.engines import eum

    sc = ec.with_values({"model.eum.proposer": "sender"})
    fc = forecast(sc, point=True)
    assert fc.options.proposer == "sender" and fc.to_dict()["options"]["proposer"] == "sender"
    want = eum.simulate_issues(
        fc.draws.capability, fc.draws.position, fc.draws.salience, fc.options
    )
    np.testing.assert_array_equal(fc.result.positions, want.positions)
    assert not np.array_equal(fc.result.positions, forecast(ec, point=True).result.positions)
