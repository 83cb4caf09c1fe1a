"""Hostile inputs, generated in a test's tmp_path (never committed binaries), and the real
console script to run them through (docs/limits.md, "Hostile inputs")."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
from pathlib import Path

from console_script import EXE
from summitry.scenario.catalog import SCENARIO_DIR

HANG_GUARD = 600
"""Seconds after which a command counts as hung: a guard against a hang, never a timing
assertion (a refusal takes a second or two; only a broken guard takes this long)."""
ADDRESS_SPACE = 3 * 2**30
"""RLIMIT_AS of every command run here: room for a normal run, not for a runaway one."""

HOSTILE = (
    "Border [/] talks [/bold] :x: <script>alert(1)</script> <b>bold</b> "
    "\x1b]0;pwned\x07\x1b[2J\x08\r\x7f\x9b31m\u202eevil"
)
"""Rich markup, an emoji code, HTML, and control characters: OSC (window title), BEL, CSI
(clear screen), backspace, carriage return, DEL, C1 CSI and a bidi override."""
LITERAL = "Border [/] talks [/bold] :x: <script>alert(1)</script> <b>bold</b>"
"""The part of :data:`HOSTILE` that must reach the terminal exactly as written."""
CONTROLS = ("\x1b", "\x07", "\x08", "\r", "\x7f", "\x9b", "\u202e")
"""Characters that must never reach the terminal raw."""


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, columns: int = 80
) -> subprocess.CompletedProcess[str]:
    """``summitry ARGS`` as a subprocess under :data:`ADDRESS_SPACE`, at ``columns``."""
    assert EXE, "the summitry console script is installed in the test environment"
    base = {k: v for k, v in os.environ.items() if k != "SUMMITRY_MEMORY_LIMIT"}
    return subprocess.run(
        [EXE, *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=HANG_GUARD,
        preexec_fn=_cap,
        cwd=cwd,
        env={**base, "COLUMNS": str(columns), **(env or {})},
        stdin=subprocess.DEVNULL,
    )


def refused(out: subprocess.CompletedProcess[str]) -> str:
    """The one line of a clean refusal (exit 2, nothing on stdout, no traceback)."""
    assert out.returncode == 2, (out.returncode, out.stdout[-1000:], out.stderr[-2000:])
    assert "Traceback" not in out.stderr, out.stderr[-2000:]
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr[-2000:]
    return lines[0]


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text)


def hostile_scenario(tmp_path: Path, base: str = "dprk-2025", name: str = "hostile") -> Path:
    """``base`` with :data:`HOSTILE` in its title and description, every issue label, one
    anchor of each issue, and appended to every actor's name."""
    text = (SCENARIO_DIR / f"{base}.yaml").read_text(encoding="utf-8")
    title = f"title: {quoted(HOSTILE)}"
    label = f"    label: {quoted(HOSTILE)}"
    text = re.sub(r"(?m)^name: .*$", lambda m: f"name: {name}", text, count=1)
    text = re.sub(r"(?m)^title: .*$", lambda m: title, text, count=1)
    text = re.sub(r"(?m)^    label: .*$", lambda m: label, text)
    text = re.sub(
        r"(?m)^(    anchors:\n      [0-9.]+): .*$", lambda m: f"{m[1]}: {quoted(HOSTILE)}", text
    )
    text = re.sub(
        r"(?m)^(    name: )(.*)$",
        lambda m: m[1] + quoted(m[2].strip("\"'") + " " + HOSTILE),
        text,
    )
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def big_scenario(tmp_path: Path, actors: int, name: str = "big") -> Path:
    """A valid scenario with ``actors`` actors on one issue (one uncertain input, so that
    sensitivity has something to rank)."""
    lines = [
        f"name: {name}",
        "title: Many actors",
        "issues:",
        "  - id: a",
        "    label: One issue",
        "    scale: [0, 100]",
        "    anchors: {0: none, 100: all}",
        "actors:",
    ]
    for i in range(actors):
        capability = "{dist: uniform, low: 0.5, high: 1.5}" if i == 0 else "{value: 1}"
        lines += [
            f"  - id: a{i}",
            f"    name: Actor {i}",
            f"    capability: {capability}",
            f"    positions: {{a: {{value: {i % 101}}}}}",
            "    salience: {a: {value: 0.5}}",
        ]
    path = tmp_path / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ktab_csv(path: Path, actors: int, dims: int) -> Path:
    """A well-formed KTAB SMP scenario CSV of ``actors`` x ``dims``."""
    rows = [f"Big,generated,{actors},{dims}"]
    head = ["Actor", "Description", "Power"]
    for d in range(dims):
        head += [f"Pos {d}", f"Sal {d}"]
    rows.append(",".join(head))
    for i in range(actors):
        row = [f"A{i}", "actor", "10"]
        for d in range(dims):
            row += [str((7 * i + d) % 100), str(round(80 / dims, 3))]
        rows.append(",".join(row))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path
