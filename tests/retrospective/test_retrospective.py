"""Past episodes as resolved questions: every bundled episode with an outcome and every DEU
issue enters the ledger marked retrospective, resolved from its recorded outcome, scored
apart from real-time forecasts, once."""

from __future__ import annotations

import pytest

from summitry.retrospective import backfill, episode_questions
from summitry.scenario import bundled_names, load
from summitry.store import Store
from summitry.store import ledger as lg


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("retro") / "r.duckdb")
    lines = backfill(store, samples=40, seed=2)
    return store, lines


def test_every_episode_with_an_outcome_is_entered_and_resolved(filled):
    store, _ = filled
    items = lg.entries(store)
    assert items and all(e.retrospective for e in items)
    resolutions = {e.question: e for e in items if e.entry_kind == "resolution"}
    forecasts = {e.question for e in items if e.entry_kind == "forecast"}
    assert set(resolutions) == forecasts
    for name in bundled_names():
        sc = load(name)
        for q in episode_questions(sc):
            r = resolutions[f"{name}/{q.id}"]
            assert sc.outcome is not None
            if q.id == "deal_by_outcome":
                assert sc.outcome.deal is not None
                assert r.outcome == ("yes" if sc.outcome.deal.value else "no")
            else:
                issue = q.id.removesuffix("_at_outcome")
                assert float(r.outcome) == sc.outcome.issues[issue].value
            assert r.resolved_on == sc.outcome.date.isoformat()
    assert any(k.startswith("deu/") for k in forecasts)
    assert lg.verify(store) == []


def test_retrospective_is_scored_apart_and_entered_once(filled):
    store, _ = filled
    items = lg.entries(store)
    assert lg.score(items).n == 0 and lg.score(items).n_numeric == 0
    retro = lg.score(items, "retrospective")
    outcomes = [load(n).outcome for n in bundled_names()]
    deals = sum(1 for oc in outcomes if oc is not None and oc.deal is not None)
    assert retro.n == deals
    assert retro.n_numeric == len(items) // 2 - deals
    for s in retro.items:
        p = s.forecast.probability
        assert p is None or 0.0 <= p <= 1.0
    again = backfill(store, samples=40, seed=2)
    assert all(line.endswith("already in the ledger") for line in again)
    assert len(lg.entries(store)) == len(items)
