"""``summitry scenarios list|show|validate`` in-process (CliRunner) and through the
installed console script."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from console_script import EXE
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
    # Source warnings (docs/scenario-format.md) come first, then the errors.
    lines = [line for line in result.stderr.splitlines() if ": warning: " not in line]
    assert lines == expected_errors(bad)
    assert any(
        line.endswith("actors[0].positions.security: .nan is not a finite number") for line in lines
    )
    assert any("unknown field 'salince' (did you mean 'salience'?)" in line for line in lines)


def test_validate_capability_by_issue_errors_exit_2(tmp_path: Path):
    """An issue-specific capability on an unknown issue and a negative one: one line each,
    with file, line and field, and exit code 2."""
    path = tmp_path / "cap.yaml"
    text = BAD.replace("{security: .nan}", "{security: 40}").replace("salince", "salience")
    text = text.replace(
        "    capability: 1\n",
        "    capability: 1\n    capability_by_issue:\n      securit: 2\n      security: -3\n",
    )
    path.write_text(text)
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}:12: actors[0].capability_by_issue.securit: unknown issue 'securit' "
        "(did you mean 'security'?)",
        f"{path}:13: actors[0].capability_by_issue.security: -3 is below 0",
    ]
    assert "Traceback" not in result.stderr


def test_validate_all_good_exits_0():
    result = invoke("validate", str(FULL), str(DATA / "minimal.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": ok") == 2


def test_console_script_end_to_end(bad: Path):
    exe = EXE
    assert exe, "the summitry console script is installed next to the test interpreter"
    out = subprocess.run(
        [exe, "scenarios", "validate", str(FULL), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stdout.strip() == f"{FULL}: ok"
    errors = [line for line in out.stderr.splitlines() if ": warning: " not in line]
    assert errors == expected_errors(bad)
    assert "Traceback" not in out.stderr
    shown = subprocess.run(
        [exe, "scenarios", "show", str(FULL), "--json"], capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["scenario"]["title"] == load(FULL).title


# -- bargaining, options and outcome sections of `show` --------------------------------------


def _row(out: str, first: str, after: str = "") -> int:
    """The index of the table line whose first cell is exactly ``first``, searching from
    the first line that contains ``after``."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    for i in range(start, len(lines)):
        cells = lines[i].split("│")
        if len(cells) > 2 and cells[1].strip() == first:
            return i
    raise AssertionError(f"no table row starting with {first!r} after {after!r}")


def _cells(out: str, first: str, after: str = "") -> list[str]:
    """The cells of the table line whose first cell is exactly ``first`` (see _row)."""
    line = out.splitlines()[_row(out, first, after)]
    return [c.strip() for c in line.split("│")[1:-1]]


def _lines_after(out: str, first: str) -> list[str]:
    return out.splitlines()[_row(out, first) :]


def _show_wide(monkeypatch: pytest.MonkeyPatch, target: str) -> str:
    monkeypatch.setattr(console, "width", 260)
    result = invoke("show", target)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", ["dprk-2025", "dprk-2019-hanoi"])
def test_show_lists_every_bargaining_and_options_quantity(
    monkeypatch: pytest.MonkeyPatch, name: str
):
    from summitry.cli.scenarios import _num, _source

    out = _show_wide(monkeypatch, name)
    sc = load(name)
    rows = [(p, q) for p, q, _ in sc.quantities() if p.startswith(("bargaining.", "options."))]
    assert sum(p.startswith("options.") for p, _ in rows) == 15
    for path, q in rows:
        cells = _cells(out, path)
        assert cells[1] == _num(q.central()), path
        assert cells[2] == q.describe(), path
        source = " ".join(_source(q).split())
        assert cells[3] and source.startswith(cells[3]), path
    # the actor tables name each input by its path relative to actors.<id>
    for path, q, _ in sc.quantities():
        if path.startswith("actors."):
            _, actor_id, rest = path.split(".", 2)
            cells = _cells(out, rest, after=f"Input (actors.{actor_id}.…)")
            assert cells[1:3] == [_num(q.central()), q.describe()], path


def test_show_bargaining_setting_and_channels(monkeypatch: pytest.MonkeyPatch):
    from summitry.cli.scenarios import _num

    out = _show_wide(monkeypatch, "dprk-2025")
    bg = load("dprk-2025").bargaining
    assert bg is not None and bg.channels
    sc = load("dprk-2025")
    for side in ("a", "b"):
        actor = sc.actor(bg.principals[side])
        assert _cells(out, f"bargaining.principals.{side}")[1] == f"{actor.id} ({actor.name})"
    assert _cells(out, "bargaining.channel")[1].startswith(bg.channel)
    assert _cells(out, "bargaining.utility")[1] == bg.utility
    for name, channel in bg.channels.items():
        cells = _cells(out, f"bargaining.channels.{name}")
        assert cells[1] == channel.a
        assert cells[2] == (", ".join(channel.ratifiers) or "none")
        cost = channel.override_cost
        assert cells[3] == ("—" if cost is None else f"{_num(cost.central())}  {cost.describe()}")
        in_force = "(in force)" in _lines_after(out, f"bargaining.channels.{name}")[1]
        assert in_force == (name == bg.channel)
    # an ideal-point override is glossed with the stated position it replaces
    for actor_id, per_issue in bg.ideals.items():
        for issue in per_issue:
            lines = _lines_after(out, f"bargaining.ideals.{actor_id}.{issue}")[:5]
            block = " ".join(line.split("│")[1].strip() for line in lines)
            stated = _num(sc.actor(actor_id).positions[issue].central())
            assert f"stated position (central {stated})" in block


def test_show_without_channels_names_the_implicit_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from ruamel.yaml import YAML

    data = load("dprk-2025").to_data()
    del data["bargaining"]["channels"]
    data["bargaining"]["channel"] = "working"
    path = tmp_path / "dprk-2025.yaml"
    with path.open("w") as f:
        YAML(typ="safe", pure=True).dump(data, f)
    out = _show_wide(monkeypatch, str(path))
    cells = _cells(out, "working (no channels given: principal A, every ratifier)")
    bg = load(path).bargaining
    assert bg is not None
    assert cells[1] == bg.principals["a"] and cells[2] == ", ".join(bg.ratifiers)


def test_show_without_bargaining_or_options_says_so(monkeypatch: pytest.MonkeyPatch):
    out = _show_wide(monkeypatch, str(FULL))
    sc = load(FULL)
    assert sc.bargaining is None and sc.options is None
    assert "no bargaining section" in out and "no options section" in out
    assert "Bargaining model" not in out and "Options game" not in out


@pytest.mark.parametrize("target", [str(FULL), "dprk-2019-hanoi"])
def test_show_prints_the_observed_outcome(monkeypatch: pytest.MonkeyPatch, target: str):
    from summitry.cli.scenarios import _num

    outcome = getattr(load(target), "outcome", None)
    if outcome is None:
        pytest.skip("no outcome section in this scenario (or this version of the schema)")
    out = _show_wide(monkeypatch, target)
    assert f"Observed outcome ({outcome.date.isoformat()})" in out
    if outcome.deal is not None:
        assert _cells(out, "deal concluded")[1] == ("yes" if outcome.deal.value else "no")
    assert outcome.issues
    for issue_id, obs in outcome.issues.items():
        cells = _cells(out, issue_id, after="Observed outcome")
        assert cells[1] == _num(obs.value)
        if obs.low is None and obs.high is None:
            assert cells[2] == ""
        else:
            assert cells[2] == f"[{_num(obs.band[0])}, {_num(obs.band[1])}]"
        source = " — ".join(p for p in (obs.source, obs.note) if p)
        assert " ".join(source.split()).startswith(cells[3])


def test_show_lists_issue_specific_capabilities(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    text = FULL.read_text(encoding="utf-8").replace(
        "    capability: 0.3\n",
        "    capability: 0.3\n"
        "    capability_by_issue:\n"
        "      tariffs: {dist: uniform, low: 0.1, high: 0.5, note: clout on trade}\n",
        1,
    )
    path = tmp_path / "by-issue.yaml"
    path.write_text(text, encoding="utf-8")
    out = _show_wide(monkeypatch, str(path))
    cells = _cells(out, "capability_by_issue.tariffs")
    assert cells[1:4] == ["0.3", "uniform(0.1, 0.5)", "clout on trade"]
