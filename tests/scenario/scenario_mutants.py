"""Random mutations of scenario files, for the fuzz tests.

A mutant starts from a valid scenario file and applies a few random edits, either to its
parsed data (delete a key, put a value of the wrong type, push a number out of range or to
``.nan``, rename a key or id, duplicate a list item) which is then written back as YAML,
or to its text (delete, duplicate or swap lines, insert YAML punctuation, truncate,
re-indent, replace a word) -- which yields broken YAML and duplicate keys.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

from summitry.scenario.catalog import SCENARIO_DIR

DATA = Path(__file__).parent / "data"
SEEDS: dict[str, str] = {
    p.name: p.read_text(encoding="utf-8")
    for p in [*sorted(SCENARIO_DIR.glob("*.yaml")), *sorted(DATA.glob("*.yaml"))]
}

NASTY: list[Any] = [
    None,
    True,
    False,
    "",
    "text",
    "5",
    0,
    -1,
    1.4,
    1e300,
    -1e300,
    10**400,
    math.nan,
    math.inf,
    -math.inf,
    [],
    {},
    [1, 2],
    [0, 1, 2],
    {"value": "x"},
    {"dist": "normal"},
    {"dist": "normal", "mean": 1, "sd": -1},
    {"dist": "beta", "alpha": 0, "beta": 1},
    {"dist": "triangular", "low": 5, "mode": 1, "high": 3},
    {"dist": "choice", "values": [1, 2], "weights": [0.9, 0.9]},
    {"dist": "gamma"},
    {"dist": 3},
    {"dist": "uniform", "low": -1e9, "high": 1e9},
    dt.date(2020, 1, 1),
    "2025-02-30",
]
PUNCTUATION = [
    ":",
    "-",
    "[",
    "]",
    "{",
    "}",
    "#",
    "&a",
    "*a",
    "!",
    "|",
    ">",
    "'",
    '"',
    "%",
    "@",
    "`",
    "\t",
    "\n",
    " ",
    ",",
    "? ",
    "<<: ",
    "\x00",
    "\u2028",
    "---\n",
]
WORDS = [
    "id",
    "dist",
    "value",
    "normal",
    "salience",
    "positions",
    "security",
    "dprk",
    ".nan",
    ".inf",
    "-1",
    "1e999",
    "true",
    "null",
    "~",
    "[]",
    "{}",
]

Draw = Callable[[st.SearchStrategy[Any]], Any]


def _nodes(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) pair in ``data``."""
    out: list[tuple[Any, Any]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append((data, k))
            out += _nodes(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.append((data, i))
            out += _nodes(v, (*path, i))
    return out


def _number_slots(data: Any) -> list[tuple[Any, Any]]:
    return [
        (c, k)
        for c, k in _nodes(data)
        if isinstance(c[k], int | float) and not isinstance(c[k], bool) and abs(c[k]) < 1e300
    ]


def _value(draw: Draw) -> Any:
    """A value of any type; a fresh copy, so that later edits never change ``NASTY``."""
    return copy.deepcopy(
        draw(
            st.one_of(
                st.sampled_from(NASTY),
                st.floats(allow_nan=True, allow_infinity=True),
                st.integers(min_value=-(10**20), max_value=10**20),
                st.text(max_size=12),
            )
        )
    )


def _data_edit(data: Any, draw: Draw) -> None:
    nodes = _nodes(data)
    if not nodes:
        return
    op = draw(st.sampled_from(["delete", "replace", "number", "rename", "id", "duplicate", "add"]))
    container, key = draw(st.sampled_from(nodes))
    if op == "delete":
        del container[key]
    elif op == "replace":
        container[key] = _value(draw)
    elif op == "number":
        slots = _number_slots(data)
        if slots:
            c, k = draw(st.sampled_from(slots))
            x = c[k]
            c[k] = draw(
                st.sampled_from(
                    [-x, x + 1, x - 1, x * 100, x + 0.5, -0.001, 1.0000001, math.nan, math.inf]
                )
            )
    elif op == "rename" and isinstance(container, dict):
        new = draw(st.sampled_from([str(key)[:-1], str(key) + "s", "extra", "dist", "value", 7]))
        container[new] = container.pop(key)
    elif op == "id":
        ids = [c[k] for c, k in nodes if k == "id" and isinstance(c[k], str)]
        if ids and isinstance(container, dict):
            new_id = draw(st.sampled_from([*ids, "unknown_id", "Bad Id", ""]))
            if key == "id":
                container[key] = new_id
            else:
                container[new_id] = container.pop(key)
    elif op == "duplicate" and isinstance(container, list):
        container.insert(key, container[key])
    elif op == "add" and isinstance(container[key], dict):
        container[key][draw(st.sampled_from(["extra", "salince", "dist", "low", "value"]))] = (
            _value(draw)
        )


def _text_edit(text: str, draw: Draw) -> str:
    lines = text.split("\n")
    op = draw(st.sampled_from(["delete", "dup", "swap", "insert", "truncate", "indent", "word"]))
    i = draw(st.integers(0, max(len(lines) - 1, 0)))
    if op == "delete" and lines:
        del lines[i]
    elif op == "dup" and lines:
        lines.insert(i, lines[i])
    elif op == "swap" and lines:
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "indent" and lines:
        lines[i] = draw(st.sampled_from(["", " ", "  ", "\t", "    "])) + lines[i].lstrip()
    elif op == "word" and lines:
        words = lines[i].split(" ")
        k = draw(st.integers(0, len(words) - 1))
        words[k] = draw(st.sampled_from(WORDS))
        lines[i] = " ".join(words)
    joined = "\n".join(lines)
    if op == "insert":
        pos = draw(st.integers(0, len(joined)))
        joined = joined[:pos] + draw(st.sampled_from(PUNCTUATION)) + joined[pos:]
    elif op == "truncate":
        joined = joined[: draw(st.integers(0, len(joined)))]
    return joined


def dump(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def parse_plain(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


_PARSED = {name: parse_plain(text) for name, text in SEEDS.items()}


@st.composite
def mutants(draw: Draw) -> tuple[str, str]:
    """``(seed name, mutated text)``."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    text = SEEDS[name]
    if draw(st.booleans()):
        data = copy.deepcopy(_PARSED[name])
        for _ in range(draw(st.integers(1, 4))):
            _data_edit(data, draw)
        text = dump(data)
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            text = _text_edit(text, draw)
    return name, text
