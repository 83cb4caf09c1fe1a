"""User text is printed literally (docs/limits.md, "Hostile inputs"): a scenario whose
title, issue labels, anchors and actor names hold rich markup, an emoji code, HTML and
terminal control sequences runs through every command that prints it, which show the text
as written and the control characters visibly, never raw."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from summitry.cli.text import LiteralConsole, literal, safe, visible

from .corpus import CONTROLS, HOSTILE, LITERAL, hostile_scenario, run

WIDE = 400
"""Terminal width of these runs: wide enough that the title is never wrapped, so the
literal text can be looked for as one string."""


def assert_literal(output: str) -> None:
    assert LITERAL in output, output[:3000]
    assert "\u241b]0;pwned\u2407\u241b[2J" in output  # ESC and BEL as control pictures
    for char in CONTROLS:
        assert char not in output, (repr(char), output[:3000])


@pytest.mark.parametrize(
    "args",
    [
        ("forecast", "{path}", "--samples", "30", "--no-store"),
        ("forecast", "{path}", "--point", "--trace", "--no-store"),
        ("sensitivity", "{path}", "--method", "morris", "--n", "8"),
        ("scenarios", "show", "{path}"),
        ("scenarios", "show", "{path}", "--wide"),
        ("sweep", "{path}", "--samples", "64", "--chunk", "32", "--workers", "1"),
    ],
    ids=lambda a: " ".join(a[:3]),
)
def test_scenario_text_is_printed_literally(args: tuple[str, ...], tmp_path: Path) -> None:
    path = hostile_scenario(tmp_path)
    out = run(*(a.format(path=path) for a in args), cwd=tmp_path, columns=WIDE)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr
    assert_literal(out.stdout)
    for char in CONTROLS:
        assert char not in out.stderr


def test_compare_works_with_hostile_text(tmp_path: Path) -> None:
    path = hostile_scenario(tmp_path)
    out = run("compare", path, "dprk-2025", "--samples", "30", "--no-store", cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    for char in CONTROLS:
        assert char not in out.stdout + out.stderr


def test_scenarios_validate_names_the_file_literally(tmp_path: Path) -> None:
    path = hostile_scenario(tmp_path, name="hostile")
    odd = tmp_path / "odd [bold] :x: \x1b[2J name.yaml"
    odd.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    out = run("scenarios", "validate", odd, cwd=tmp_path, columns=WIDE)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("odd [bold] :x: \u241b[2J name.yaml: ok")
    assert "\x1b" not in out.stdout + out.stderr


def test_an_error_quoting_hostile_input_is_one_visible_line(tmp_path: Path) -> None:
    out = run(
        "compare", "dprk-2025", "--set", f"actors.{HOSTILE}.capability=1", "--no-store",
        cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert len(out.stderr.splitlines()) == 1, out.stderr
    assert "\u241b]0;pwned" in out.stderr
    for char in CONTROLS:
        assert char not in out.stderr


def test_json_output_keeps_the_text_exactly(tmp_path: Path) -> None:
    path = hostile_scenario(tmp_path)
    out = run("scenarios", "show", path, "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout)["scenario"]["title"] == HOSTILE  # escaped, not altered
    for char in CONTROLS:
        assert char not in out.stdout


def test_the_report_escapes_scenario_text(tmp_path: Path) -> None:
    path = hostile_scenario(tmp_path)
    out = run(
        "report", path, "--samples", "30", "--no-png", "--no-sensitivity", "--out", "rep",
        "--no-store", cwd=tmp_path, columns=WIDE,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    page = next((tmp_path / "rep").glob("*.html")).read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "<b>bold</b>" not in page
    assert html.escape("<script>alert(1)</script>", quote=False) in page
    assert "Border [/] talks [/bold] :x:" in page


# -- the helper itself -------------------------------------------------------------------


def test_visible_shows_every_control_character_and_keeps_the_rest() -> None:
    assert visible("a\x1b[2Jb") == "a\u241b[2Jb"
    assert visible("\x00\x07\x08\r\x7f") == "\u2400\u2407\u2408\u240d\u2421"
    assert visible("\x9b\x85\u202e\u2066\u200f") == "\\x9b\\x85\\u202e\\u2066\\u200f"
    assert visible("line\nnext\tcol é 中 :x: [b]") == "line\nnext\tcol é 中 :x: [b]"


def test_safe_and_literal_print_exactly_what_was_written() -> None:
    console = LiteralConsole(width=200, record=True, color_system=None, force_terminal=False)
    console.print(f"[bold]{safe('Border [/] talks [/bold] :x:')}[/bold]")
    console.print(literal("[red]x[/red] :smile:"))
    console.print("a str \x1b[31m :x:", markup=False)  # any str: made visible here
    lines = console.export_text().splitlines()
    assert lines[0] == "Border [/] talks [/bold] :x:"
    assert lines[1] == "[red]x[/red] :smile:"
    assert lines[2] == "a str \u241b[31m :x:"
