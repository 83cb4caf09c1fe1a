"""The sealed ledger: append-only and hash-chained (an edited, a deleted, a reordered row are
each named by verify), resolving twice refused, and the scores of a fixture ledger equal
the hand-computed Brier and log scores (docs/questions.md, "The ledger")."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re

import duckdb
import pytest

from question_scenarios import scenario_text
from summitry.forecast import forecast
from summitry.questions import answer_all
from summitry.scenario import load_text
from summitry.store import SCHEMA_VERSION, Store, StoreError
from summitry.store import ledger as lg


@pytest.fixture(scope="module")
def sealed_answers():
    sc = load_text(scenario_text(), "qtest.yaml")
    return sc, answer_all(forecast(sc, 100, 1))


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "ledger.duckdb", lock_timeout=10)


def sql(store, statement, params=()):
    con = duckdb.connect(str(store.path))
    try:
        con.execute(statement, list(params))
    finally:
        con.close()


def fixture_ledger(store, pairs, retrospective=False):
    """One binary question per (probability, outcome), sealed then resolved."""
    rows = []
    for i, (p, _) in enumerate(pairs):
        rows.append(
            {
                "entry_kind": "forecast",
                "question": f"fx/q{i}",
                "scenario_name": "fx",
                "question_kind": "binary",
                "text": f"question {i}",
                "resolves_by": "2027-01-01",
                "probability": p,
                "retrospective": retrospective,
                "package_version": "test",
                "recorded_at": "2026-01-01T00:00:00.000000Z",
            }
        )
    lg.append(store, rows)
    for i, (_, outcome) in enumerate(pairs):
        lg.resolve(store, f"fx/q{i}", outcome, dt.date(2026, 6, 1), retrospective=retrospective)


def test_seal_chains_every_entry(store, sealed_answers):
    sc, answers = sealed_answers
    got = lg.seal(store, sc, answers, seed=1, samples=100)
    assert [e.entry_id for e in got] == list(range(1, len(answers) + 1))
    assert got[0].prev_hash == lg.GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(got))
    stored = lg.entries(store)
    assert stored == got
    assert {e.scenario_hash for e in stored} == {got[0].scenario_hash}
    assert all(e.seed == 1 and e.samples == 100 for e in stored)
    assert all(e.recorded_at.endswith("Z") for e in stored)
    assert lg.verify(store) == []
    # a second seal appends after the first
    more = lg.seal(store, sc, answers[:1], seed=2, samples=100)
    assert more[0].entry_id == len(answers) + 1 and more[0].prev_hash == got[-1].entry_hash
    assert lg.verify(store) == []


def test_an_edited_row_is_named(store, sealed_answers):
    sc, answers = sealed_answers
    lg.seal(store, sc, answers, seed=1, samples=100)
    sql(store, "UPDATE ledger SET probability = 0.99 WHERE entry_id = 2")
    assert lg.verify(store) == ["ledger entry 2: edited (its content does not match its hash)"]


def test_an_edit_with_a_recomputed_hash_breaks_the_chain_at_the_next(store, sealed_answers):
    sc, answers = sealed_answers
    lg.seal(store, sc, answers, seed=1, samples=100)
    e = lg.entry(store, 2)
    forged = lg.Entry(**{**e.__dict__, "text": "another question"})
    digest = lg.entry_hash(forged.hashed())
    sql(
        store,
        "UPDATE ledger SET text = ?, entry_hash = ? WHERE entry_id = 2",
        ["another question", digest],
    )
    problems = lg.verify(store)
    assert len(problems) == 1 and problems[0].startswith("ledger entry 3: not chained to entry 2")


def test_a_deleted_row_is_named(store, sealed_answers):
    sc, answers = sealed_answers
    lg.seal(store, sc, answers, seed=1, samples=100)
    sql(store, "DELETE FROM ledger WHERE entry_id = 3")
    problems = lg.verify(store)
    assert problems[0] == "ledger entry 3: missing (deleted)"
    assert all(p.startswith("ledger entry 4") for p in problems[1:]) and len(problems) == 2


def test_a_deleted_last_row_is_named(store, sealed_answers):
    sc, answers = sealed_answers
    lg.seal(store, sc, answers, seed=1, samples=100)
    n = len(answers)
    sql(store, "DELETE FROM ledger WHERE entry_id = ?", [n])
    assert lg.verify(store) == [
        f"ledger entry {n}: missing at the end (deleted; head is entry {n})"
    ]
    with pytest.raises(StoreError, match="does not end where its head says"):
        lg.seal(store, sc, answers, seed=1, samples=100)


def test_a_reordered_row_is_named(store, sealed_answers):
    sc, answers = sealed_answers
    lg.seal(store, sc, answers, seed=1, samples=100)
    sql(store, "UPDATE ledger SET entry_id = -1 WHERE entry_id = 2")
    sql(store, "UPDATE ledger SET entry_id = 2 WHERE entry_id = 3")
    sql(store, "UPDATE ledger SET entry_id = 3 WHERE entry_id = -1")
    problems = lg.verify(store)
    assert "ledger entry 2: chained after entry 3, not 1 (reordered)" in problems
    assert "ledger entry 3: chained after entry 1, not 2 (reordered)" in problems


def test_resolving_twice_is_refused(store, sealed_answers):
    sc, answers = sealed_answers
    lg.seal(store, sc, answers, seed=1, samples=100)
    today = dt.datetime.now(dt.UTC).date()
    e = lg.resolve(store, "summit", "yes", today)
    assert e.entry_kind == "resolution" and e.question == "qtest/summit" and e.outcome == "yes"
    with pytest.raises(StoreError, match="already resolved"):
        lg.resolve(store, "qtest/summit", "no", today)
    with pytest.raises(StoreError, match="already resolved"):
        lg.seal(store, sc, answers, seed=1, samples=100)
    assert lg.verify(store) == []


def test_resolution_checks(store, sealed_answers):
    sc, answers = sealed_answers
    lg.seal(store, sc, answers, seed=1, samples=100)
    today = dt.datetime.now(dt.UTC).date()
    with pytest.raises(StoreError, match="resolves yes or no"):
        lg.resolve(store, "summit", "maybe", today)
    with pytest.raises(StoreError, match="resolves to a number"):
        lg.resolve(store, "denuc", "yes", today)
    with pytest.raises(StoreError, match="no question 'nothing'"):
        lg.resolve(store, "nothing", "yes", today)
    with pytest.raises(StoreError, match="cannot precede the forecast"):
        lg.resolve(store, "summit", "yes", dt.date(2020, 1, 1))
    assert lg.resolve(store, "denuc", "12.5", today).outcome == "12.5"
    assert len(lg.entries(store)) == len(answers) + 1


def test_scores_equal_hand_computed_values(store):
    pairs = [(0.9, "yes"), (0.2, "no"), (0.6, "no"), (0.3, "yes")]
    fixture_ledger(store, pairs)
    s = lg.score(lg.entries(store))
    assert s.n == 4
    assert s.brier == pytest.approx((0.01 + 0.04 + 0.36 + 0.49) / 4, abs=1e-15)
    expect_log = (math.log(0.9) + math.log(0.8) + math.log(0.4) + math.log(0.3)) / 4
    assert s.log == pytest.approx(expect_log, abs=1e-15)
    assert [(b["low"], b["count"], b["observed"]) for b in s.bins] == [
        (0.2, 1, 0.0),
        (0.3, 1, 1.0),
        (0.6, 1, 0.0),
        (0.9, 1, 1.0),
    ]


def test_retrospective_entries_are_scored_apart(store):
    fixture_ledger(store, [(0.9, "yes")])
    rows = [
        {
            "entry_kind": "forecast",
            "question": "old/q",
            "scenario_name": "old",
            "question_kind": "binary",
            "text": "past",
            "probability": 0.5,
            "retrospective": True,
            "package_version": "test",
            "recorded_at": "2026-01-01T00:00:00.000000Z",
        }
    ]
    lg.append(store, rows)
    lg.resolve(store, "old/q", "no", dt.date(2001, 1, 1), retrospective=True)
    items = lg.entries(store)
    assert lg.score(items).n == 1 and lg.score(items).brier == pytest.approx(0.01)
    assert lg.score(items, "retrospective").brier == pytest.approx(0.25)
    assert lg.score(items, "all").n == 2
    assert lg.verify(store) == []


def test_numeric_scores(store):
    q = {"p05": 0, "p10": 5, "p25": 10, "p50": 20, "p75": 30, "p90": 40, "p95": 50}
    rows = [
        {
            "entry_kind": "forecast",
            "question": f"n/q{i}",
            "scenario_name": "n",
            "question_kind": "numeric",
            "text": "where",
            "quantiles": lg.canonical_json(q),
            "retrospective": False,
            "package_version": "test",
            "recorded_at": "2026-01-01T00:00:00.000000Z",
        }
        for i in range(2)
    ]
    lg.append(store, rows)
    lg.resolve(store, "n/q0", "25", dt.date(2026, 2, 1))
    lg.resolve(store, "n/q1", "45", dt.date(2026, 2, 1))
    s = lg.score(lg.entries(store))
    assert s.n == 0 and s.n_numeric == 2
    assert s.mae == pytest.approx((5 + 25) / 2)
    assert s.cover80 == 0.5 and s.cover90 == 1.0


def test_export_never_overwrites(store, sealed_answers, tmp_path):
    sc, answers = sealed_answers
    lg.seal(store, sc, answers, seed=1, samples=100)
    out = tmp_path / "ledger.parquet"
    lg.export(store, out)
    back = duckdb.sql(f"SELECT entry_id, entry_hash FROM '{out}' ORDER BY entry_id").fetchall()
    assert [r[1] for r in back] == [e.entry_hash for e in lg.entries(store)]
    out.write_text("mine")
    with pytest.raises(StoreError, match="exists"):
        lg.export(store, out)
    assert out.read_text() == "mine"
    csv = lg.export(store, tmp_path / "ledger.csv")
    assert csv.read_text().splitlines()[0].startswith("entry_id,entry_kind,question")


def test_a_version_1_store_gains_the_ledger(tmp_path):
    path = tmp_path / "old.duckdb"
    store = Store(path)
    store.check()
    sql(store, "DROP TABLE ledger")
    sql(store, "UPDATE store_meta SET value = '1' WHERE key = 'schema_version'")
    assert lg.entries(store) == [] and lg.verify(store) == []  # read as it is
    assert len(Store(path).runs()) == 0
    with pytest.raises(StoreError, match="has no ledger yet"):
        lg.export(store, tmp_path / "ledger.csv")
    con = duckdb.connect(str(path), read_only=True)
    version = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    con.close()
    assert version == ("1",)  # reading did not upgrade it
    Store(path).check()  # any write upgrades it
    assert lg.entries(Store(path)) == []
    assert SCHEMA_VERSION == 2


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_an_export_imports_into_a_new_store_with_its_chain_checked(
    store, sealed_answers, tmp_path, suffix
):
    sc, answers = sealed_answers
    lg.seal(store, sc, answers, seed=1, samples=100)
    today = dt.datetime.now(dt.UTC).date()
    lg.resolve(store, lg.entries(store)[0].question, "yes", today)
    out = lg.export(store, tmp_path / f"ledger{suffix}")
    fresh = Store(tmp_path / "fresh.duckdb")
    assert lg.import_export(fresh, out) == len(lg.entries(store))
    assert lg.entries(fresh) == lg.entries(store) and lg.verify(fresh) == []
    with pytest.raises(StoreError, match="already has a ledger"):
        lg.import_export(fresh, out)


def test_an_edited_deleted_or_reordered_export_is_refused(store, sealed_answers, tmp_path):
    sc, answers = sealed_answers
    lg.seal(store, sc, answers, seed=1, samples=100)
    header, *rows = lg.export(store, tmp_path / "ledger.csv").read_text().splitlines()
    assert len(rows) >= 2
    first = rows[0].split(",")
    edited = [",".join([*first[:2], first[2] + "x", *first[3:]]), *rows[1:]]
    cases = {
        "edited": (edited, "entry 1: its content does not match its hash"),
        "deleted": (rows[1:], "entry 2: out of order or missing (expected 1)"),
        "reordered": ([rows[1], rows[0], *rows[2:]], "not chained to the entry before it"),
    }
    for name, (body, message) in cases.items():
        path = tmp_path / f"{name}.csv"
        path.write_text("\n".join([header, *body]) + "\n")
        with pytest.raises(StoreError, match=re.escape(message)):
            lg.import_export(Store(tmp_path / f"{name}.duckdb"), path)
        assert lg.entries(Store(tmp_path / f"{name}.duckdb")) == []
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(StoreError, match="not a ledger export"):
        lg.read_export(other)
