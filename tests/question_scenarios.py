"""A copy of the bundled dprk-2025 scenario with a test ``questions:`` section (shared by
the question, ledger and CLI tests)."""

from __future__ import annotations

from summitry.scenario import resolve_path

QUESTIONS = """
questions:
  - id: signed
    text: Will the US and the DPRK sign an agreement by the end of 2027?
    resolves_by: 2027-12-31
    criteria: A document signed by both governments.
    method:
      type: agreement_by
      base_rate: {per_year: 0.15, note: "test"}
  - id: summit
    text: Will the leaders meet in person before 2027-07-01?
    resolves_by: 2027-07-01
    criteria: A meeting in person.
    method: {type: event_by, model: engage, base_rate: {events: 3, years: 8, note: test}}
  - id: test
    text: A nuclear test before 2027-12-31?
    resolves_by: 2027-12-31
    criteria: A test.
    method: {type: event_by, base_rate: {events: 6, years: 19, note: test}}
  - id: relief
    text: UN sanctions relief by 2027-12-31?
    resolves_by: 2027-12-31
    criteria: A UNSC resolution easing sanctions.
    method: {type: issue_at, issue: sanctions_relief, threshold: 35, agreement: signed}
  - id: denuc
    kind: numeric
    text: Where does denuclearization stand on 2027-12-31?
    resolves_by: 2027-12-31
    criteria: The codebook's scale.
    method: {type: issue_at, issue: denuclearization}
"""


def scenario_text(questions: str = QUESTIONS, name: str = "qtest") -> str:
    """dprk-2025 renamed ``name``, its own questions replaced by ``questions``."""
    text = resolve_path("dprk-2025").read_text()
    if "\nquestions:" in text:
        text = text[: text.index("\nquestions:")] + "\n"
    return text.replace("name: dprk-2025", f"name: {name}", 1) + questions
