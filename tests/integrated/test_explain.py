"""Explanations of the integrated forecast on hand-computed cases (docs/integrated.md,
"Explanations"), its record and the command's JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summitry.cli import app
from summitry.forecast import forecast
from summitry.integrated import WINDOW
from summitry.integrated.explain import drivers, gives, zone_search
from summitry.integrated.record import disagreement_words, headline
from summitry.scenario import Scenario, load

TWO = Path(__file__).parent / "data" / "two-sides.yaml"


@pytest.fixture(scope="module")
def two() -> Scenario:
    return load(TWO)


def test_who_gives_what_relative_to_no_deal(two) -> None:
    """The offer (100, 300/7) against the status quo (0, 0): arms moves to West's ideal and
    away from East's, relief to East's ideal and away from West's."""
    fc = forecast(two, 20, 0)
    got = gives(fc.integrated, fc)
    assert [g["words"] for g in got] == [
        "east gives on arms (0 -> 100)",
        "west gives on relief (0 -> 43)",
    ]
    assert got[0]["gains"] == ["west"] and got[1]["gains"] == ["east"]


def test_the_smallest_change_that_opens_a_zone(two) -> None:
    """A's best package for B keeps u_A at d_A = 0.2: arms 0.25, relief 1, worth
    u_B^eff = 0.3 + 0.7 tau_B - 0.075 to B against d_B = 0.3 + o_B: a zone iff
    o_B <= 0.7 tau_B - 0.075. At the central values (o_B 0.6, tau_B 0.75) there is none;
    the nearest grid values that open one are o_B = 0.3 + 9.5/40 x 0.6 = 0.4425 (below
    0.45; F moves from 0.5 to 0.2375) and tau_B = 0.5 + 37.5/40 x 0.5 = 0.96875 (above
    0.9643; F from 0.5 to 0.9375)."""
    sc = two.with_values(
        {
            "bargaining.outside_options.b": {"dist": "uniform", "low": 0.3, "high": 0.9},
            "bargaining.credibility.b": {"dist": "uniform", "low": 0.5, "high": 1.0},
        }
    )
    got = zone_search(forecast(sc, 50, 0))
    assert got is not None and got["searched"] == 2
    assert got["openers"] == [
        pytest.approx(
            {"input": "bargaining.outside_options.b", "central": 0.6, "value": 0.4425,
             "mass": 0.2625}
        ),
        pytest.approx(
            {"input": "bargaining.credibility.b", "central": 0.75, "value": 0.96875,
             "mass": 0.4375}
        ),
    ]  # fmt: skip
    assert zone_search(forecast(two, 5, 0)) is None  # a zone at the central values


def test_the_drivers_name_only_inputs_that_move_the_number(two) -> None:
    sc = two.with_values(
        {
            "bargaining.outside_options.b": {"dist": "uniform", "low": 0.0, "high": 0.9},
            "actors.west.capability": {"dist": "uniform", "low": 1, "high": 2},
        }
    )
    fc = forecast(sc, 100, 0)
    got = drivers(fc.integrated, fc)
    assert set(got) == {"p_deal", "issue.arms", "issue.relief"}
    for name in got:  # the capability plays no part in the bargaining model
        assert [d["input"] for d in got[name]] == ["bargaining.outside_options.b"]
        assert got[name][0]["mu_star"] > 0


def test_the_record_says_it_in_words(two) -> None:
    sc = two.with_values({"bargaining.outside_options.b": {"dist": "uniform", "low": 0.3,
                                                            "high": 0.9}})  # fmt: skip
    rec = headline(forecast(sc, 200, 0))
    words = rec["words"]
    assert WINDOW in words["p_deal"] and f"P(deal) {rec['p_deal']:.3f}" in words["p_deal"]
    assert rec["p_deal"] <= rec["p_zone"]
    assert words["drivers"][0].startswith("What moves P(deal) most: ")
    assert "explanation" in rec and "no_zone" in rec["explanation"]
    issue = {
        "issue": "arms",
        "median": 0.0,
        "margin": 10.0,
        "evidence": [
            {"label": "expected-utility model", "median": 50.0, "differs": True},
            {"label": "spatial model", "median": 5.0, "differs": False},
        ],
    }
    assert disagreement_words(issue) == (
        "arms: the headline median is 0.0, but expected-utility model 50.0 (more than 10.0 away)."
    )
    assert disagreement_words({**issue, "evidence": issue["evidence"][1:]}) is None


def test_forecast_json_carries_the_integrated_forecast() -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["forecast", str(TWO), "--samples", "30", "--json", "--no-store"])
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    ig = data["integrated"]
    assert ig["kind"] == "deal" and ig["p_deal"] == 1.0 and ig["window"] == WINDOW
    relief = ig["issues"][1]
    assert relief["median"] == pytest.approx(300 / 7) and relief["terms"] == pytest.approx(300 / 7)
    assert "EU legislation" in relief["with_model_error"]["label"]
    alone = runner.invoke(
        app, ["forecast", str(TWO), "--samples", "30", "--json", "--no-store", "--engine", "eum"]
    )
    assert alone.exit_code == 0 and "integrated" not in json.loads(alone.stdout)


def test_compare_leads_with_the_integrated_outputs(two) -> None:
    from summitry.compare import compare

    sc_b = two.with_values({"bargaining.outside_options.b": 0.9})
    fa, fb = forecast(two, 40, 0), forecast(sc_b, 40, 0)
    rows = compare(fa, fb, integrated=True, resamples=200)
    assert [r.output for r in rows[:3]] == [
        "integrated.deal",
        "integrated.arms",
        "integrated.relief",
    ]
    deal = rows[0]
    assert (deal.statistic, deal.a, deal.b) == ("mean", 1.0, 0.0)
    assert rows[2].a == pytest.approx(300 / 7) and rows[2].b == 0.0
    assert all(not r.output.startswith("integrated") for r in compare(fa, fb, resamples=200))
