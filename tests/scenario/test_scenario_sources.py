"""Sources as reference keys, the reference library and the hindsight check
(docs/scenario-format.md, "Sources and the hindsight check")."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner, Result

from summitry.cli import app
from summitry.scenario import ScenarioError, bundled_names, load, load_text
from summitry.scenario.loader import load_audited
from summitry.scenario.sources import LIBRARY_FILE, library, parse_source

KNOWN = Path(__file__).parent / "hindsight-known.yaml"

CASE = """\
name: border-talks
title: Border talks
date: 2024-03-01
references:
  minister:
    date: 2024-02-02
    citation: "Foreign minister, press conference, 2 Feb 2024"
    url_or_id: "no address recorded: state broadcaster"
  leak:
    date: 2024-03-02
    citation: "Newspaper report of the west's red lines, 2 Mar 2024"
issues:
  - id: border
    label: Where the border runs
    scale: [0, 10]
    status_quo: {value: 3, source: "minister: the ceasefire line"}
actors:
  - id: west
    name: West
    capability: {value: 1, source: "minister"}
    positions:
      border: {value: 1, source: "leak: the west's red line"}
    salience:
      border: {value: 0.8, note: "judgment: election year"}
  - id: east
    name: East
    capability: {value: 1, source: "unscr-2397-2017-12-22: a library key"}
    positions:
      border: {value: 9, source: "minister; leak"}
    salience:
      border: {value: 0.5, source: "a free-text source, 2024"}
outcome:
  date: 2024-06-01
  issues:
    border: {value: 5, source: "leak: where the line was drawn"}
"""

runner = CliRunner()


def validate(*args: str) -> Result:
    return runner.invoke(app, ["scenarios", "validate", *args])


@pytest.fixture()
def case(tmp_path: Path) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(CASE)
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- the source syntax -----------------------------------------------------------------------


def test_parse_source_reads_keys_with_details_and_leaves_free_text_alone() -> None:
    cites = parse_source("kim-spa-speech-2025-09-21: s.2; seed_notes; memo: p. 4", {"memo"})
    assert [(c.key, c.detail) for c in cites or []] == [
        ("kim-spa-speech-2025-09-21", "s.2"),
        ("seed_notes", ""),
        ("memo", "p. 4"),
    ]
    assert parse_source("Minister, 2 Feb 2024") is None
    assert parse_source("notes") is None  # a plain word that names no reference is prose
    assert parse_source("memo", {"memo"}) is not None
    assert parse_source("leak: fine; but this part is prose") is None
    assert parse_source("COW NMC v7.0: CINC") is None


# --- the hindsight check ---------------------------------------------------------------------


def test_an_input_citing_a_reference_dated_after_the_scenario_is_flagged(case: Path) -> None:
    _, found = load_audited(case)
    hindsight = [(item.line, item.path) for kind, item in found if kind == "hindsight"]
    assert hindsight == [
        (line_of(CASE, "border: {value: 1, source"), "actors[0].positions.border.source"),
        (line_of(CASE, "border: {value: 9"), "actors[1].positions.border.source"),
    ]
    message = next(i.message for k, i in found if k == "hindsight")
    assert "'leak' is dated 2024-03-02" in message and "2024-03-01" in message


def test_the_outcome_section_may_cite_later_references(case: Path) -> None:
    _, found = load_audited(case)
    assert not [item for _, item in found if item.path.startswith("outcome")]


def test_a_library_key_dated_after_the_scenario_is_flagged_too(tmp_path: Path) -> None:
    path = tmp_path / "early.yaml"
    path.write_text(CASE.replace("date: 2024-03-01", "date: 2015-01-01", 1))
    _, found = load_audited(path)
    flagged = {(i.path, i.message.split("'")[1]) for k, i in found if k == "hindsight"}
    assert ("actors[1].capability.source", "unscr-2397-2017-12-22") in flagged
    assert ("issues[0].status_quo.source", "minister") in flagged


def test_validate_warns_by_default_and_fails_under_strict(case: Path) -> None:
    result = validate(str(case))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{case}: ok\n"
    assert len(result.stderr.strip().splitlines()) == 3
    line = line_of(CASE, "border: {value: 1, source")
    assert f"{case}:{line}: actors[0].positions.border.source: warning: hindsight:" in result.stderr
    free = line_of(CASE, "a free-text source")
    assert f"{case}:{free}: actors[1].salience.border.source: warning: unresolved source" in (
        result.stderr
    )

    strict = validate("--strict", str(case))
    assert strict.exit_code == 2
    assert "ok" not in strict.stdout
    lines = strict.stderr.strip().splitlines()
    assert len(lines) == 3
    assert lines[0] == (
        f"{case}:{line}: actors[0].positions.border.source: hindsight: 'leak' is dated "
        "2024-03-02, after the scenario's date 2024-03-01"
    )
    assert all(re.match(rf"{re.escape(str(case))}:\d+: ", x) for x in lines)
    assert "Traceback" not in strict.output


def test_a_file_without_findings_passes_strict(tmp_path: Path) -> None:
    text = CASE.replace("date: 2024-03-02", "date: 2024-02-20").replace(
        'source: "a free-text source, 2024"', 'note: "judgment: a free-text source, 2024"'
    )
    path = tmp_path / "clean.yaml"
    path.write_text(text)
    result = validate("--strict", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"{path}: ok"


# --- datasets published later: retrospective measurement (docs/input-protocol.md) ----------

DATASET_CASE = CASE.replace("date: 2024-03-01", "date: 2020-03-01", 1).replace(
    'source: "unscr-2397-2017-12-22: a library key"', 'source: "CINC_SOURCE"'
)


def _dataset_findings(tmp_path: Path, source: str) -> list[tuple[str, str, str]]:
    """(kind, path, key) of each finding when the east's capability cites ``source``."""
    path = tmp_path / "data.yaml"
    path.write_text(DATASET_CASE.replace("CINC_SOURCE", source))
    _, found = load_audited(path)
    return [(k, i.path, i.message.split("'")[1]) for k, i in found]


def test_a_dataset_released_later_may_measure_a_year_that_ended_before_the_date(
    tmp_path: Path,
) -> None:
    # COW NMC v7.0 is dated 2025-12-31; its values for 2018-2019 describe years that had
    # ended by 2020-03-01, so citing them is retrospective measurement, not hindsight.
    where = "actors[1].capability.source"
    assert library()["cow-nmc-v7-cinc"].covers == (1816, 2022)
    for ok in ("cow-nmc-v7-cinc@2019: CINC", "cow-nmc-v7-cinc@2018-2019", "cow-nmc-v7-cinc@1816"):
        assert [f for f in _dataset_findings(tmp_path, ok) if f[1] == where] == [], ok
    # without the years, or with a year that had not ended by the date: hindsight as before
    for late in ("cow-nmc-v7-cinc: CINC 2019", "cow-nmc-v7-cinc@2020", "cow-nmc-v7-cinc@2019-2020"):
        found = [f for f in _dataset_findings(tmp_path, late) if f[1] == where]
        assert found == [("hindsight", where, "cow-nmc-v7-cinc")], late


def test_the_day_a_measured_year_ends_is_the_boundary(tmp_path: Path) -> None:
    where = "actors[1].capability.source"
    text = DATASET_CASE.replace("CINC_SOURCE", "cow-nmc-v7-cinc@2019")
    for date, flagged in (("2019-12-31", False), ("2019-12-30", True)):
        path = tmp_path / f"edge-{date}.yaml"
        path.write_text(text.replace("date: 2020-03-01", f"date: {date}", 1))
        _, found = load_audited(path)
        assert any(k == "hindsight" and i.path == where for k, i in found) == flagged, date


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("cow-nmc-v7-cinc@2023", "'cow-nmc-v7-cinc@2023': the dataset covers 1816-2022 only"),
        ("cow-nmc-v7-cinc@19x9", "'cow-nmc-v7-cinc@19x9': write the years as @1993 or @2017-2018"),
        ("cow-nmc-v7-cinc@2019-2018", "'cow-nmc-v7-cinc@2019-2018': write the years as"),
        ("unscr-2397-2017-12-22@2017", "'unscr-2397-2017-12-22' is not a dataset (no covers)"),
        ("minister@2023", "'minister' is not a dataset (no covers), so no @years"),
    ],
)
def test_a_wrong_dataset_period_is_an_error_with_file_and_line(
    tmp_path: Path, source: str, message: str
) -> None:
    text = DATASET_CASE.replace("CINC_SOURCE", source)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = validate(str(path))
    assert result.exit_code == 2
    line = line_of(text, source)
    (shown,) = result.stderr.strip().splitlines()
    assert shown.startswith(f"{path}:{line}: actors[1].capability.source: "), shown
    assert message in shown
    assert "Traceback" not in result.output


def test_parse_source_reads_the_years_of_a_dataset_citation() -> None:
    (cite,) = parse_source("cow-nmc-v7-cinc@1993: USA 0.1537") or []
    assert (cite.key, cite.period, cite.detail) == ("cow-nmc-v7-cinc", "1993", "USA 0.1537")
    (plain,) = parse_source("cow-nmc-v7-cinc: CINC") or []
    assert plain.period is None


# --- errors: unknown keys, bad references ----------------------------------------------------


def test_an_unknown_key_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    text = CASE.replace(
        'source: "minister: the ceasefire line"', 'source: "unscr-2397-2017-12-23: the line"'
    )
    path = tmp_path / "typo.yaml"
    path.write_text(text)
    result = validate(str(path))
    assert result.exit_code == 2
    line = line_of(text, "unscr-2397-2017-12-23")
    assert result.stderr.strip() == (
        f"{path}:{line}: issues[0].status_quo.source: unknown reference key "
        "'unscr-2397-2017-12-23' (not in the scenario's references or the library; free text "
        "belongs in a note)"
    )


def test_a_plain_word_that_names_no_reference_stays_free_text(tmp_path: Path) -> None:
    text = CASE.replace('source: "minister: the ceasefire line"', 'source: "ministr: the line"')
    path = tmp_path / "word.yaml"
    path.write_text(text)
    _, found = load_audited(path)
    assert ("unresolved", "issues[0].status_quo.source") in [(k, i.path) for k, i in found]


def test_an_unknown_key_beside_free_text_is_still_an_error() -> None:
    text = CASE.replace('"a free-text source, 2024"', '"no-such-key: x; and some prose"')
    with pytest.raises(ScenarioError) as info:
        load_text(text, "case.yaml")
    assert [e.path for e in info.value.errors] == ["actors[1].salience.border.source"]
    assert "unknown reference key 'no-such-key'" in info.value.errors[0].message


def test_a_reference_needs_a_real_date_and_a_citation() -> None:
    text = CASE.replace("date: 2024-02-02", "date: 2024-02-30").replace(
        '    citation: "Newspaper report', '    citaton: "Newspaper report'
    )
    with pytest.raises(ScenarioError) as info:
        load_text(text, "case.yaml")
    shown = [f"{e.line}: {e.path}: {e.message}" for e in info.value.errors]
    assert shown == [
        f"{line_of(text, '2024-02-30')}: references.minister.date: text '2024-02-30' is not a "
        "date; write it as 2025-09-21",
        f"{line_of(text, '  leak:')}: references.leak.citation: missing required field 'citation'",
        f"{line_of(text, 'citaton')}: references.leak.citaton: unknown field 'citaton' (did you "
        "mean 'citation'?)",
    ]


def test_a_scenario_reference_may_not_reuse_a_library_key() -> None:
    text = CASE.replace("  minister:\n", "  unscr-2397-2017-12-22:\n", 1)
    with pytest.raises(ScenarioError) as info:
        load_text(text, "case.yaml")
    assert any(
        e.path == "references.unscr-2397-2017-12-22" and "key of the reference library" in e.message
        for e in info.value.errors
    )


def test_an_older_text_reference_still_loads_but_has_no_date(tmp_path: Path) -> None:
    text = CASE.replace(
        '  minister:\n    date: 2024-02-02\n    citation: "Foreign minister, press conference, '
        '2 Feb 2024"\n    url_or_id: "no address recorded: state broadcaster"\n',
        '  minister: "Foreign minister, press conference, 2 Feb 2024"\n',
    )
    path = tmp_path / "old.yaml"
    path.write_text(text)
    sc, found = load_audited(path)
    assert sc.references["minister"] == "Foreign minister, press conference, 2 Feb 2024"
    undated = [i.path for k, i in found if k == "undated"]
    assert "issues[0].status_quo.source" in undated
    assert validate("--strict", str(path)).exit_code == 2


def test_references_survive_to_data_and_json() -> None:
    sc = load_text(CASE, "case.yaml")
    again = load_text(CASE, "case.yaml").with_values({"actors.west.capability": 2})
    assert again.references == sc.references
    assert sc.to_data(json_safe=True)["references"]["leak"]["date"] == "2024-03-02"


# --- the library -----------------------------------------------------------------------------


def test_the_library_is_package_data_in_the_documented_format() -> None:
    assert LIBRARY_FILE.parent.parent == Path(__file__).resolve().parents[2] / "src/summitry"
    entries = YAML(typ="safe", pure=True).load(LIBRARY_FILE.read_text(encoding="utf-8"))
    fields = ["key", "date", "citation", "url_or_id", "says", "confidence"]
    keys = [e["key"] for e in entries]
    assert len(keys) == len(set(keys)) == len(library())
    order = [(e["date"], e["key"]) for e in entries]
    assert order == sorted(order)
    for e in entries:
        assert list(e) in (fields, [*fields, "covers"]), e["key"]  # covers: datasets only
        assert all(isinstance(e[f], str) and e[f].strip() for f in e), e["key"]
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", e["key"]), e["key"]
        dt.date.fromisoformat(e["date"])
        if "covers" in e:
            first, _, last = e["covers"].partition("-")
            assert int(first) <= int(last or first) <= dt.date.fromisoformat(e["date"]).year


# --- the bundled scenarios -------------------------------------------------------------------


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_source_resolves_to_a_dated_reference(name: str) -> None:
    sc, found = load_audited(name)
    assert [str(i) for k, i in found if k != "hindsight"] == []
    assert all(not isinstance(r, str) for r in sc.references.values())


def test_no_bundled_file_cites_the_missing_facts_file() -> None:
    for name in bundled_names():
        text = (LIBRARY_FILE.parent.parent / "bundled" / f"{name}.yaml").read_text()
        assert "dprk_facts" not in text, name


def test_the_hindsight_findings_of_the_bundled_files_are_the_known_list() -> None:
    """The list in hindsight-known.yaml is what the re-estimation protocol must empty
    (docs/sources/hindsight.md): a new finding fails here, and so does a fixed one that is
    still listed."""
    known = YAML(typ="safe", pure=True).load(KNOWN.read_text()) or {}
    found: dict[str, dict[str, list[str]]] = {}
    for name in bundled_names():
        _, items = load_audited(name)
        for _, item in items:
            key = item.message.split("'")[1]
            found.setdefault(name, {}).setdefault(item.path, []).append(key)
    new = {
        (n, p, k)
        for n, rows in found.items()
        for p, ks in rows.items()
        for k in ks
        if k not in known.get(n, {}).get(p, [])
    }
    stale = {
        (n, p, k)
        for n, rows in known.items()
        for p, ks in rows.items()
        for k in ks
        if k not in found.get(n, {}).get(p, [])
    }
    assert not new, f"new hindsight findings: {sorted(new)}"
    assert not stale, f"fixed: remove them from {KNOWN.name}: {sorted(stale)}"


def test_a_bundled_name_validates_from_the_command_line() -> None:
    # dprk-2025 cites only what was public by its date (CINC as cow-nmc-v7-cinc@2022, a
    # retrospective measurement), so it passes --strict with no finding at all.
    result = validate("dprk-2025")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "dprk-2025.yaml: ok\n"
    assert "hindsight" not in result.stderr
    strict = validate("--strict", "dprk-2025")
    assert strict.exit_code == 0, strict.stderr
    assert strict.stdout == "dprk-2025.yaml: ok\n" and strict.stderr == ""
    assert load("dprk-2025").name == "dprk-2025"


def test_the_html_report_lists_each_cited_reference_with_its_date() -> None:
    from summitry.report.html import _inputs

    html = _inputs(load("dprk-2025"), {})
    refs = html.split("<h3>References</h3>", 1)[1]
    assert "<b>kim-spa-speech-2025-09-21</b> (2025-09-21): " in refs
    assert "<b>cow-nmc-v7-cinc</b> (2025-12-31): " in refs
    assert "six-party-round-2-2004-02-28" not in refs  # listed only when cited
