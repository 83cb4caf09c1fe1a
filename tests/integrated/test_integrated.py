"""The integrated forecast of a run: coherence, the no-deal point, model error, invariants
over every bundled scenario and random scenarios (docs/integrated.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summitry.forecast import forecast
from summitry.integrated import MODEL_ERROR_LABEL, integrate, integrated_quantities
from summitry.sampling import draw
from summitry.scenario import Scenario, load
from summitry.scenario.catalog import bundled_names

HERE = Path(__file__).parent
TWO = HERE / "data" / "two-sides.yaml"


@pytest.fixture(scope="module")
def two() -> Scenario:
    return load(TWO)


def check_invariants(fc) -> None:
    """P(deal) <= P(zone), probabilities in [0, 1], every headline value on the scale."""
    ig = integrate(fc)
    rec = ig.summary()
    if rec["kind"] == "deal":
        assert 0.0 <= rec["p_deal"] <= rec["p_zone"] <= 1.0
        assert np.array_equal(ig.deal, ig.deal & fc.bargaining.zopa_exists)
    for k, issue in enumerate(fc.scenario.issues):
        lo, hi = issue.scale
        for y in (ig.y[:, k], ig.y_error[:, k]):
            assert np.all((lo <= y) & (y <= hi))
        row = rec["issues"][k]
        for part in (row, row["with_model_error"]):
            for a, b in part["intervals"].values():
                assert lo <= a <= part["median"] <= b <= hi


def test_a_sure_deal_gives_the_hand_computed_offer(two) -> None:
    """Linear utilities, z0 = (0, 0), d_A = 1 - 0.8 = 0.2, d_B = 1 - 0.7 = 0.3 known to A:
    A's best offer keeps arms at its ideal 1 and gives relief r with u_B = 0.7 r = d_B, so
    r = 3/7; every draw is the same, so P(deal) = 1 and the headline is the offer."""
    ig = integrate(forecast(two, 20, 0))
    assert ig.p_deal == 1.0 and ig.p_zone == 1.0
    assert ig.terms is not None
    assert ig.terms == pytest.approx([100.0, 300.0 / 7.0], abs=1e-9)
    rec = ig.summary()
    assert rec["issues"][1]["median"] == pytest.approx(300.0 / 7.0, abs=1e-9)
    assert rec["issues"][1]["intervals"]["95"] == pytest.approx([300.0 / 7.0] * 2, abs=1e-9)


def test_no_possible_deal_gives_the_status_quo_or_the_breakdown_point(two) -> None:
    sc = two.with_values({"bargaining.outside_options.b": 0.9})
    ig = integrate(forecast(sc, 20, 0))
    assert ig.p_deal == 0.0
    assert np.array_equal(ig.y, np.zeros((20, 2)))
    broken = sc.with_values({"issues.relief.breakdown": {"dist": "uniform", "low": 0, "high": 10}})
    ig2 = integrate(forecast(broken, 20, 0))
    assert np.array_equal(ig2.y[:, 0], np.zeros(20))
    assert np.all((ig2.y[:, 1] > 0) & (ig2.y[:, 1] < 10))
    assert np.array_equal(ig2.y[:, 1], ig2.no_deal[:, 1])
    assert ig2.summary()["issues"][1]["breakdown"] == "issues.relief.breakdown"


def test_a_breakdown_point_leaves_every_other_draw_unchanged() -> None:
    sc = load("dprk-2019-hanoi")
    issue = sc.issue_ids[0]
    broken = sc.with_values({f"issues.{issue}.breakdown": {"dist": "uniform", "low": 0, "high": 5}})
    a, b = draw(sc, 300, 5), draw(broken, 300, 5)
    assert np.array_equal(a.position, b.position)
    assert np.array_equal(a.status_quo, b.status_quo)
    assert all(np.array_equal(a.extra[k], b.extra[k]) for k in a.extra)
    assert set(b.extra) - set(a.extra) == {f"issues.{issue}.breakdown"}


def test_a_breakdown_point_off_the_scale_is_one_clear_error(tmp_path) -> None:
    text = TWO.read_text().replace(
        "    status_quo: 0\n", "    status_quo: 0\n    breakdown: 140\n", 1
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    from summitry.scenario import ScenarioError

    with pytest.raises(
        ScenarioError, match=r"bad.yaml:\d+: issues\[0\].breakdown: 140 is above 100"
    ):
        load(path)


def test_the_deal_is_judged_on_the_draws_so_it_never_exceeds_the_zone(two) -> None:
    """A's offer uses the ratifier's central outside option; F(l*) (A's expected acceptance)
    counts draws whose drawn ratifier refuses every package. Here F(l*) 0.85 > P(zone)
    0.60; the integrated P(deal) stays below P(zone)."""
    sc = two.with_values(
        {
            "bargaining.channel": "working",
            "bargaining.ratifiers.hawks.outside_option": {"dist": "uniform", "low": 0, "high": 0.2},
            "bargaining.outside_options.b": {"dist": "uniform", "low": 0.0, "high": 0.3},
            "actors.hawks.salience.arms": {"dist": "uniform", "low": 0.1, "high": 0.9},
        }
    )
    fc = forecast(sc, 400, 0)
    ig = integrate(fc)
    assert fc.private is not None and ig.p_deal is not None and ig.p_zone is not None
    assert fc.private.p_deal > ig.p_zone  # the incoherence the integrated P(deal) removes
    assert 0.0 < ig.p_deal <= ig.p_zone
    check_invariants(fc)


def test_model_error_is_a_separate_labelled_distribution(two) -> None:
    fc = forecast(two, 200, 3)
    ig = integrate(fc)
    row = ig.summary()["issues"][1]
    assert row["with_model_error"]["label"] == MODEL_ERROR_LABEL
    assert "EU legislation" in MODEL_ERROR_LABEL
    assert row["intervals"]["80"] == pytest.approx([300.0 / 7.0] * 2)  # inputs are fixed
    lo, hi = row["with_model_error"]["intervals"]["80"]
    assert hi - lo > 10.0  # the DEU error law is wide
    again = integrate(forecast(two, 200, 3))
    assert np.array_equal(ig.y_error, again.y_error)  # same seed, same numbers
    assert not np.array_equal(ig.y_error, integrate(forecast(two, 200, 4)).y_error)


def test_the_headline_does_not_depend_on_the_chunk_size() -> None:
    a = integrate(forecast("dprk-2019-hanoi", 300, 2, chunk=64))
    b = integrate(forecast("dprk-2019-hanoi", 300, 2))
    assert np.array_equal(a.y, b.y) and np.array_equal(a.y_error, b.y_error)
    assert a.summary() == b.summary()


def test_quantities_by_name(two) -> None:
    fc = forecast(two, 30, 0)
    q = integrated_quantities(fc)
    assert q["p_deal"] == 1.0 and q["p_zone"] == 1.0
    assert np.array_equal(q["deal"], np.ones(30))
    assert q["issue.relief.terms"] == pytest.approx(300.0 / 7.0)
    assert q["issue.relief.median"] == pytest.approx(300.0 / 7.0)
    for name in ("issue.arms", "issue.arms.no_deal"):
        assert q[name].shape == (30,)
    # fewer than 1,000 samples: ceil(1000 / 30) = 34 model-error draws per sample
    assert q["issue.arms.model_error"].shape == (30 * 34,)


@pytest.mark.parametrize("name", bundled_names())
def test_invariants_on_every_bundled_scenario_and_channel(name: str) -> None:
    sc = load(name)
    channels = [None] if sc.bargaining is None else list(sc.bargaining.channels)
    engines = ("eum",) if sc.bargaining is None else ("bargaining",)
    for channel in channels:
        one = sc if channel is None else sc.with_values({"bargaining.channel": channel})
        check_invariants(forecast(one, 300, 1, engines=engines))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    channel=st.sampled_from(["summit", "working"]),
    pos=st.lists(st.floats(0, 100), min_size=6, max_size=6),
    sal=st.lists(st.floats(0.05, 1.0), min_size=6, max_size=6),
    sq=st.lists(st.floats(0, 100), min_size=2, max_size=2),
    o_b=st.floats(-0.2, 0.4),
    o_r=st.floats(0.0, 0.3),
    tau=st.floats(0.2, 1.0),
    spread=st.floats(0.0, 30.0),
)
def test_invariants_on_random_scenarios(channel, pos, sal, sq, o_b, o_r, tau, spread) -> None:
    sc = load(TWO)
    values: dict[str, object] = {
        "bargaining.channel": channel,
        "bargaining.outside_options.b": {"dist": "uniform", "low": o_b - 0.1, "high": o_b},
        "bargaining.ratifiers.hawks.outside_option": {
            "dist": "uniform",
            "low": 0,
            "high": o_r + 0.01,
        },
        "bargaining.credibility.b": tau,
    }
    for k, (actor, issue) in enumerate(
        (a, i) for a in ("west", "east", "hawks") for i in ("arms", "relief")
    ):
        lo, hi = max(0.0, pos[k] - spread), min(100.0, pos[k] + spread)
        values[f"actors.{actor}.positions.{issue}"] = (
            pos[k] if hi <= lo else {"dist": "uniform", "low": lo, "high": hi}
        )
        values[f"actors.{actor}.salience.{issue}"] = sal[k]
    values["issues.arms.status_quo"] = sq[0]
    values["issues.relief.breakdown"] = sq[1]
    check_invariants(forecast(sc.with_values(values), 64, 0, engines=("bargaining",)))


def test_the_bundled_calibration_is_the_fit_on_the_public_deu_file() -> None:
    import json
    from importlib import resources

    from summitry.calibration.deu import calibrate_deu

    text = resources.files("summitry.data").joinpath("deu-calibration.json").read_text()
    assert json.loads(text) == calibrate_deu(created="2026-12-07").to_dict()


def test_without_a_bargaining_section_the_headline_is_the_stacked_ensemble() -> None:
    """West (capability 1, position 2, salience 0.5) and East (2, 8, 1): compromise
    (1 x 0.5 x 2 + 2 x 1 x 8) / 2.5 = 6.8, weighted median 8, mean 5; no status quo, so the
    reference point's weight drops out and the others are renormalised."""
    from summitry.integrated import deu_calibration

    sc = load(HERE.parent / "scenario" / "data" / "minimal.yaml")
    ig = integrate(forecast(sc, 10, 0, engines=("eum",)))
    w = dict(zip(deu_calibration().models, deu_calibration().weights, strict=True))
    f = {"compromise": 6.8, "weighted-median": 8.0, "mean": 5.0}
    expected = sum(w[m] * f[m] for m in f) / sum(w[m] for m in f)
    assert ig.kind == "settlement" and ig.p_deal is None
    assert ig.y == pytest.approx(np.full((10, 1), expected), abs=1e-12)
    assert "ensemble" in ig.notes[0]
