"""The optional ``outcome`` section (what happened in a past episode, for backtests): every
mistake is one located error, the engines never see it, and every copy of a scenario
(``with_values``, the store's canonical JSON) keeps it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summitry.cli import app
from summitry.scenario import ErrorItem, ScenarioError, load, load_text
from summitry.scenario.schema import Outcome, OutcomeIssue
from summitry.store import scenario_data, scenario_from_data, scenario_hash

BASE = """\
name: test-case
title: Test case
date: 2024-05-01
issues:
  - id: security
    label: Security guarantees
    scale: [0, 100]
    status_quo: {value: 10, source: notes}
  - id: trade
    label: Trade access
    scale: [0, 10]
actors:
  - id: north
    name: North
    capability: 0.4
    positions:
      security: 20
      trade: {dist: triangular, low: 1, mode: 2, high: 5}
    salience:
      security: 0.9
      trade: 0.3
  - id: south
    name: South
    capability: {value: 0.6, source: notes}
    positions:
      security: {dist: normal, mean: 70, sd: 10}
      trade: 8
    salience:
      security: 0.5
      trade: {dist: uniform, low: 0.2, high: 0.6}
"""

OUTCOME = """\
outcome:
  date: 2024-06-01
  summary: South gave ground on security.
  deal: {value: true, source: communique}
  issues:
    security: {value: 30, low: 25, high: 40, source: communique, note: judgment}
    trade:
      value: 4
      source: tariff schedule
"""


def with_outcome(old: str = "", new: str = "", text: str = OUTCOME) -> str:
    if old:
        assert text.count(old) == 1, f"{old!r} must occur exactly once"
        text = text.replace(old, new)
    return BASE + text


def line_of(text: str, fragment: str) -> int:
    return next(i + 1 for i, line in enumerate(text.splitlines()) if fragment in line)


def errors(text: str) -> list[ErrorItem]:
    with pytest.raises(ScenarioError) as info:
        load_text(text, "case.yaml")
    return info.value.errors


def test_a_valid_outcome_is_read():
    sc = load_text(with_outcome(), "case.yaml")
    oc = sc.outcome
    assert isinstance(oc, Outcome)
    assert oc.date.isoformat() == "2024-06-01"
    assert oc.summary == "South gave ground on security."
    assert oc.deal is not None and oc.deal.value is True and oc.deal.source == "communique"
    assert list(oc.issues) == ["security", "trade"]
    assert oc.issues["security"].band == (25, 40)
    assert oc.issues["trade"].band == (4, 4)  # no coding band: the value itself


def test_a_scenario_without_an_outcome_has_none():
    assert load_text(BASE, "case.yaml").outcome is None


@pytest.mark.parametrize(
    "text",
    [
        "outcome:\n  date: 2024-06-01\n  deal: {value: false}\n",
        "outcome:\n  date: 2024-06-01\n  issues:\n    trade: {value: 0}\n",
        "outcome:\n  date: 2024-05-01\n  deal: {value: true}\n",  # the scenario's own date
    ],
    ids=["deal only", "issues only", "same day"],
)
def test_deal_or_issues_alone_is_enough(text: str):
    assert load_text(BASE + text, "case.yaml").outcome is not None


def test_without_a_scenario_date_any_outcome_date_is_accepted():
    text = with_outcome("date: 2024-06-01", "date: 1900-01-01").replace("date: 2024-05-01\n", "")
    sc = load_text(text, "case.yaml")
    assert sc.date is None and sc.outcome is not None
    assert sc.outcome.date.isoformat() == "1900-01-01"


@pytest.mark.parametrize(
    ("old", "new", "fragment", "path", "message"),
    [
        (
            "    trade:\n",
            "    trad:\n",
            "trad:",
            "outcome.issues.trad",
            "unknown issue 'trad' (did you mean 'trade'?)",
        ),
        (
            "      value: 4\n",
            "      value: 12\n",
            "value: 12",
            "outcome.issues.trade.value",
            "12 is above 10 (scale [0, 10])",
        ),
        (
            "low: 25",
            "low: -5",
            "low: -5",
            "outcome.issues.security.low",
            "low -5 is below 0 (scale [0, 100])",
        ),
        (
            "high: 40",
            "high: 140",
            "high: 140",
            "outcome.issues.security.high",
            "high 140 is above 100 (scale [0, 100])",
        ),
        (
            "low: 25",
            "low: 35",
            "low: 35",
            "outcome.issues.security.low",
            "low 35 is above the value 30",
        ),
        (
            "high: 40",
            "high: 28",
            "high: 28",
            "outcome.issues.security.high",
            "high 28 is below the value 30",
        ),
        (
            "date: 2024-06-01",
            "date: 2024-04-30",
            "date: 2024-04-30",
            "outcome.date",
            "outcome date 2024-04-30 is before the scenario's date 2024-05-01",
        ),
        (
            "date: 2024-06-01",
            "date: 2024-06-31",
            "date: 2024-06-31",
            "outcome.date",
            "text '2024-06-31' is not a date; write it as 2025-09-21",
        ),
        (
            "  date: 2024-06-01\n",
            "",
            "outcome:",
            "outcome.date",
            "missing required field 'date'",
        ),
        (
            "      value: 4\n",
            "      value: .nan\n",
            "value: .nan",
            "outcome.issues.trade.value",
            ".nan is not a finite number",
        ),
        (
            "high: 40",
            "high: .inf",
            "high: .inf",
            "outcome.issues.security.high",
            ".inf is not a finite number",
        ),
        (
            "      value: 4\n",
            "      value: '4'\n",
            "value: '4'",
            "outcome.issues.trade.value",
            "expected a number, got text '4'",
        ),
        (
            "      value: 4\n",
            "      value: true\n",
            "      value: true",
            "outcome.issues.trade.value",
            "expected a number, got true",
        ),
        (
            "{value: true, source: communique}",
            "{value: 'yes', source: communique}",
            "deal:",
            "outcome.deal.value",
            "expected true or false, got text 'yes'",
        ),
        (
            "{value: true, source: communique}",
            "{value: 1, source: communique}",
            "deal:",
            "outcome.deal.value",
            "expected true or false, got 1",
        ),
        (
            "{value: true, source: communique}",
            "{source: communique}",
            "deal:",
            "outcome.deal.value",
            "missing required field 'value'",
        ),
        (
            "  summary: South gave ground on security.\n",
            "  sumary: South gave ground on security.\n",
            "sumary:",
            "outcome.sumary",
            "unknown field 'sumary' (did you mean 'summary'?)",
        ),
        (
            "      source: tariff schedule\n",
            "      sorce: tariff schedule\n",
            "sorce:",
            "outcome.issues.trade.sorce",
            "unknown field 'sorce' (did you mean 'source'?)",
        ),
        (
            "  summary: South gave ground on security.\n",
            "  summary: 2024\n",
            "summary: 2024",
            "outcome.summary",
            "expected text, got 2024 (put it in quotes)",
        ),
        (
            "    security: {value: 30, low: 25, high: 40, source: communique, note: judgment}\n",
            "    security: 30\n",
            "security: 30",
            "outcome.issues.security",
            "expected a mapping, got 30",
        ),
    ],
)
def test_outcome_errors(old: str, new: str, fragment: str, path: str, message: str):
    text = with_outcome(old, new)
    found = [(e.file, e.line, e.path, e.message) for e in errors(text)]
    assert found == [("case.yaml", line_of(text, fragment), path, message)], found


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("outcome:\n", "the outcome is empty: give its date and a deal, issues or both"),
        ("outcome: {}\n", "the outcome is empty: give its date and a deal, issues or both"),
        ("outcome:\n  date: 2024-06-01\n", "nothing to score: give 'deal', 'issues' or both"),
        (
            "outcome:\n  date: 2024-06-01\n  issues: {}\n",
            "nothing to score: give 'deal', 'issues' or both",
        ),
        ("outcome: 5\n", "expected a mapping, got 5"),
        ("outcome: [2024-06-01]\n", "expected a mapping, got a list"),
    ],
    ids=["null", "empty mapping", "date only", "no issues", "a number", "a list"],
)
def test_an_outcome_with_nothing_to_score_is_an_error(section: str, message: str):
    text = BASE + section
    found = [(e.line, e.path, e.message) for e in errors(text)]
    assert found == [(line_of(text, "outcome:"), "outcome", message)]


def test_every_outcome_error_is_reported_at_once():
    text = with_outcome("low: 25", "low: 35")
    text = text.replace("date: 2024-06-01", "date: 2024-01-01").replace("value: 4", "value: 11")
    paths = [e.path for e in errors(text)]
    assert paths == [
        "outcome.date",
        "outcome.issues.security.low",
        "outcome.issues.trade.value",
    ]


def test_bundled_files_need_a_source_or_note_on_every_outcome_value():
    text = with_outcome("{value: true, source: communique}", "{value: true}")
    text = text.replace("      source: tariff schedule\n", "")
    with pytest.raises(ScenarioError) as info:
        load_text(text, "test-case.yaml", bundled_stem="test-case")
    outcome_errors = [(e.path, e.message) for e in info.value.errors if e.path.startswith("outc")]
    rule = "bundled scenarios need a source or a note for every outcome value"
    assert outcome_errors == [("outcome.deal", rule), ("outcome.issues.trade", rule)]


# --- the engines never see it; every copy keeps it -------------------------------------------


def test_the_outcome_is_not_a_quantity():
    with_it = load_text(with_outcome(), "case.yaml")
    without = load_text(BASE, "case.yaml")
    assert with_it.quantities() == without.quantities()
    assert not any(p.startswith("outcome") for p, _, _ in with_it.quantities())


def test_with_values_keeps_the_outcome_and_checks_it_again():
    sc = load_text(with_outcome(), "case.yaml")
    changed = sc.with_values({"actors.north.capability": 0.5})
    assert changed.outcome == sc.outcome
    moved = sc.with_values({"outcome.issues.trade.value": 6})
    assert moved.outcome is not None and moved.outcome.issues["trade"] == OutcomeIssue(
        value=6, source="tariff schedule"
    )
    with pytest.raises(ScenarioError) as info:
        sc.with_values({"outcome.issues.trade.value": 60})
    assert [str(e) for e in info.value.errors] == [
        "case.yaml: outcome.issues.trade.value: 60 is above 10 (scale [0, 10])"
    ]


def test_the_stores_canonical_json_round_trips_the_outcome():
    sc = load_text(with_outcome(), "case.yaml")
    data = scenario_data(sc)
    assert data["outcome"]["date"] == "2024-06-01"
    assert data["outcome"]["deal"] == {"value": True, "source": "communique"}
    again = scenario_from_data(json.loads(json.dumps(data)))
    assert again == sc and again.outcome == sc.outcome
    assert scenario_hash(again) == scenario_hash(sc)
    assert scenario_hash(sc) != scenario_hash(load_text(BASE, "case.yaml"))


def test_json_safe_data_holds_the_outcome_date_as_text():
    data = load_text(with_outcome(), "case.yaml").to_data(json_safe=True)
    assert json.loads(json.dumps(data))["outcome"]["date"] == "2024-06-01"


def test_an_outcome_with_a_deal_only_round_trips_without_an_issues_key():
    sc = load_text(BASE + "outcome:\n  date: 2024-06-01\n  deal: {value: false}\n", "c.yaml")
    data = sc.to_data()
    assert data["outcome"] == {"date": sc.outcome.date, "deal": {"value": False}}  # type: ignore[union-attr]
    assert scenario_from_data(scenario_data(sc)) == sc


# --- the command line ------------------------------------------------------------------------


def test_validate_reports_outcome_errors_with_exit_code_2(tmp_path: Path):
    path = tmp_path / "past.yaml"
    text = with_outcome("      value: 4\n", "      value: 12\n")
    path.write_text(text)
    result = CliRunner().invoke(app, ["scenarios", "validate", str(path)])
    assert result.exit_code == 2
    line = line_of(text, "value: 12")
    expected = f"{path}:{line}: outcome.issues.trade.value: 12 is above 10 (scale [0, 10])"
    assert result.stderr.strip().splitlines() == [expected]


def test_show_json_carries_the_outcome(tmp_path: Path):
    path = tmp_path / "past.yaml"
    path.write_text(with_outcome())
    result = CliRunner().invoke(app, ["scenarios", "show", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["scenario"]["outcome"]["date"] == "2024-06-01"
    assert load(path).outcome is not None
