"""Typer/click's own usage errors are one line and exit 2, and ``--help`` reads cleanly at
80 columns (docs/cli.md, "Errors")."""

from __future__ import annotations

from pathlib import Path

import pytest

from .corpus import refused, run


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["forecast", "--samples", "nan"],
            "summitry forecast: --samples: 'nan' is not a valid integer",
        ),
        (
            ["forecast", "--samples=1.5"],
            "summitry forecast: --samples: '1.5' is not a valid integer",
        ),
        (["forecast", "--samples", "0"], "summitry forecast: --samples: 0 is below the minimum 1"),
        (
            ["sweep", "dprk-2025", "--workers", "many"],
            "summitry sweep: --workers: 'many' is not a valid integer",
        ),
        (
            ["forecast", "--qqqqqqqq"],
            "summitry forecast: no such option --qqqqqqqq (see summitry forecast --help)",
        ),
        (
            ["compare"],
            "summitry compare: missing argument 'a' (see summitry compare --help)",
        ),
        (
            ["scenarios", "show"],
            "summitry scenarios show: missing argument 'target' "
            "(see summitry scenarios show --help)",
        ),
        (["no-such-command"], "summitry: no such command 'no-such-command' (see summitry --help)"),
        (
            ["forecast", "--seed", "\x1b[2J[/]:x:"],
            "summitry forecast: --seed: '\\x1b[2J[/]:x:' is not a valid integer",
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_a_usage_error_is_one_line(args: list[str], line: str, tmp_path: Path) -> None:
    out = run(*args, cwd=tmp_path)
    assert refused(out) == line
    assert "\x1b" not in out.stderr
    assert out.stdout == ""


def test_an_unknown_option_close_to_a_real_one_is_suggested(tmp_path: Path) -> None:
    line = refused(run("forecast", "--sample", "5", cwd=tmp_path))
    assert line.startswith("summitry forecast: no such option --sample (did you mean --samples")


def _commands(help_text: str) -> list[str]:
    lines = help_text.splitlines()
    start = lines.index("Commands:") + 1
    return [line for line in lines[start:] if line.strip()]


def test_the_command_list_has_one_line_per_command_at_80_columns(tmp_path: Path) -> None:
    out = run("--help", cwd=tmp_path, columns=80)
    assert out.returncode == 0, out.stderr
    assert max(len(line) for line in out.stdout.splitlines()) <= 80
    listed = _commands(out.stdout)
    assert all(line.startswith("  ") and not line.startswith("   ") for line in listed), listed
    names = {line.split()[0] for line in listed}
    assert {"forecast", "compare", "sensitivity", "sweep", "report", "scenarios"} <= names
    assert "╭" not in out.stdout


@pytest.mark.parametrize("command", [["forecast"], ["scenarios", "validate"], ["sweep"]])
def test_command_help_fits_80_columns(command: list[str], tmp_path: Path) -> None:
    out = run(*command, "--help", cwd=tmp_path, columns=80)
    assert out.returncode == 0, out.stderr
    assert max(len(line) for line in out.stdout.splitlines()) <= 80
    assert "╭" not in out.stdout
    assert out.stdout.startswith(f"Usage: summitry {' '.join(command)} ")
