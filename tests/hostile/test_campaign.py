"""The on-demand hostile-input campaign (``make campaign``; docs/limits.md, "Hostile
inputs"): a seeded generator mutates scenario and KTAB files and command-line values in
hostile ways and runs every command on them through the real console script under an
address-space limit. Each must exit 0 or 2, never with a traceback, say why when it
refuses, and never write a raw control character; the subprocess timeout is only a guard
against a hang. A failing case is reproduced from its id (the seed)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from summitry.scenario.catalog import SCENARIO_DIR

from .corpus import CONTROLS, HOSTILE, ktab_csv, quoted, run

SEEDS = range(120)
"""Cases per family: each seed is one generated input, the same on every run."""

NUMBERS = (
    "1e400", "-1e400", ".nan", ".inf", "-.inf", "nan", "1_000", "0x7fffffffffffffffffff",
    "9" * 5000, "-" + "9" * 400, "1e-400", "0", "-0", "1e308", "4.9e-324", "''", "[]", "{}",
    "~", "true", "2025-13-45", "!!binary aGk=", "!!python/object:os.system x", "*undefined",
)  # fmt: skip
"""Replacements for a number of the file."""
TEXTS = (
    HOSTILE, "[/]", "[bold", ":x: :smile:", "\\x1b[31m", "<script>", "%s%n", "{0}",
    "a" * 100_000, "\u202e\u2066", "\x00", "' \" \\", "ｆｕｌｌ", "🙂" * 50,
)  # fmt: skip
"""Replacements for a text field (YAML double-quoted)."""
VALUES = (
    "nan", "-1", "0", "1e308", str(10**30), "", " ", "\x1b[2J", "[/]", ":x:", "a" * 5000,
    "1.5", "0x10", "--help", "-", "/dev/zero", "..", "\u202e1",
)  # fmt: skip
"""Values given to command-line options."""


def _mutate_scenario(rng: random.Random, text: str) -> str | bytes:
    lines = text.splitlines()
    kind = rng.choice(
        ["number", "text", "delete", "duplicate", "bytes", "nest", "alias", "truncate", "indent"]
    )
    if kind == "number":
        spots = [m for m in re.finditer(r"(?<=[ :\[,])-?\d+(\.\d+)?(?=[,\]} \n])", text)]
        if spots:
            m = rng.choice(spots)
            return text[: m.start()] + rng.choice(NUMBERS) + text[m.end() :]
        return text + rng.choice(NUMBERS)
    if kind == "text":
        spots = [i for i, line in enumerate(lines) if re.match(r"^ *(title|label|name):", line)]
        i = rng.choice(spots or [0])
        key = lines[i].split(":")[0]
        lines[i] = f"{key}: {quoted(rng.choice(TEXTS))}"
        return "\n".join(lines) + "\n"
    if kind == "delete":
        del lines[rng.randrange(len(lines))]
        return "\n".join(lines) + "\n"
    if kind == "duplicate":
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "\n".join(lines) + "\n"
    if kind == "bytes":
        raw = text.encode()
        at = rng.randrange(len(raw))
        return raw[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + raw[at:]
    if kind == "nest":
        depth = rng.choice([50, 1000, 100_000])
        return text + "extra: " + "[" * depth + "]" * depth + "\n"
    if kind == "alias":
        bomb = "a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
            for i in range(8)
        )
        return bomb + text
    if kind == "truncate":
        return text[: rng.randrange(len(text))]
    i = rng.randrange(len(lines))
    lines[i] = " " * rng.choice([1, 3, 7]) + lines[i]
    return "\n".join(lines) + "\n"


def _check(out_code: int, stdout: str, stderr: str, case: str) -> None:
    assert out_code in (0, 2), (case, out_code, stderr[-2000:])
    assert "Traceback" not in stderr, (case, stderr[-2000:])
    if out_code == 2:
        assert stderr.strip(), (case, "a refusal says why")
    for char in CONTROLS:
        assert char not in stdout + stderr, (case, repr(char))


SCENARIO_COMMANDS: list[tuple[str, ...]] = [
    ("forecast", "{path}", "--samples", "20", "--no-store"),
    ("scenarios", "validate", "{path}"),
    ("scenarios", "show", "{path}"),
    ("sensitivity", "{path}", "--method", "morris", "--n", "8"),
    ("report", "{path}", "--samples", "20", "--no-png", "--no-sensitivity", "--out", "rep"),
    ("sweep", "{path}", "--samples", "40", "--chunk", "20", "--workers", "1", "--db", "s.db"),
    ("compare", "{path}", "ec-emissions-1994", "--samples", "20", "--no-store"),
]


@pytest.mark.campaign
@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_scenarios(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    base = rng.choice(["ec-emissions-1994", "dprk-2025"])
    mutated = _mutate_scenario(rng, (SCENARIO_DIR / f"{base}.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "case.yaml"
    if isinstance(mutated, bytes):
        path.write_bytes(mutated)
    else:
        path.write_text(mutated, encoding="utf-8", errors="surrogatepass")
    command = rng.choice(SCENARIO_COMMANDS)
    args = [a.format(path=path) for a in command]
    out = run(*args, cwd=tmp_path)
    _check(out.returncode, out.stdout, out.stderr, f"seed {seed}: {' '.join(args)}")


OPTION_COMMANDS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("forecast", "ec-emissions-1994", "--no-store"), ("--samples", "--seed", "--rounds")),
    (("forecast", "ec-emissions-1994", "--no-store"), ("--engine", "--variant")),
    (("sensitivity", "ec-emissions-1994", "--method", "morris"), ("--n", "--top", "--output")),
    (("compare", "ec-emissions-1994", "--no-store"), ("--set",)),
    (("scenarios",), ("show", "validate")),
    (("sweep", "ec-emissions-1994", "--db", "s.db"), ("--samples", "--chunk", "--workers")),
    (("report", "ec-emissions-1994", "--no-png", "--no-store"), ("--out", "--samples")),
    (("runs", "--db", "s.db"), ("show", "export")),
    (("import-ktab",), ("{value}",)),
]


@pytest.mark.campaign
@pytest.mark.parametrize("seed", SEEDS)
def test_hostile_option_values(seed: int, tmp_path: Path) -> None:
    rng = random.Random(10_000 + seed)
    fixed, options = rng.choice(OPTION_COMMANDS)
    option = rng.choice(options)
    value = rng.choice(VALUES)
    args = [*fixed, option, value] if "{" not in option else [*fixed, value]
    if fixed[0] == "compare" and rng.random() < 0.5:
        args[-1] = f"actors.{value}.capability={rng.choice(VALUES)}"
    if fixed[0] == "forecast" and option in ("--samples", "--rounds") and value.isdigit():
        args += ["--engine", "eum"]
    out = run(*args, cwd=tmp_path)
    _check(out.returncode, out.stdout, out.stderr, f"seed {seed}: {args!r}")


@pytest.mark.campaign
@pytest.mark.parametrize("seed", SEEDS)
def test_mutated_ktab_files(seed: int, tmp_path: Path) -> None:
    rng = random.Random(20_000 + seed)
    path = ktab_csv(tmp_path / "case.csv", rng.randint(1, 40), rng.randint(1, 5))
    text = path.read_text(encoding="utf-8")
    mutated = _mutate_scenario(rng, text) if rng.random() < 0.3 else text
    if isinstance(mutated, str):
        cells = mutated.split(",")
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(cells))
            cells[i] = rng.choice([*NUMBERS, *TEXTS, *VALUES, '"', "\n"])
        mutated = ",".join(cells)
        path.write_text(mutated, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(mutated)
    out = run("import-ktab", path, "-o", tmp_path / "out.yaml", cwd=tmp_path)
    _check(out.returncode, out.stdout, out.stderr, f"seed {seed}")
