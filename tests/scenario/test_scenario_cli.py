"""``summitry scenarios list|show|validate`` in-process (CliRunner) and through the
installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summitry.cli import app
from summitry.cli.app import console
from summitry.scenario import ScenarioError, bundled_names, load

DATA = Path(__file__).parent / "data"
FULL = DATA / "full.yaml"
BAD = """\
name: bad
title: Bad
issues:
  - id: security
    label: Security
    scale: [0, 100]
actors:
  - id: north
    name: North
    capability: 1
    positions: {security: .nan}
    salince: {security: 0.5}
"""

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["scenarios", *args])


@pytest.fixture()
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    return path


def expected_errors(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load(path)
    return info.value.lines()


def test_list_shows_every_bundled_scenario():
    result = invoke("list")
    assert result.exit_code == 0, result.stderr
    for name in bundled_names():
        assert name in result.stdout


def test_list_json_counts():
    result = invoke("list", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == bundled_names()
    for row in rows:
        sc = load(row["name"])
        assert (row["actors"], row["issues"], row["title"]) == (
            len(sc.actors),
            len(sc.issues),
            sc.title,
        )


def test_show_prints_issues_actors_and_sources(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(console, "width", 160)
    result = invoke("show", str(FULL))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in (
        "Two ministries and a treaty",
        "tariffs",
        "inspections",
        "(north)",
        "(south)",
        "triangular(0, 20, 40)",
        "0.06429",
        "beta(2, 5) on [0.01, 0.2]",
        "memo",
        "full removal",
        "scholz-code",
    ):
        assert text in out, text


def test_show_json_lists_every_quantity():
    result = invoke("show", str(FULL), "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    sc = load(FULL)
    assert [q["path"] for q in data["quantities"]] == [p for p, _, _ in sc.quantities()]
    assert [q["central"] for q in data["quantities"]] == [
        q.central() for _, q, _ in sc.quantities()
    ]
    assert data["scenario"]["name"] == "full-example"
    assert data["quantities"][2]["legal_range"] == [0, None]  # capability: [0, inf)


def test_show_bundled_by_name():
    name = bundled_names()[0]
    result = invoke("show", name)
    assert result.exit_code == 0, result.stderr
    assert load(name).actors[0].id in result.stdout


def test_show_invalid_file_prints_every_error_and_exits_2(bad: Path):
    result = invoke("show", str(bad))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == expected_errors(bad)
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_show_unknown_name():
    result = invoke("show", "no-such-scenario")
    assert result.exit_code == 2
    assert result.stderr.startswith("no-such-scenario: no such scenario or file")


def test_validate_reports_ok_and_errors(bad: Path):
    result = invoke("validate", str(FULL), str(bad), bundled_names()[0])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [f"{FULL}: ok", f"{bundled_names()[0]}.yaml: ok"]
    lines = result.stderr.splitlines()
    assert lines == expected_errors(bad)
    assert any(
        line.endswith("actors[0].positions.security: .nan is not a finite number") for line in lines
    )
    assert any("unknown field 'salince' (did you mean 'salience'?)" in line for line in lines)


def test_validate_all_good_exits_0():
    result = invoke("validate", str(FULL), str(DATA / "minimal.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": ok") == 2


def test_console_script_end_to_end(bad: Path):
    exe = shutil.which("summitry", path=str(Path(sys.executable).parent))
    assert exe, "the summitry console script is installed next to the test interpreter"
    out = subprocess.run(
        [exe, "scenarios", "validate", str(FULL), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stdout.strip() == f"{FULL}: ok"
    assert out.stderr.splitlines() == expected_errors(bad)
    assert "Traceback" not in out.stderr
    shown = subprocess.run(
        [exe, "scenarios", "show", str(FULL), "--json"], capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["scenario"]["title"] == load(FULL).title
