"""``issues[].consent``: the schema, its checks (file:line: path: message), its quantities
and the bundled-file rule (docs/scenario-format.md, "Issues"; scenario/consent.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_scenario_errors import BASE, edit, line_of
from typer.testing import CliRunner

from cli_output import long_lines, run
from summitry.cli import app
from summitry.scenario import ErrorItem, ScenarioError, load_text
from summitry.scenario.checks import bundled_check

SQ = "    status_quo:\n      value: 10\n      source: notes\n"


def with_consent(block: str) -> str:
    """BASE with ``block`` (lines of the security issue's consent list) after its status quo."""
    return edit(SQ, SQ + "    consent:\n" + block)


def found(text: str) -> list[tuple[str, int | None, str, str]]:
    with pytest.raises(ScenarioError) as info:
        load_text(text, "case.yaml")
    items: list[ErrorItem] = info.value.errors
    return [(e.file, e.line, e.path, e.message) for e in items]


def test_a_consent_list_loads_with_its_tolerances_as_quantities() -> None:
    text = with_consent(
        "      - {actor: south, source: notes}\n"
        "      - actor: north\n"
        "        tolerance: {dist: uniform, low: 0, high: 5, note: judgment}\n"
    )
    sc = load_text(text, "case.yaml")
    consent = sc.issue("security").consent
    assert consent is not None and [c.actor for c in consent] == ["south", "north"]
    assert consent[0].tolerance.central() == 0  # the default: no worse than no deal
    paths = [p for p, _, _ in sc.quantities()]
    # the tolerances come last, in file order, so that they shift no other draw
    assert paths[-2:] == [
        "issues.security.consent.south.tolerance",
        "issues.security.consent.north.tolerance",
    ]
    assert sc.legal_range("issues.security.consent.north.tolerance") == (0, float("inf"))
    assert sc.quantity("issues.security.consent.north.tolerance").central() == 2.5
    # set by dotted path, consenters addressed by their actor id
    changed = sc.with_values({"issues.security.consent.south.tolerance": 7})
    assert changed.quantity("issues.security.consent.south.tolerance").central() == 7
    assert load_text(BASE, "case.yaml").issue("security").consent is None


@pytest.mark.parametrize(
    ("block", "fragment", "path", "message"),
    [
        (
            "      - {actor: west}\n",
            "actor: west",
            "issues[0].consent[0].actor",
            "unknown actor 'west'",
        ),
        (
            "      - {actor: soth}\n",
            "actor: soth",
            "issues[0].consent[0].actor",
            "unknown actor 'soth' (did you mean 'south'?)",
        ),
        (
            "      - {actor: south}\n      - {actor: south, tolerance: 3}\n",
            "tolerance: 3",
            "issues[0].consent[1].actor",
            "'south' already gives consent on this issue (consent[0])",
        ),
        (
            "      - {actor: south, tolerance: -2}\n",
            "tolerance: -2",
            "issues[0].consent[0].tolerance",
            "-2 is below 0 (scale points)",
        ),
        (
            "      - {actor: south, tolerance: .nan}\n",
            "tolerance: .nan",
            "issues[0].consent[0].tolerance",
            ".nan is not a finite number",
        ),
        (
            "      - {actor: south, tolerance: {dist: normal, mean: 1, sd: 2, low: -1}}\n",
            "low: -1",
            "issues[0].consent[0].tolerance.low",
            "low -1 is below 0 (scale points)",
        ),
        (
            "      - {actor: south, tolerance: {dist: uniform, low: 0, hihg: 2}}\n",
            "hihg",
            "issues[0].consent[0].tolerance.hihg",
            "unknown field 'hihg' (did you mean 'high'?)",
        ),
        (
            "      - {actor: south, tolerence: 2}\n",
            "tolerence",
            "issues[0].consent[0].tolerence",
            "unknown field 'tolerence' (did you mean 'tolerance'?)",
        ),
        (
            "      - {tolerance: 2}\n",
            "tolerance: 2",
            "issues[0].consent[0].actor",
            "missing required field 'actor'",
        ),
        (
            "      - {actor: South}\n",
            "actor: South",
            "issues[0].consent[0].actor",
            "'South' is not a valid id (lower-case letters, digits and '_', starting with a "
            "letter)",
        ),
    ],
)
def test_consent_errors_name_file_line_and_field(
    block: str, fragment: str, path: str, message: str
) -> None:
    text = with_consent(block)
    problems = found(text)
    assert ("case.yaml", line_of(text, fragment), path, message) in problems, problems


def test_a_consent_that_is_not_a_list_is_one_clear_error() -> None:
    text = edit(SQ, SQ + "    consent: south\n")
    problems = found(text)
    assert len(problems) == 1, problems
    file, line, path, _ = problems[0]
    assert (file, line, path) == ("case.yaml", line_of(text, "consent: south"), "issues[0].consent")


def test_a_path_adds_a_consenter_and_validation_judges_it() -> None:
    """``issues.<issue>.consent.<actor>.tolerance`` adds the actor to the issue's consent
    list (creating the list) when it is not there; an unknown actor is then reported."""
    sc = load_text(BASE, "case.yaml")
    added = sc.with_values({"issues.security.consent.south.tolerance": 3})
    consent = added.issue("security").consent
    assert consent is not None and [(c.actor, c.tolerance.central()) for c in consent] == [
        ("south", 3)
    ]
    both = added.with_values({"issues.security.consent.north.tolerance": 0})
    assert [c.actor for c in both.issue("security").consent or []] == ["south", "north"]
    with pytest.raises(ScenarioError) as info:
        added.with_values({"issues.security.consent.west.tolerance": 1})
    assert str(info.value) == ("case.yaml: issues.security.consent[1].actor: unknown actor 'west'")
    with pytest.raises(ScenarioError) as info:
        added.with_values({"issues.security.consent.south": 1})
    assert "is a whole item" in str(info.value)


def test_bundled_files_need_a_source_for_each_consenter_and_tolerance() -> None:
    """A consenter without source or note is flagged, and so is a tolerance other than the
    default 0 without its own; a sourced entry with the default tolerance passes."""
    text = with_consent(
        "      - {actor: south}\n      - {actor: north, tolerance: 4, note: judgment}\n"
    )
    sc = load_text(text, "case.yaml")
    flagged = {(loc, msg) for loc, msg in bundled_check(sc, "test-case") if "consent" in loc}
    assert flagged == {
        (
            ("issues", 0, "consent", 0),
            "bundled scenarios need a source or a note for every consenter",
        ),
        (
            ("issues", 0, "consent", 1, "tolerance"),
            "bundled scenarios need a source or a note for every number",
        ),
    }
    sourced = load_text(with_consent("      - {actor: south, source: notes}\n"), "case.yaml")
    assert not [loc for loc, _ in bundled_check(sourced, "test-case") if "consent" in loc]


def test_validate_prints_consent_errors_one_line_each_with_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    text = with_consent("      - {actor: west, tolerance: -1}\n")
    path.write_text(text)
    result = CliRunner().invoke(app, ["scenarios", "validate", str(path)])
    assert result.exit_code == 2
    line = line_of(text, "actor: west")
    assert result.stderr.splitlines() == [
        f"{path}:{line}: issues[0].consent[0].actor: unknown actor 'west'",
        f"{path}:{line}: issues[0].consent[0].tolerance: -1 is below 0 (scale points)",
    ]


def test_scenarios_show_lists_each_consenter_with_its_tolerance_and_source() -> None:
    swap = Path(__file__).parents[1] / "forecasting" / "data" / "consent-swap.yaml"
    assert not long_lines(run("scenarios", "show", str(swap), width=80).stdout, 80)
    wide = run("scenarios", "show", str(swap), "--wide", width=80).stdout
    row = next(
        line for line in wide.splitlines() if "issues.posture.consent.ally.tolerance" in line
    )
    assert "40" in row and "fixed" in row
    assert "the ally accepts up to 40 points of reduction and no more" in row
    assert "Consent: who must accept a deal on an issue" in wide
    assert "ally must accept the terms on posture" in wide
