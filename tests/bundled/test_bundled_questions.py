"""The bundled 2026 scenario ships at least five dated questions for 2027, each with
criteria and a method; their answers are probabilities (or ordered quantiles on the scale)
and the same seed seals the same numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from summitry.forecast import forecast
from summitry.questions import answer_all
from summitry.scenario import load


@pytest.fixture(scope="module")
def answers():
    sc = load("dprk-2026")
    return sc, answer_all(forecast(sc, 200, 0))


def test_at_least_five_questions_for_2027(answers):
    sc, _ = answers
    assert sc.questions is not None and len(sc.questions) >= 5
    for q in sc.questions:
        assert q.resolves_by.year == 2027 and q.criteria.strip() and q.text.strip()
    methods = {q.method.type for q in sc.questions}
    assert methods == {"agreement_by", "event_by", "issue_at"}


def test_answers_are_in_range(answers):
    sc, got = answers
    assert [a.question.id for a in got] == [q.id for q in sc.questions]
    for a in got:
        if a.kind == "binary":
            assert 0.0 <= a.probability <= 1.0
        else:
            lo, hi = sc.issue(a.question.method.issue).scale
            qs = list(a.quantiles.values())
            assert qs == sorted(qs) and lo <= qs[0] and qs[-1] <= hi


def test_every_hazard_starts_before_it_resolves(answers):
    _, got = answers
    for a in got:
        if "start" in a.details:
            assert dt.date.fromisoformat(a.details["start"]) < a.question.resolves_by
            assert a.details["days"] > 0
