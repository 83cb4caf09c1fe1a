"""``summitry import-ktab``: KTAB's SMP scenario files (CSV, XML) to summitry scenarios.

The key check runs the converted KTAB examples through ``summitry.forecast`` and compares the
spatial model's final positions with KTAB's own runs (tests/data/ktab, README.md there).
The XML files in tests/data/ktab/summitry-*.xml are hand-made in KTAB's XML layout.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from console_script import EXE
from summitry.cli import app
from summitry.forecast import forecast
from summitry.forecasting.smp import accommodation_matrix
from summitry.ktab import read_positions, read_scenario
from summitry.ktab_import import PARAMETERS, KTABImportError, import_ktab, slug, to_yaml
from summitry.scenario import Scenario, load, load_text
from summitry.scenario.schema import ID_PATTERN, SMPSettings

KTAB = Path(__file__).parents[1] / "data" / "ktab"
CSVS = sorted(p for p in KTAB.glob("*.csv") if ".ktab-" not in p.name)
HARBOUR = KTAB / "summitry-harbour.xml"
TWO = KTAB / "summitry-two-actors.xml"
POSITION_TOL = 0.005  # on the 0-100 scale, as in tests/engines/smp/test_smp_ktab.py

runner = CliRunner()


def convert(path: Path) -> Scenario:
    """Import, write YAML, load it back as summitry reads any scenario file."""
    return load_text(to_yaml(import_ktab(path)), f"{path.stem}.yaml")


def file_line(path: Path, n: int) -> str:
    return path.read_text(encoding="utf-8").splitlines()[n - 1]


def source_line(source: str | None) -> int:
    assert source is not None
    found = re.search(r", line (\d+)", source)
    assert found, source
    return int(found.group(1))


# -- KTAB's own CSV examples -----------------------------------------------------------------


@pytest.mark.parametrize("path", CSVS, ids=lambda p: p.stem)
def test_every_ktab_csv_converts_to_ktabs_numbers(path: Path) -> None:
    sc = convert(path)
    ktab = read_scenario(path)  # summitry.ktab: the same CSV reader, without the conversion
    # and, independently of that reader, the file's own fields by the csv module
    with path.open(newline="", encoding="utf-8-sig") as fh:
        plain = [[f.strip() for f in row] for row in csv.reader(fh) if any(f.strip() for f in row)]
    n, k = int(plain[0][2]), int(plain[0][3])
    assert [row[0] for row in plain[2 : 2 + n]] == list(ktab.actors)
    for a, row in enumerate(plain[2 : 2 + n]):
        assert [float(x) for x in row[2 : 3 + 2 * k]] == [
            ktab.capability[a],
            *[v for pair in zip(ktab.position[a], ktab.salience[a], strict=True) for v in pair],
        ]
    assert sc.name == slug(path.stem) and sc.title == ktab.name.strip()
    assert [i.label for i in sc.issues] == list(ktab.dimensions)
    assert all(i.scale == (0, 100) for i in sc.issues)
    assert [a.name for a in sc.actors] == list(ktab.actors)
    for ids in (sc.issue_ids, sc.actor_ids):
        assert len(set(ids)) == len(ids) and all(re.match(ID_PATTERN, x) for x in ids)
    sal = ktab.engine_inputs()[2]  # KTAB's own scaling: saliences / 100
    for a, actor in enumerate(sc.actors):
        assert actor.capability.central() == ktab.capability[a]
        for k, issue in enumerate(sc.issue_ids):
            assert actor.positions[issue].central() == ktab.position[a, k]
            assert actor.salience[issue].central() == sal[0, a, k]  # bit for bit


@pytest.mark.parametrize("path", CSVS, ids=lambda p: p.stem)
def test_every_number_names_its_file_and_line(path: Path) -> None:
    result = import_ktab(path)
    name = result.data["name"]  # bundled rules: every number has a source, name = file name
    sc = load_text(to_yaml(result), f"{name}.yaml", bundled_stem=name)
    for qpath, q, _ in sc.quantities():
        assert q.source is not None and q.source.startswith(f"KTAB file {path.name}, line ")
        actor = sc.actor(qpath.split(".")[1])
        assert file_line(path, source_line(q.source)).strip().startswith(actor.name)
    assert result.dropped == ()


@pytest.mark.parametrize("case", ["dummyData_3Dim", "SOE-Pol-Comp"])
def test_converted_ktab_examples_reproduce_ktabs_runs(case: str, tmp_path: Path) -> None:
    out = tmp_path / f"{case}.yaml"
    result = runner.invoke(app, ["import-ktab", str(KTAB / f"{case}.csv"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    sc = load(out)
    fc = forecast(sc, point=True, engines=("smp",))
    assert fc.smp is not None
    ktab = read_positions(KTAB / f"{case}.ktab-positions.csv")
    assert int(fc.smp.turns_run[0]) == ktab.turns
    final = fc.smp.positions[0]
    assert final.shape == ktab.position[-1].shape
    assert np.abs(final - ktab.position[-1]).max() <= POSITION_TOL
    assert np.abs(final - ktab.position[0]).max() > 1  # the actors did move


# -- XML -------------------------------------------------------------------------------------


def xml_from_csv(path: Path, params: dict[str, str] | None = None) -> str:
    """The scenario of a KTAB CSV written in KTAB's XML layout (for the XML round trip)."""
    k = read_scenario(path)
    out = [f"<Scenario><name>{k.name}</name><desc>{k.description}</desc><prngSeed>1</prngSeed>"]
    if params:
        out.append("<ModelParameters>")
        out += [f"<{t}>{v}</{t}>" for t, v in params.items()]
        out.append("</ModelParameters>")
    out.append("<Dimensions>" + "".join(f"<dName>{d}</dName>" for d in k.dimensions))
    out.append("</Dimensions><Actors>")
    for a, name in enumerate(k.actors):
        out.append(f"<Actor><name>{name}</name><description>{k.actor_descriptions[a]}")
        out.append(f"</description><capability>{float(k.capability[a])!r}</capability><Position>")
        out += [f"<dCoord>{float(x)!r}</dCoord>" for x in k.position[a]]
        out.append("</Position><Salience>")
        out += [f"<dSal>{float(x)!r}</dSal>" for x in k.salience[a]]
        out.append("</Salience></Actor>")
    out.append("</Actors></Scenario>")
    return "\n".join(out)


def test_xml_of_a_ktab_example_converts_like_its_csv_and_reproduces_ktab(tmp_path: Path) -> None:
    case = KTAB / "dummyData_3Dim.csv"
    defaults = {
        "VictoryProbModel": "Linear",
        "PCEModel": "Conditional",
        "StateTransitions": "Deterministic",
        "VotingRule": "Prop",
        "BigRAdjust": "OneThird",
        "BigRRange": "Mid",
        "ThirdPartyCommit": "SemiCommit",
        "InterVecBrgn": "S2P2",
        "BargnModel": "InitOnlyInterp",
    }
    xml = tmp_path / "dummyData_3Dim.xml"
    xml.write_text(xml_from_csv(case, defaults))
    from_xml, from_csv = convert(xml), convert(case)
    assert from_xml.model.smp == SMPSettings()  # KTAB's defaults are summitry's
    for a, b in zip(from_xml.actors, from_csv.actors, strict=True):
        assert (a.id, a.name, a.note) == (b.id, b.name, b.note)
        assert a.capability.central() == b.capability.central()
        for k in from_csv.issue_ids:
            assert a.positions[k].central() == b.positions[k].central()
            assert a.salience[k].central() == b.salience[k].central()
    fc = forecast(from_xml, point=True, engines=("smp",))
    assert fc.smp is not None
    ktab = read_positions(KTAB / "dummyData_3Dim.ktab-positions.csv")
    assert np.abs(fc.smp.positions[0] - ktab.position[-1]).max() <= POSITION_TOL


def test_xml_model_parameters_and_accommodation_carry_over() -> None:
    result = import_ktab(HARBOUR)
    sc = load_text(to_yaml(result), "summitry-harbour.yaml")
    assert sc.model.smp.options().__dict__ == {
        "victory": "square",
        "pce": "markov-uniform",
        "resolution": "deterministic",
        "voting": "propbin",
        "perception": "half",
        "risk": "max",
        "third_party": "full-commit",
        "bargain": "s1p1",
        "interp": "init-only",
        "max_turns": SMPSettings().max_turns,
    }
    # KTAB's matrix: the identity, with each iaPair setting A[adjusting, reference]
    root = ET.parse(HARBOUR).getroot()
    names = [a.findtext("name") for a in root.iter("Actor")]
    expected = np.eye(len(names))
    for pair in root.iter("iaPair"):
        i = names.index(pair.findtext("adjustingIdeal"))
        j = names.index(pair.findtext("referencePos"))
        expected[i, j] = float(pair.findtext("adjust") or "nan")
    acc = accommodation_matrix(sc)
    assert acc is not None and np.array_equal(acc, expected)
    assert any(d.startswith("prngSeed = 4242") for d in result.dropped)
    assert any(d.startswith("<Comment>") for d in result.dropped)
    assert "Not carried over" in (sc.description or "")
    text = to_yaml(result)
    assert "# Not carried over: prngSeed = 4242" in text
    assert re.search(r"victory: square +# KTAB file summitry-harbour.xml, line 10", text)
    fc = forecast(sc, point=True, engines=("smp",))  # four actors: the SMP runs
    assert fc.smp is not None and np.all((fc.smp.positions >= 0) & (fc.smp.positions <= 100))


def test_xml_numbers_name_the_line_of_their_element() -> None:
    sc = convert(HARBOUR)
    for path, q, _ in sc.quantities():
        line = file_line(HARBOUR, source_line(q.source))
        raw = re.search(r">([^<]*)<", line)
        assert raw, line
        value = float(raw.group(1))
        assert q.central() == (value / 100 if ".salience." in path else value)


def test_awkward_names_empty_coordinate_and_two_actors() -> None:
    result = import_ktab(TWO)
    sc = load_text(to_yaml(result), "summitry-two-actors.yaml")
    assert sc.actor_ids == ["north_east", "north_east_2"]
    assert [a.name for a in sc.actors] == ["North-East", "North East"]
    assert sc.issue_ids == ["issue_1st_tariff_round", "rio_quota"]
    assert sc.issues[1].label == "Río quota"
    assert sc.quantity("actors.north_east.positions.issue_1st_tariff_round").central() == 0
    notes = "\n".join(result.notes)
    assert "empty" in notes and "add up to 125" in notes and "at least 3 actors" in notes
    assert sc.model.smp == SMPSettings()  # no ModelParameters: KTAB's defaults
    assert forecast(sc, point=True).notes  # the default forecast says the SMP did not run
    with pytest.raises(ValueError, match="at least 3 actors"):
        forecast(sc, point=True, engines=("smp",))


def harbour_with(tmp_path: Path, old: str, new: str, name: str = "edited.xml") -> Path:
    text = HARBOUR.read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize("tag", list(PARAMETERS))
def test_every_ktab_name_of_every_parameter_is_accepted(tag: str, tmp_path: Path) -> None:
    field, names, _ = PARAMETERS[tag]
    element = re.search(rf"<{tag}>\w+</{tag}>", HARBOUR.read_text())
    assert element
    seen = set()
    for i, name in enumerate(names):
        path = harbour_with(tmp_path, element.group(0), f"<{tag}>{name}</{tag}>", f"{i}.xml")
        seen.add(getattr(convert(path).model.smp, field))  # loads: a legal SMPSettings value
    assert len(seen) == len(names)


def test_xsd_spellings_case_and_missing_parameters(tmp_path: Path) -> None:
    path = harbour_with(tmp_path, "<VotingRule>PropBin</", "<VotingRule>Proportional</")
    assert convert(path).model.smp.voting == "prop"
    path = harbour_with(tmp_path, "<BigRAdjust>Half</", "<BigRAdjust>No</")
    assert convert(path).model.smp.perception == "none"
    path = harbour_with(tmp_path, "<PCEModel>MarkovUniform</", "<PCEModel>markovincentive</")
    assert convert(path).model.smp.pce == "markov-incentive"
    path = harbour_with(tmp_path, "<BigRRange>Max</BigRRange>", "")
    result = import_ktab(path)
    assert any("has no BigRRange" in n for n in result.notes)
    assert convert(path).model.smp.risk == SMPSettings().risk


def test_ideal_adjustment_rows(tmp_path: Path) -> None:
    pair = "<iaPair><adjustingIdeal>{}</adjustingIdeal><referencePos>{}</referencePos>"
    pair += "<adjust>{}</adjust></iaPair>"
    anchor = "<IdealAdjustment>"
    # a later pair for the same entry replaces the earlier one, as in KTAB
    path = harbour_with(tmp_path, anchor, anchor + pair.format("Fishers", "Fishers", 0.2))
    result = import_ktab(path)
    assert any("the last one counts" in n for n in result.notes)
    assert result.data["model"]["smp"]["accommodation"]["fishers"] == {"fishers": 0.5}
    # a row that KTAB's identity start leaves equal to the identity is not written
    path = harbour_with(tmp_path, "<adjust>0.5</adjust>", "<adjust>1</adjust>")
    assert "fishers" not in import_ktab(path).data["model"]["smp"]["accommodation"]
    # a pair for another actor alone keeps the implicit 1 on the diagonal: above 1
    path = harbour_with(tmp_path, anchor, anchor + pair.format("Shippers", "Fishers", 0.25))
    with pytest.raises(KTABImportError, match=r"edited.xml:\d+: .*'Shippers'.*implicit 1"):
        import_ktab(path)


# -- bad input -------------------------------------------------------------------------------

CSV_OK = (
    "Talks,desc,3,1,\nActor,Description,Power,P1,S1,\nA,a,1,10,50,\nB,b,2,20,50,\nC,c,3,30,50,\n"
)
BAD_FILES = [
    # (name, content, expected fragment with the line where known)
    ("no-header.csv", "", "no-header.csv: empty file"),
    ("counts.csv", CSV_OK.replace(",3,1,", ",4,1,"), "counts.csv: line 1 announces 4"),
    ("extra.csv", CSV_OK + "D,d,1,1,1\n", "extra.csv:6: line 1 announces 3"),
    ("words.csv", CSV_OK.replace(",3,1,", ",three,1,"), "words.csv:1: the numbers of actors"),
    ("short.csv", CSV_OK.replace("B,b,2,20,50,", "B,b,2,20"), "short.csv:4: expected 5 fields"),
    ("nan.csv", CSV_OK.replace("20,50", "nan,50"), "nan.csv:4: position on 'P1' 'nan'"),
    ("range.csv", CSV_OK.replace("30,50", "130,50"), "range.csv:5: actor 'C': position 130"),
    ("neg.csv", CSV_OK.replace("C,c,3", "C,c,-3"), "neg.csv:5: actor 'C': capability is neg"),
    ("cols.csv", CSV_OK.replace("P1,S1,", "P1,"), "cols.csv:2: expected 5 column names"),
    ("latin1.csv", None, "latin1.csv:4: not UTF-8 text"),
    ("scenario.txt", "x", "scenario.txt: not a KTAB scenario file"),
    ("unclosed.xml", "<Scenario>\n<name>x</name>\n<Dimensions>\n</Scenario>\n", "unclosed.xml:4:"),
    ("root.xml", "<?xml version='1.0'?>\n<Model/>", "root.xml:2: expected <Scenario>"),
    ("nodims.xml", "<Scenario>\n<Actors/>\n</Scenario>", "nodims.xml:1: <Scenario> has no <Dim"),
]


def write_bad(tmp_path: Path, name: str, content: str | None) -> Path:
    path = tmp_path / name
    if content is None:
        path.write_bytes(CSV_OK.replace("B,b", "B\xe9,b").encode("latin-1"))
    else:
        path.write_text(content, encoding="utf-8")
    return path


def assert_one_clear_line(result: Result, fragment: str) -> None:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(("name", "content", "fragment"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_fail_with_one_line(
    tmp_path: Path, name: str, content: str | None, fragment: str
) -> None:
    path = write_bad(tmp_path, name, content)
    result = runner.invoke(app, ["import-ktab", str(path)])
    assert_one_clear_line(result, str(tmp_path / fragment))


XML_BAD_EDITS = [
    # (old, new, expected message fragment after "edited.xml:LINE: ")
    ("<dCoord>15</dCoord>", "", r":42: actor 'Shippers' has 1 <dCoord> value\(s\), <Dim"),
    ("<dSal>70</dSal>", "<dSal>70</dSal><dSal>1</dSal>", r":46: actor 'Shippers' has 3 <dSal>"),
    (
        "<capability>40</capability>",
        "<capability>forty</capability>",
        r":54: actor 'City .*'forty'",
    ),
    ("<capability>40</capability>", "<capability></capability>", r":54: .*capability is empty"),
    ("<dCoord>50</dCoord>", "<dCoord>101</dCoord>", r":56: .*position 101 on 'Port dues'"),
    ("<PCEModel>MarkovUniform<", "<PCEModel>Markov<", r":11: PCEModel 'Markov' is not one of"),
    ("<referencePos>City Council<", "<referencePos>Town<", r":86: referencePos 'Town' is not an"),
    ("<adjust>0.8</adjust>", "<adjust>1.5</adjust>", r":82: adjust 1.5 is outside \[0, 1\]"),
    ("<Scenario xmlns", '<!DOCTYPE x [<!ENTITY e "e">]>\n<Scenario xmlns', r":5: DOCTYPE"),
    (
        "<Scenario xmlns",
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<Scenario xmlns',
        r":5: DOCTYPE declarations are not accepted",
    ),
    ("<name>Shippers</name>", "<name>Shippers</nam>", r":39: malformed XML: mismatched tag"),
    ("<name>Fishers</name>", "<name></name>", r":64: the actor has no name"),
]


@pytest.mark.parametrize(("old", "new", "pattern"), XML_BAD_EDITS)
def test_bad_xml_fails_with_file_and_line(tmp_path: Path, old: str, new: str, pattern: str) -> None:
    path = harbour_with(tmp_path, old, new)
    result = runner.invoke(app, ["import-ktab", str(path)])
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.match(re.escape(str(path)) + pattern, lines[0]), lines


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert_one_clear_line(
        runner.invoke(app, ["import-ktab", str(tmp_path / "gone.csv")]), "gone.csv: no such file"
    )
    folder = tmp_path / "folder.xml"
    folder.mkdir()
    assert_one_clear_line(runner.invoke(app, ["import-ktab", str(folder)]), "is a directory")


# -- output ----------------------------------------------------------------------------------


def test_stdout_yaml_and_report_on_stderr() -> None:
    result = runner.invoke(app, ["import-ktab", str(HARBOUR)])
    assert result.exit_code == 0, result.stderr
    assert load_text(result.stdout, "x.yaml") == convert(HARBOUR)
    assert "not carried over: prngSeed = 4242" in result.stderr
    assert "not carried over" not in result.stdout.replace("Not carried over", "")


def test_output_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "soe.yaml"
    args = ["import-ktab", str(KTAB / "SOE-Pol-Comp.csv"), "-o", str(out)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and first.stdout == "" and f"wrote {out}" in first.stderr
    assert load(out).name == "soe-pol-comp"
    out.write_text("mine")
    second = runner.invoke(app, args)
    assert_one_clear_line(second, f"{out}: exists; use --force")
    assert out.read_text() == "mine"
    with_notes = runner.invoke(app, ["import-ktab", str(HARBOUR), "-o", str(out)])
    assert_one_clear_line(with_notes, f"{out}: exists; use --force")  # before any report
    third = runner.invoke(app, [*args, "--force"])
    assert third.exit_code == 0 and load(out).name == "soe-pol-comp"


def test_installed_command(tmp_path: Path) -> None:
    out = tmp_path / "harbour.yaml"
    ok = subprocess.run(
        [str(EXE), "import-ktab", str(HARBOUR), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "not carried over: prngSeed" in ok.stderr and load(out) == convert(HARBOUR)
    bad = subprocess.run(
        [str(EXE), "import-ktab", str(tmp_path / "none.xml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.strip() == f"{tmp_path / 'none.xml'}: no such file"


def test_slug() -> None:
    assert slug("dummyData_3Dim") == "dummydata-3dim"
    assert slug("SOE-Pol-Comp") == "soe-pol-comp"
    assert slug("__") == "ktab-scenario"


# -- any text in names and descriptions ------------------------------------------------------

NASTY = st.text(
    alphabet=st.sampled_from(list("aZ09 _-:#'\"&<>!*%@`|{}[],;\t\\/é漢\u200b\x07")), max_size=12
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=NASTY, desc=NASTY, names=st.lists(NASTY, min_size=1, max_size=4), fmt=st.booleans())
def test_any_names_convert_or_fail_cleanly(
    tmp_path: Path, title: str, desc: str, names: list[str], fmt: bool
) -> None:
    """Whatever the names, the import loads with the names kept, or fails on one line."""
    if fmt:
        path = tmp_path / "fuzz.csv"
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([title, desc, len(names), 1])
        w.writerow(["Actor", "Description", "Power", "Dim", "Sal"])
        w.writerows([[n, desc, 1, 50, 50] for n in names])
        path.write_text(buf.getvalue(), encoding="utf-8")
    else:
        path = tmp_path / "fuzz.xml"
        root = ET.Element("Scenario")
        ET.SubElement(root, "name").text = title
        ET.SubElement(root, "desc").text = desc
        ET.SubElement(ET.SubElement(root, "Dimensions"), "dName").text = desc
        actors = ET.SubElement(root, "Actors")
        for n in names:
            a = ET.SubElement(actors, "Actor")
            ET.SubElement(a, "name").text = n
            ET.SubElement(a, "description").text = desc
            ET.SubElement(a, "capability").text = "1"
            ET.SubElement(ET.SubElement(a, "Position"), "dCoord").text = "50"
            ET.SubElement(ET.SubElement(a, "Salience"), "dSal").text = "50"
        path.write_bytes(ET.tostring(root, encoding="utf-8"))
    try:
        result = import_ktab(path)
    except KTABImportError as err:
        assert str(err).startswith(str(path)) and "\n" not in str(err)
        return
    sc = load_text(to_yaml(result), "fuzz.yaml")
    assert [a.name for a in sc.actors] == [printable(n) for n in names]
    assert sc.title == (printable(title) or path.stem)


def printable(text: str) -> str:
    """The text as the import keeps it: control characters but tab and newline left out."""
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", text).strip()
