"""Dated questions: the hazard against its closed forms, the issue mixture on hand-computed
cases, and the answers of a real forecast (docs/questions.md)."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import numpy as np
import pytest

from question_scenarios import scenario_text
from summitry.forecast import forecast
from summitry.questions import (
    ModelQuantities,
    answer_all,
    by_date,
    mixture,
    pooled,
    reference_window,
    weighted_quantiles,
)
from summitry.scenario import load
from summitry.scenario.questions import BaseRate


def test_reference_window_closed_forms():
    # a year-long window gives the annual rate back; two windows compound
    assert reference_window(BaseRate(per_year=0.2), 365) == pytest.approx(0.2, abs=1e-15)
    assert reference_window(BaseRate(per_year=0.2), 730) == pytest.approx(1 - 0.8**2)
    assert reference_window(BaseRate(per_year=0.2), 182.5) == pytest.approx(1 - 0.8**0.5)
    # Poisson: lambda = 6 / 12 per year over 100 days
    assert reference_window(BaseRate(events=6, years=12), 100) == pytest.approx(
        1 - math.exp(-0.5 * 100 / 365)
    )
    assert reference_window(BaseRate(events=0, years=5), 100) == 0.0


@pytest.mark.parametrize("p,days,window", [(0.1, 365, 182), (0.3, 10, 30), (0.05, 3000, 91)])
def test_by_date_closed_form(p, days, window):
    assert by_date(p, days, window) == pytest.approx(1 - (1 - p) ** (days / window))


def test_by_date_edges():
    assert by_date(0.4, 0, 182) == 0.0
    assert by_date(1.0, 5, 182) == 1.0
    assert by_date(0.0, 5000, 182) == 0.0
    assert by_date(0.3, 182, 182) == pytest.approx(0.3)  # one window: p_w itself


def test_pooled_is_linear():
    assert pooled(0.6, 0.2, 0.25) == pytest.approx(0.25 * 0.6 + 0.75 * 0.2)
    assert pooled(None, 0.2, 0.9) == 0.2  # no model number: the base rate alone
    assert pooled(0.6, 0.2, 1.0) == 0.6
    assert pooled(0.6, 0.2, 0.0) == 0.2


def test_poisson_hazard_equals_the_poisson_law_whatever_the_window():
    rate = BaseRate(events=6, years=19)
    for window in (30, 182, 365, 1000):
        p_w = reference_window(rate, window)
        assert by_date(p_w, 800, window) == pytest.approx(1 - math.exp(-6 / 19 * 800 / 365))


def load_text_file(text):
    from summitry.scenario import load_text

    return load_text(text, "qtest.yaml")


def test_answers_follow_the_equations(qfile):
    sc = load(qfile)
    n = 8
    mq = ModelQuantities(
        p_deal=0.1,
        shares={"engage": 0.5, "pressure": 0.3, "strike": 0.2},
        terms={i: np.full(n, np.nan) for i in sc.issue_ids},
        no_deal={i: np.zeros(n) for i in sc.issue_ids},
    )
    got = {a.question.id: a for a in answer_all(SimpleNamespace(scenario=sc), mq)}
    start = dt.date(2025, 9, 21)
    days = (dt.date(2027, 12, 31) - start).days
    p_ref = 1 - 0.85 ** (182 / 365)
    p_w = 0.5 * 0.1 + 0.5 * p_ref
    assert got["signed"].probability == pytest.approx(1 - (1 - p_w) ** (days / 182))
    d2 = (dt.date(2027, 7, 1) - start).days
    p_w2 = 0.5 * 0.5 + 0.5 * (1 - math.exp(-3 / 8 * 182 / 365))
    assert got["summit"].probability == pytest.approx(1 - (1 - p_w2) ** (d2 / 182))
    assert got["test"].probability == pytest.approx(1 - math.exp(-6 / 19 * days / 365))
    # no sample has deal terms: all weight on the no-deal point (0 < 35)
    assert got["relief"].details["model_probability"] == 0.0
    assert got["relief"].probability == 0.01  # bounded: no answer is certain
    assert got["denuc"].quantiles["p50"] == 0.0
    assert got["signed"].details["windows"] == pytest.approx(days / 182)


def test_issue_at_mixture_hand_computed():
    terms = np.array([40.0, 60.0, np.nan, np.nan])
    none = np.array([0.0, 10.0, 0.0, 10.0])
    for p_deal, expect in [(0.0, 0.0), (1.0, 1.0), (0.25, 0.25 * 1.0 + 0.75 * 0.0)]:
        values, weights = mixture(p_deal, terms, none)
        p = float(weights[values >= 35].sum() / weights.sum())
        assert p == pytest.approx(expect)
    # P(deal) 0 gives the no-deal point, 1 the terms
    v, w = mixture(0.0, terms, none)
    assert weighted_quantiles(v, w, [0.5])[0] == 0.0
    v, w = mixture(1.0, terms, none)
    assert weighted_quantiles(v, w, [0.25, 0.75]) == [40.0, 60.0]
    # half and half: median at the no-deal draws' top, p90 in the terms
    v, w = mixture(0.5, terms, none)
    assert weighted_quantiles(v, w, [0.1, 0.5, 0.9]) == [0.0, 10.0, 60.0]


def test_binary_issue_at_is_the_weighted_share(qfile):
    sc = load(qfile)
    terms = np.array([40.0, 20.0, np.nan, np.nan])  # half of the deals reach 35
    none = np.array([0.0, 0.0, 0.0, 50.0])  # a quarter of the no-deal draws do
    mq = ModelQuantities(
        p_deal=0.2,
        terms={**{i: np.full(4, np.nan) for i in sc.issue_ids}, "sanctions_relief": terms},
        no_deal={**{i: np.zeros(4) for i in sc.issue_ids}, "sanctions_relief": none},
        shares={"engage": 0.3},
    )
    got = {a.question.id: a for a in answer_all(SimpleNamespace(scenario=sc), mq)}
    p_t = got["signed"].probability
    assert got["relief"].details["p_agreement"] == p_t
    assert got["relief"].probability == pytest.approx(p_t * 0.5 + (1 - p_t) * 0.25)


def test_real_forecast_answers_are_probabilities_and_reproducible(qfile):
    sc = load(qfile)
    a1 = answer_all(forecast(sc, 200, 3))
    a2 = answer_all(forecast(sc, 200, 3, chunk=64))
    assert [a.probability for a in a1] == [a.probability for a in a2]
    for a in a1:
        if a.kind == "binary":
            assert 0.0 <= a.probability <= 1.0
        else:
            qs = list(a.quantiles.values())
            assert qs == sorted(qs) and qs[0] >= 0 and qs[-1] <= 100


def test_model_weight_moves_the_answer_monotonically(tmp_path):
    # more weight on a model number above the base rate raises the probability
    out = []
    for w in (0.0, 0.5, 1.0):
        text = scenario_text(
            f"""
questions:
  - id: summit
    text: Meet?
    resolves_by: 2027-07-01
    criteria: In person.
    method: {{type: event_by, model: engage, model_weight: {w},
              base_rate: {{events: 1, years: 10, note: t}}}}
"""
        )
        sc = load_text_file(text)
        mq = ModelQuantities(p_deal=0.1, shares={"engage": 0.6})
        out.append(answer_all(SimpleNamespace(scenario=sc), mq)[0].probability)
    assert out[0] < out[1] < out[2]


@pytest.mark.parametrize("raw", [0.0, 1e-9, 0.004, 0.5, 0.996, 1.0])
def test_binary_answers_are_bounded_and_keep_the_raw_value(raw):
    from summitry.questions import P_BOUND, bounded

    assert P_BOUND <= bounded(raw) <= 1 - P_BOUND
    assert bounded(raw) == min(max(raw, 0.01), 0.99)
