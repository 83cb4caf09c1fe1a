"""The ``questions:`` section: each mistake gets file:line:field and one message."""

from __future__ import annotations

import pytest

from question_scenarios import scenario_text
from summitry.scenario import ScenarioError, load_text


def errors(questions: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_text(scenario_text(questions), "q.yaml")
    return str(info.value).splitlines()


def q(method: str, extra: str = "", qid: str = "a", when: str = "2027-12-31") -> str:
    return f"""
  - id: {qid}
    text: A question?
    resolves_by: {when}
    criteria: How it resolves.
    method: {method}{extra}
"""


def test_valid_questions_load_and_round_trip():
    text = scenario_text(
        "questions:"
        + q("{type: agreement_by, base_rate: {per_year: 0.1, note: x}, start: 2026-01-01}")
        + q("{type: issue_at, issue: security, threshold: 45, agreement: a}", qid="b")
    )
    sc = load_text(text, "q.yaml")
    assert [x.id for x in sc.questions] == ["a", "b"]
    again = load_text(text, "q.yaml")
    assert again == sc
    data = sc.to_data(json_safe=True)["questions"]
    assert data[0]["resolves_by"] == "2027-12-31" and data[0]["method"]["start"] == "2026-01-01"
    from summitry.store.hashing import scenario_data, scenario_from_data

    assert scenario_from_data(scenario_data(sc)) == sc


def test_no_questions_leaves_the_scenario_hash_alone():
    from summitry.scenario import load
    from summitry.store.hashing import scenario_data

    assert "questions" not in scenario_data(load("dprk-2019-hanoi"))


@pytest.mark.parametrize(
    "section,where,says",
    [
        (
            q("{type: issue_at, issue: sanction_relief, threshold: 3}"),
            "method.issue",
            "unknown issue 'sanction_relief' (did you mean 'sanctions_relief'?)",
        ),
        (
            q("{type: issue_at, issue: security, threshold: 300}"),
            "method.threshold",
            "outside the scale [0, 100]",
        ),
        (
            q("{type: issue_at, issue: security}"),
            "questions[0]",
            "a binary issue_at question needs a threshold",
        ),
        (
            q("{type: issue_at, issue: security, threshold: 5, agreement: zz}"),
            "method.agreement",
            "'zz' is not an agreement_by question",
        ),
        (
            q("{type: agreement_by, base_rate: {per_year: 0.1}}", when="2024-01-01"),
            "resolves_by",
            "is not after the start 2025-09-21",
        ),
        (
            q("{type: agreement_by, base_rate: {per_year: 0.1, events: 2, years: 3}}"),
            "base_rate",
            "give either per_year, or events and years",
        ),
        (
            q("{type: agreement_by, base_rate: {events: 2}}"),
            "method.base_rate",
            "events and years go together",
        ),
        (q("{type: event_by, model: charm, base_rate: {events: 2, years: 3}}"), "method", "charm"),
        (
            q("{type: hazard, base_rate: {per_year: 0.1}}"),
            "method",
            "unknown method type 'hazard' (choose one of: agreement_by, event_by, issue_at)",
        ),
        (q("{base_rate: {per_year: 0.1}}"), "method", "give the method's type"),
        (
            q("{type: agreement_by, base_rate: {per_year: 0.1}}", when="next year"),
            "resolves_by",
            "not a date",
        ),
        (
            q("{type: agreement_by, base_rate: {per_year: 0.1}}")
            + q("{type: agreement_by, base_rate: {per_year: 0.1}}"),
            "questions[1].id",
            "duplicate question id 'a'",
        ),
    ],
)
def test_mistakes_name_file_line_and_field(section, where, says):
    lines = errors("questions:" + section)
    assert any(line.startswith("q.yaml:") and where in line and says in line for line in lines), (
        lines
    )


def test_numeric_hazard_is_refused():
    lines = errors(
        "questions:" + q("{type: agreement_by, base_rate: {per_year: 0.1}}", "\n    kind: numeric")
    )
    assert any("a agreement_by question is binary" in line for line in lines), lines
