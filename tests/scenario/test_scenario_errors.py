"""Every kind of mistake in a scenario file is reported with file, line, field path and a
short message; all mistakes of a file are reported together."""

from __future__ import annotations

from pathlib import Path

import pytest

from summitry.scenario import ErrorItem, ScenarioError, load, load_text

BASE = """\
name: test-case
title: Test case
date: 2024-05-01
issues:
  - id: security
    label: Security guarantees
    scale: [0, 100]
    anchors:
      0: none
      50: partial
    status_quo:
      value: 10
      source: notes
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
model:
  eum:
    variant: default
    rounds: 12
"""


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def line_of(text: str, fragment: str, nth: int = 0) -> int:
    """1-based line of the ``nth`` line containing ``fragment``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if fragment in line]
    return hits[nth]


def errors(text: str) -> list[ErrorItem]:
    with pytest.raises(ScenarioError) as info:
        load_text(text, "case.yaml")
    return info.value.errors


def only(text: str) -> ErrorItem:
    found = errors(text)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def test_base_is_valid():
    sc = load_text(BASE, "case.yaml")
    assert sc.source_file == "case.yaml"
    assert sc.model.eum.rounds == 12


# --- reading: YAML syntax, empty files, non-mappings --------------------------------------


def test_yaml_syntax_error_names_its_line():
    text = edit("    label: Trade access\n", "    label: [Trade access\n")
    err = only(text)
    assert err.file == "case.yaml" and err.path == ""
    assert err.message.startswith("YAML syntax:")
    assert line_of(text, "[Trade access") <= err.line <= line_of(text, "[Trade access") + 1


def test_tab_indentation_is_a_syntax_error():
    text = edit("    name: South\n", "\tname: South\n")
    err = only(text)
    assert err.line == line_of(text, "\tname: South")
    assert "YAML syntax" in err.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str):
    err = only(text)
    assert (err.line, err.message) == (1, "the file is empty")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_top_level_must_be_a_mapping(text: str):
    err = only(text)
    assert err.line == 1
    assert err.message.startswith("expected a mapping of fields")


def test_duplicate_yaml_keys_are_all_reported():
    text = edit(
        "    salience:\n      security: 0.9\n",
        "    salience:\n      security: 0.9\n      security: 0.8\n",
    )
    text = edit("title: Test case\n", "title: Test case\ntitle: Other\n", text)
    found = errors(text)
    assert [(e.line, e.path, e.message) for e in found] == [
        (line_of(text, "title: Other"), "title", "duplicate key 'title' (first at line 2)"),
        (
            line_of(text, "security: 0.8"),
            "actors[0].salience.security",
            f"duplicate key 'security' (first at line {line_of(text, 'security: 0.9')})",
        ),
    ]


def test_unsupported_yaml_tags():
    err = only(edit("    name: North\n", "    name: !shout North\n"))
    assert err.path == "actors[0].name"
    assert "tag !shout" in err.message


# --- schema: types, required and unknown fields -------------------------------------------


def test_unknown_field_suggests_the_right_one():
    text = edit("    salience:\n      security: 0.9", "    salince:\n      security: 0.9")
    found = errors(text)
    assert [(e.line, e.path, e.message) for e in found] == [
        (line_of(text, "  - id: north"), "actors[0].salience", "missing required field 'salience'"),
        (
            line_of(text, "salince"),
            "actors[0].salince",
            "unknown field 'salince' (did you mean 'salience'?)",
        ),
    ]


def test_missing_required_fields():
    text = edit("    label: Trade access\n", "")
    text = edit("title: Test case\n", "", text)
    found = errors(text)
    assert [(e.line, e.path, e.message) for e in found] == [
        (1, "title", "missing required field 'title'"),
        (line_of(text, "- id: trade"), "issues[1].label", "missing required field 'label'"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "fragment", "path", "message"),
    [
        (
            "capability: 0.4",
            "capability: true",
            "capability: true",
            "actors[0].capability",
            "expected a number or a mapping such as {value: 4, source: ...}, got true",
        ),
        (
            "security: 0.9",
            "security: .nan",
            ".nan",
            "actors[0].salience.security",
            ".nan is not a finite number",
        ),
        (
            "trade: 8",
            "trade: -.inf",
            "-.inf",
            "actors[1].positions.trade",
            "-.inf is not a finite number",
        ),
        (
            "      value: 10",
            "      value: '10'",
            "value: '10'",
            "issues[0].status_quo.value",
            "expected a number, got text '10'",
        ),
        (
            "scale: [0, 10]",
            "scale: [0, yes]",
            "[0, yes]",
            "issues[1].scale[1]",
            "expected a number, got text 'yes'",
        ),
        (
            "scale: [0, 10]",
            "scale: [0, false]",
            "[0, false]",
            "issues[1].scale[1]",
            "expected a number, got false",
        ),
        (
            "scale: [0, 10]",
            "scale: [0, 5, 10]",
            "[0, 5, 10]",
            "issues[1].scale",
            "expected two numbers [low, high], got 3",
        ),
        (
            "scale: [0, 10]",
            "scale: [10, 10]",
            "[10, 10]",
            "issues[1].scale",
            "low end 10 must be below high end 10",
        ),
        (
            "label: Trade access",
            "label: 2024",
            "label: 2024",
            "issues[1].label",
            "expected text, got 2024 (put it in quotes)",
        ),
        ("    name: South", "    name: ''", "name: ''", "actors[1].name", "must not be empty"),
        (
            "- id: trade",
            "- id: Trade",
            "id: Trade",
            "issues[1].id",
            "'Trade' is not a valid id "
            "(lower-case letters, digits and '_', starting with a letter)",
        ),
        (
            "name: test-case",
            "name: Test Case",
            "name: Test Case",
            "name",
            "'Test Case' is not a valid name (lower-case letters, digits and '-')",
        ),
        (
            "date: 2024-05-01",
            "date: 2024-13-01",
            "date:",
            "date",
            "text '2024-13-01' is not a date; write it as 2025-09-21",
        ),
        (
            "date: 2024-05-01",
            "date: 2024",
            "date:",
            "date",
            "expected a date like 2025-09-21, got 2024",
        ),
        (
            "      0: none",
            "      low: none",
            "low: none",
            "issues[0].anchors.low",
            "this key must be a number",
        ),
        ("    rounds: 12", "    rounds: 0", "rounds: 0", "model.eum.rounds", "0 is below 1"),
        (
            "    rounds: 12",
            "    rounds: 2.5",
            "rounds: 2.5",
            "model.eum.rounds",
            "expected a whole number, got 2.5",
        ),
        (
            "    variant: default",
            "    variant: fancy",
            "variant: fancy",
            "model.eum.variant",
            "unknown variant 'fancy' (choose one of: default, scholz-code)",
        ),
        (
            "    rounds: 12",
            "    rounds: 12\n    votes: cubic",
            "votes: cubic",
            "model.eum.votes",
            "'cubic' is not one of: linear, risk",
        ),
        ("    rounds: 12", "    rounds: 12\n    q: 1.5", "q: 1.5", "model.eum.q", "1.5 is above 1"),
        (
            "    rounds: 12",
            "    rounds: 12\n    colour: red",
            "colour",
            "model.eum.colour",
            "unknown field 'colour'",
        ),
    ],
)
def test_field_errors(old: str, new: str, fragment: str, path: str, message: str):
    text = edit(old, new)
    err = only(text)
    assert (err.file, err.line, err.path, err.message) == (
        "case.yaml",
        line_of(text, fragment),
        path,
        message,
    )


# --- issue-specific capability and the proposer option ----------------------------------------

CAP = "    capability: 0.4\n"


@pytest.mark.parametrize(
    ("block", "fragment", "path", "message"),
    [
        (
            "    capability_by_issue: {securty: 0.9}\n",
            "securty: 0.9",
            "actors[0].capability_by_issue.securty",
            "unknown issue 'securty' (did you mean 'security'?)",
        ),
        (
            "    capability_by_issue:\n      trade: -0.5\n",
            "trade: -0.5",
            "actors[0].capability_by_issue.trade",
            "-0.5 is below 0",
        ),
        (
            "    capability_by_issue:\n      trade: .nan\n",
            "trade: .nan",
            "actors[0].capability_by_issue.trade",
            ".nan is not a finite number",
        ),
        (
            "    capability_by_issue:\n      trade: {dist: uniform, low: -1, high: 2}\n",
            "low: -1",
            "actors[0].capability_by_issue.trade.low",
            "low -1 is below 0",
        ),
        (
            "    capability_by_issue:\n      trade: {dist: normal, mean: 1, sd: -1}\n",
            "sd: -1",
            "actors[0].capability_by_issue.trade.sd",
            "-1 is not above 0",
        ),
        (
            "    capability_by_issue:\n      trade: {valeu: 2}\n",
            "valeu: 2",
            "actors[0].capability_by_issue.trade.valeu",
            "unknown field 'valeu' (did you mean 'value'?)",
        ),
        (
            "    capability_by_issue:\n      trade: [1, 2]\n",
            "trade: [1, 2]",
            "actors[0].capability_by_issue.trade",
            "expected a number or a mapping such as {value: 4, source: ...}, got a list",
        ),
        (
            "    capability_by_issue: 0.9\n",
            "capability_by_issue: 0.9",
            "actors[0].capability_by_issue",
            "expected a mapping, got 0.9",
        ),
        (
            "    capability_by_isue: {trade: 0.9}\n",
            "capability_by_isue",
            "actors[0].capability_by_isue",
            "unknown field 'capability_by_isue' (did you mean 'capability_by_issue'?)",
        ),
    ],
)
def test_capability_by_issue_errors(block: str, fragment: str, path: str, message: str):
    text = edit(CAP, CAP + block)
    found = [(e.file, e.line, e.path, e.message) for e in errors(text)]
    assert ("case.yaml", line_of(text, fragment), path, message) in found, found


def test_capability_by_issue_loads_with_its_range_and_issue():
    text = edit(CAP, CAP + "    capability_by_issue:\n      trade: {value: 2, source: notes}\n")
    sc = load_text(text, "case.yaml")
    assert sc.quantity("actors.north.capability_by_issue.trade").central() == 2
    assert sc.legal_range("actors.north.capability_by_issue.trade") == (0, float("inf"))


def test_proposer_option_is_checked():
    text = edit("    rounds: 12", "    rounds: 12\n    proposer: sendr")
    err = only(text)
    assert (err.line, err.path, err.message) == (
        line_of(text, "proposer: sendr"),
        "model.eum.proposer",
        "'sendr' is not one of: target, sender",
    )
    sc = load_text(edit("    rounds: 12", "    rounds: 12\n    proposer: sender"), "case.yaml")
    assert sc.model.eum.options().proposer == "sender"
    assert load_text(BASE, "case.yaml").model.eum.options().proposer == "target"


def test_empty_actor_list_is_reported_at_its_key():
    text = BASE[: BASE.index("actors:")] + "actors: []\n"
    err = only(text)
    assert (err.line, err.path, err.message) == (
        line_of(text, "actors: []"),
        "actors",
        "needs at least 1 actor",
    )


# --- quantities on their own ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "path", "message"),
    [
        ("{dist: normal, mean: 5, sd: 0}", "actors[0].positions.trade.sd", "0 is not above 0"),
        (
            "{dist: normal, mean: 5, sd: 1, low: 6}",
            "actors[0].positions.trade",
            "mean 5 is below low (6)",
        ),
        (
            "{dist: triangular, low: 1, mode: 7, high: 5}",
            "actors[0].positions.trade",
            "mode 7 is outside [low, high] = [1, 5]",
        ),
        (
            "{dist: triangular, low: 5, mode: 5, high: 5}",
            "actors[0].positions.trade",
            "low (5) must be below high (5)",
        ),
        (
            "{dist: uniform, low: 6, high: 2}",
            "actors[0].positions.trade",
            "low (6) must be below high (2)",
        ),
        ("{dist: beta, alpha: 0, beta: 2}", "actors[0].positions.trade.alpha", "0 is not above 0"),
        (
            "{dist: choice, values: [1, 2], weights: [0.5, 0.6]}",
            "actors[0].positions.trade",
            "weights sum to 1.1, not 1",
        ),
        (
            "{dist: choice, values: [1, 2], weights: [1.5, -0.5]}",
            "actors[0].positions.trade.weights[1]",
            "-0.5 is below 0",
        ),
        (
            "{dist: choice, values: [1, 2], weights: [1]}",
            "actors[0].positions.trade",
            "1 weights for 2 values: give one weight per value",
        ),
        (
            "{dist: choice, values: []}",
            "actors[0].positions.trade.values",
            "needs at least 1 value",
        ),
        (
            "{dist: gamma, shape: 2}",
            "actors[0].positions.trade",
            "unknown distribution 'gamma' "
            "(choose one of: normal, triangular, uniform, beta, choice)",
        ),
        (
            "{dist: normall, mean: 2, sd: 1}",
            "actors[0].positions.trade",
            "unknown distribution 'normall' (did you mean 'normal'?) "
            "(choose one of: normal, triangular, uniform, beta, choice)",
        ),
        (
            "{mean: 2, sd: 1}",
            "actors[0].positions.trade.value",
            "missing 'value' (a fixed number needs 'value'; a distribution needs 'dist': "
            "one of normal, triangular, uniform, beta, choice)",
        ),
        (
            "{dist: normal, mean: 2, sd: 1, mode: 2}",
            "actors[0].positions.trade.mode",
            "unknown field 'mode'",
        ),
        (
            "{value: 2, sorce: notes}",
            "actors[0].positions.trade.sorce",
            "unknown field 'sorce' (did you mean 'source'?)",
        ),
        (
            "[1, 2]",
            "actors[0].positions.trade",
            "expected a number or a mapping such as {value: 4, source: ...}, got a list",
        ),
    ],
)
def test_impossible_distributions(new: str, path: str, message: str):
    text = edit("trade: {dist: triangular, low: 1, mode: 2, high: 5}", f"trade: {new}")
    found = errors(text)
    line = line_of(text, f"trade: {new}")
    assert (line, path, message) in [(e.line, e.path, e.message) for e in found], found


def test_huge_integers_are_reported_not_crashed_on():
    text = edit("capability: 0.4", f"capability: {10**400}")
    err = only(text)
    assert (err.line, err.path) == (line_of(text, "capability: 1000"), "actors[0].capability")
    assert err.message == "the number 100000... (401 digits) is too large"


def test_fixed_value_missing_with_extra_distribution_fields():
    text = edit("trade: {dist: triangular, low: 1, mode: 2, high: 5}", "trade: {mean: 2, sd: 1}")
    messages = {e.path: e.message for e in errors(text)}
    assert messages["actors[0].positions.trade.mean"] == (
        "unknown field 'mean' (for a distribution add 'dist: normal')"
    )


# --- cross references and legal ranges ------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "fragment", "path", "message"),
    [
        (
            "      security: 0.9",
            "      security: 1.4",
            "security: 1.4",
            "actors[0].salience.security",
            "1.4 is above 1",
        ),
        (
            "      security: 0.9",
            "      security: -0.1",
            "security: -0.1",
            "actors[0].salience.security",
            "-0.1 is below 0",
        ),
        (
            "capability: 0.4",
            "capability: -2",
            "capability: -2",
            "actors[0].capability",
            "-2 is below 0",
        ),
        (
            "      security: 20",
            "      security: 120",
            "security: 120",
            "actors[0].positions.security",
            "120 is above 100 (scale [0, 100])",
        ),
        (
            "      value: 10",
            "      value: -5",
            "value: -5",
            "issues[0].status_quo.value",
            "-5 is below 0 (scale [0, 100])",
        ),
        (
            "      50: partial",
            "      150: beyond",
            "150: beyond",
            "issues[0].anchors.150",
            "anchor 150 is outside the scale [0, 100]",
        ),
        (
            "{dist: triangular, low: 1, mode: 2, high: 5}",
            "{dist: triangular, low: 1, mode: 2, high: 50}",
            "high: 50",
            "actors[0].positions.trade.high",
            "high 50 is above 10 (scale [0, 10])",
        ),
        (
            "{dist: normal, mean: 70, sd: 10}",
            "{dist: normal, mean: 170, sd: 10}",
            "mean: 170",
            "actors[1].positions.security.mean",
            "mean 170 is above 100 (scale [0, 100])",
        ),
        (
            "{dist: uniform, low: 0.2, high: 0.6}",
            "{dist: uniform, low: 0.2, high: 1.6}",
            "high: 1.6",
            "actors[1].salience.trade.high",
            "high 1.6 is above 1",
        ),
        (
            "{dist: uniform, low: 0.2, high: 0.6}",
            "{dist: choice, values: [0.5, 2]}",
            "values: [0.5, 2]",
            "actors[1].salience.trade.values[1]",
            "2 is above 1",
        ),
        (
            "{value: 0.6, source: notes}",
            "{dist: beta, alpha: 2, beta: 2}",
            "alpha: 2",
            "actors[1].capability",
            "a beta here needs explicit low and high (the range is open)",
        ),
        (
            "      security: 0.9",
            "      securty: 0.9",
            "securty: 0.9",
            "actors[0].salience.securty",
            "unknown issue 'securty' (did you mean 'security'?)",
        ),
        (
            "- id: south",
            "- id: north",
            "- id: north",
            "actors[1].id",
            "duplicate actor id 'north' (also actors[0])",
        ),
        (
            "- id: trade",
            "- id: security",
            "- id: security",
            "issues[1].id",
            "duplicate issue id 'security' (also issues[0])",
        ),
    ],
)
def test_cross_reference_errors(old: str, new: str, fragment: str, path: str, message: str):
    text = edit(old, new)
    nth = 1 if fragment in ("- id: north", "- id: security") else 0
    found = [(e.line, e.path, e.message) for e in errors(text)]
    assert (line_of(text, fragment, nth), path, message) in found, found


def test_unknown_and_missing_issues_in_positions():
    text = edit("      trade: 8\n", "      sanctions: 8\n")
    found = [(e.line, e.path, e.message) for e in errors(text)]
    assert found == [
        (
            line_of(text, "positions:", 1),
            "actors[1].positions",
            "missing position for issue 'trade'",
        ),
        (
            line_of(text, "sanctions: 8"),
            "actors[1].positions.sanctions",
            "unknown issue 'sanctions'",
        ),
    ]


def test_every_error_is_reported_not_only_the_first():
    text = edit("      security: 0.9", "      security: 1.4")
    text = edit("capability: 0.4", "capability: -1", text)
    text = edit("      trade: 8\n", "", text)
    found = errors(text)
    assert len(found) == 3
    assert [e.line for e in found] == sorted(e.line for e in found)
    assert str(ScenarioError(found)).count("\n") == 2


def test_schema_errors_come_before_cross_reference_errors():
    """Pass 2 (ranges, ids) runs only once the schema passes: a type error hides a range
    error elsewhere, and it appears once the type error is fixed."""
    ranged = edit("      security: 0.9", "      security: 1.4")
    typed = edit("    name: South", "    name: 5", ranged)
    assert [e.path for e in errors(typed)] == ["actors[1].name"]
    assert [e.path for e in errors(ranged)] == ["actors[0].salience.security"]


def test_error_string_format():
    err = ScenarioError(
        [ErrorItem("a.yaml", 3, "actors[0].name", "bad"), ErrorItem("a.yaml", None, "", "worse")]
    )
    assert str(err) == "a.yaml:3: actors[0].name: bad\na.yaml: worse"
    assert err.lines() == ["a.yaml:3: actors[0].name: bad", "a.yaml: worse"]


# --- files -----------------------------------------------------------------------------------


def test_file_errors(tmp_path: Path):
    with pytest.raises(ScenarioError) as info:
        load(tmp_path / "absent.yaml")
    assert str(info.value) == f"{tmp_path / 'absent.yaml'}: no such file"
    with pytest.raises(ScenarioError, match="is a directory"):
        load(str(tmp_path) + "/")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"name: x\ntitle: \xff\xfe\n")
    with pytest.raises(ScenarioError) as info:
        load(binary)
    assert (info.value.errors[0].line, info.value.errors[0].message) == (
        2,
        "not UTF-8 text (byte 0xff)",
    )
    with pytest.raises(ScenarioError, match="no such scenario or file"):
        load("no-such-scenario")


def test_errors_name_the_file_as_given(tmp_path: Path):
    path = tmp_path / "mine.yaml"
    path.write_text(edit("      security: 0.9", "      security: 1.4"))
    with pytest.raises(ScenarioError) as info:
        load(path)
    line = line_of(path.read_text(), "security: 1.4")
    assert str(info.value) == f"{path}:{line}: actors[0].salience.security: 1.4 is above 1"
