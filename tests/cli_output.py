"""Helpers for tests of what the CLI prints: run a command at a terminal width, check that
every line fits and that no word was cut (docs/cli.md)."""

from __future__ import annotations

import re

import pytest
from click.testing import Result
from typer.testing import CliRunner

from summitry.cli import app
from summitry.cli.app import console, err_console
from summitry.cli.tables import DROPPED_NOTE

_SPLIT = re.compile(r"[\s\u2500-\u257f.,;:()\[\]'\"]+")
"""Whitespace, box-drawing characters and punctuation: what separates the words compared.
Dotted paths are compared by segment, since a path may wrap after a dot."""

_SEGMENTS = re.compile(r"-+")
"""Reference keys (``kim-spa-speech-2025-09-21``) may wrap after a hyphen: cut words are
compared by their hyphen-separated parts."""

_BOX = re.compile(r"[\u2500-\u257f]")

NOTE_WORDS = frozenset(_SPLIT.split(DROPPED_NOTE.format(columns=""))) - {""}
"""The words of the note that names the columns a narrow terminal left out."""


def run(*args: str, width: int, code: int = 0) -> Result:
    """``summitry ARGS`` in this process with COLUMNS=width; it must exit with ``code``.
    The CLI's consoles read COLUMNS on every print unless a width was pinned (COLUMNS set
    when they were created, or a test that set one): unpin it for the run."""
    with pytest.MonkeyPatch.context() as mp:
        for con in (console, err_console):
            mp.setattr(con, "_width", None)
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": str(width)})
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def long_lines(text: str, width: int) -> list[str]:
    """The lines of ``text`` wider than ``width`` (trailing blanks count: a terminal wraps
    on them too)."""
    return [line for line in text.splitlines() if len(line) > width]


def _is_rule(line: str) -> bool:
    return bool(line.strip()) and not _BOX.sub("", line).strip()


def headers(text: str) -> list[str]:
    """The column headings of each table in ``text``: the (at most two) lines above the
    rule under its header, without the box's characters."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if set(line.strip()) == {"─"} or line.lstrip().startswith("┡"):
            above = [x for x in lines[max(0, i - 2) : i] if not _is_rule(x)]
            out.append(" ".join(_BOX.sub(" ", " ".join(above)).split()))
    return out


def header(text: str) -> str:
    """The column headings of the first table in ``text``."""
    return headers(text)[0]


def words(text: str) -> set[str]:
    """The words of ``text`` (see _SPLIT)."""
    return set(_SPLIT.split(text)) - {""}


def cut_words(text: str, whole: str) -> set[str]:
    """Words of ``text`` that do not occur in ``whole``, the same output printed with
    --wide: a word cut across lines, folded or ended with an ellipsis shows up as a
    fragment that the wide output does not have."""
    parts = {p for w in words(whole) for p in _SEGMENTS.split(w)}
    return {w for w in words(text) - words(whole) - NOTE_WORDS if not _parts_in(w, parts)}


def _parts_in(word: str, parts: set[str]) -> bool:
    """Whether ``word`` is whole hyphen-separated parts of words of the wide output (a key
    broken after a hyphen), rather than a fragment of one."""
    pieces = [p for p in _SEGMENTS.split(word) if p]
    return bool(pieces) and all(p in parts for p in pieces)


def check_fits(*args: str, width: int = 80, ellipsis: bool = False) -> tuple[str, str]:
    """Run ``args`` at ``width`` and with --wide; assert the first fits the width, cuts no
    word of the second and (unless the output itself has one: ``ellipsis``) ends no cell
    with an ellipsis. Returns both stdouts."""
    narrow = run(*args, width=width).stdout
    wide = run(*args, "--wide", width=width).stdout
    assert long_lines(narrow, width) == [], "\n".join(long_lines(narrow, width))
    assert cut_words(narrow, wide) == set(), narrow
    assert ellipsis or "…" not in narrow, narrow
    return narrow, wide
