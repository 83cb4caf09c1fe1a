"""YAML text -> plain Python data plus a map from field locations to line numbers.

ruamel.yaml's round-trip loader keeps, on every mapping and sequence, the line of each key
and value (``.lc``); :func:`parse` turns its output into plain dicts, lists and scalars and
records those lines in a :class:`LineMap`, so that a later error about
``("actors", 3, "salience")`` can name the line it comes from. Problems found while reading
(syntax errors, duplicate keys, unsupported YAML tags) become :class:`Problem` records.
"""

from __future__ import annotations

import datetime as dt
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from summitry.scenario.quantities import Loc, fmt

MAX_NODES = 200_000
"""Largest number of values a scenario may expand to (guards against alias bombs)."""


@dataclass(frozen=True)
class Problem:
    """A problem found while reading YAML: 1-based ``line``, field ``path`` as shown."""

    line: int | None
    path: str
    message: str


@dataclass
class LineMap:
    """1-based lines of the values in a document.

    ``value[loc]``: the line where the value at ``loc`` starts; ``key[loc]``: the line of its
    key when the value sits in a mapping, of the item when it sits in a list.
    """

    value: dict[Loc, int] = field(default_factory=dict)
    key: dict[Loc, int] = field(default_factory=dict)


@dataclass
class Document:
    """The result of :func:`parse`. ``fatal``: the data cannot be validated at all."""

    data: Any
    lines: LineMap
    problems: list[Problem]
    fatal: bool


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that records duplicate keys instead of stopping at the first,
    keeps malformed timestamps as text (the date field reports them) and turns any other
    failure into a YAML error with the node's position."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates: list[tuple[Any, Any, int, int | None]] = []

    def check_mapping_key(
        self, node: Any, key_node: Any, mapping: Any, key: Any, value: Any
    ) -> bool:
        try:
            present = key in mapping
        except TypeError:
            present = False
        if not present:
            return True
        first: int | None
        try:
            first = int(mapping.lc.key(key)[0]) + 1
        except Exception:
            first = None
        self.duplicates.append((mapping, key, int(key_node.start_mark.line) + 1, first))
        return False

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError, TypeError, ConstructorError):
            return str(node.value)

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        try:
            return super().construct_non_recursive_object(node, tag)
        except YAMLError:
            raise
        except RecursionError:
            raise
        except Exception as exc:
            raise ConstructorError(
                None, None, f"cannot read this value ({exc})", node.start_mark
            ) from exc

    def construct_yaml_int(self, node: Any) -> Any:
        text = str(node.value)
        if sum(c.isdigit() for c in text) > _INT_DIGITS:
            return _Huge(text)  # Python refuses to convert it; the converter reports it
        value = super().construct_yaml_int(node)
        if isinstance(value, int) and value.bit_length() > _INT_BITS:  # 0x... or 0b...
            return _Huge(text)
        return value


_INT_DIGITS = sys.get_int_max_str_digits() or 4300
"""Longest integer Python converts from text (4,300 digits by default)."""
_INT_BITS = 3 * _INT_DIGITS
"""An integer of more bits (written in hex, octal or binary) has too many digits to print."""


@dataclass(frozen=True)
class _Huge:
    """An integer literal too long to convert: reported with its field and line."""

    text: str

    def describe(self) -> str:
        body = self.text.lstrip("+-")
        body = body[2:] if body[:2].lower() in ("0x", "0o", "0b") else body
        digits = sum(c.isalnum() for c in body)
        return f"the number {self.text[:6]}... ({digits:,} digits) is too large"


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


class _TooMany(Exception):
    """Raised while composing: the document holds more than MAX_NODES values."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Composer(Composer):
    """Stops composing at the first value past :data:`MAX_NODES`, so that a huge document
    is refused before ruamel builds (and the converter walks) all of it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooMany(int(self.parser.peek_event().start_mark.line) + 1)
        return super().compose_node(parent, index)


def _yaml_error(exc: YAMLError, text: str) -> Problem:
    """A ruamel error as a Problem with the line of its mark."""
    line: int | None = None
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line = int(mark.line) + 1
        if exc.problem:
            message = str(exc.problem).strip().removeprefix("but ")
            context, cmark = exc.context, exc.context_mark
            if context and cmark is not None and int(cmark.line) + 1 != line:
                message += f" ({str(context).strip()} started on line {int(cmark.line) + 1})"
            elif context:
                message = f"{str(context).strip()}: {message}"
        elif exc.context:
            message = str(exc.context).strip()
    else:
        position = getattr(exc, "position", None)
        if isinstance(position, int):
            line = text.count("\n", 0, position) + 1
            char = getattr(exc, "character", None)
            if isinstance(char, int):
                message = f"character U+{char:04X} is not allowed in YAML"
    return Problem(line, "", f"YAML syntax: {message}")


def parse(text: str) -> Document:
    """Read YAML ``text`` into plain data with its line map and any reading problems."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Composer = _Composer
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a reused anchor: harmless here
            raw = yaml.load(text)
    except YAMLError as exc:
        return Document(None, LineMap(), [_yaml_error(exc, text)], fatal=True)
    except _TooMany as exc:
        problem = Problem(exc.line, "", f"the file holds more than {MAX_NODES:,} values")
        return Document(None, LineMap(), [problem], fatal=True)
    except RecursionError:
        return Document(
            None, LineMap(), [Problem(None, "", "the file is nested too deeply to read")], True
        )
    if raw is None:
        return Document(None, LineMap(), [Problem(1, "", "the file is empty")], fatal=True)
    converter = _Converter()
    data = converter.convert(raw, ())
    problems = list(converter.problems)
    for mapping, key, line, first in yaml.constructor.duplicates:
        loc = converter.locs.get(id(mapping))
        if loc is None:
            continue
        where = f" (first at line {first})" if first is not None else ""
        path = _join(converter.shown.get(loc, ""), key)
        problems.append(Problem(line, path, f"duplicate key '{_key_text(key)}'{where}"))
    if converter.problems:
        return Document(data, converter.lines, problems, fatal=True)
    if not isinstance(data, dict):
        line = converter.lines.value.get((), 1)
        what = "a list" if isinstance(data, list) else f"{describe(data)}"
        problems.append(
            Problem(
                line,
                "",
                f"expected a mapping of fields (name, title, issues, actors, ...), got {what}",
            )
        )
        return Document(data, converter.lines, problems, fatal=True)
    return Document(data, converter.lines, problems, fatal=False)


def _join(path: str, key: Any) -> str:
    """``path`` extended by the mapping key ``key``."""
    return f"{path}.{_key_text(key)}" if path else _key_text(key)


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    return fmt(key) if isinstance(key, int | float) else str(key)


def describe(value: Any) -> str:
    """A short description of a YAML value for messages: ``true``, ``text 'abc'``, ``a list``."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return fmt(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.datetime):
        return f"the time {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return type(value).__name__


class _Converter:
    """Walks ruamel's output once: plain copies, line map, id(container) -> location."""

    def __init__(self) -> None:
        self.lines = LineMap()
        self.problems: list[Problem] = []
        self.locs: dict[int, Loc] = {}
        self.shown: dict[Loc, str] = {(): ""}
        self._stack: set[int] = set()
        self._count = 0

    def _show(self, loc: Loc) -> str:
        return self.shown.get(loc, "")

    def _line_of(self, loc: Loc) -> int | None:
        return self.lines.value.get(loc) or self.lines.key.get(loc)

    def convert(self, node: Any, loc: Loc) -> Any:
        self._count += 1
        if self._count > MAX_NODES:
            if self._count == MAX_NODES + 1:
                self.problems.append(
                    Problem(1, "", f"the file expands to more than {MAX_NODES:,} values")
                )
            return None
        if isinstance(node, dict | list) and id(node) in self._stack:
            self.problems.append(
                Problem(self._line_of(loc), self._show(loc), "a YAML alias refers to its parent")
            )
            return None
        if isinstance(node, dict):
            return self._mapping(node, loc)
        if isinstance(node, list):
            return self._sequence(node, loc)
        return self._scalar(node, loc)

    def _mapping(self, node: Any, loc: Loc) -> dict[Any, Any]:
        self.locs[id(node)] = loc
        self._stack.add(id(node))
        lc: Any = getattr(node, "lc", None)
        if lc is not None and lc.line is not None:
            self.lines.value.setdefault(loc, int(lc.line) + 1)
        out: dict[Any, Any] = {}
        for key, value in node.items():
            plain_key = self._key(key, loc)
            child = (*loc, plain_key)
            self.shown[child] = _join(self.shown.get(loc, ""), plain_key)
            try:
                k_line, _, v_line, _ = (int(x) for x in lc.data[key])
                self.lines.key[child] = k_line + 1
                self.lines.value[child] = v_line + 1
            except Exception:
                parent = self._line_of(loc)
                if parent is not None:
                    self.lines.key[child] = parent
            if plain_key is _BAD_KEY:
                continue
            out[plain_key] = self.convert(value, child)
        self._stack.discard(id(node))
        return out

    def _sequence(self, node: Any, loc: Loc) -> list[Any]:
        self.locs[id(node)] = loc
        self._stack.add(id(node))
        lc: Any = getattr(node, "lc", None)
        if lc is not None and lc.line is not None:
            self.lines.value.setdefault(loc, int(lc.line) + 1)
        out: list[Any] = []
        for i, value in enumerate(node):
            child = (*loc, i)
            self.shown[child] = f"{self.shown.get(loc, '')}[{i}]"
            try:
                line = int(lc.data[i][0]) + 1
                self.lines.key[child] = line
                self.lines.value[child] = line
            except Exception:
                parent = self._line_of(loc)
                if parent is not None:
                    self.lines.key[child] = parent
            out.append(self.convert(value, child))
        self._stack.discard(id(node))
        return out

    def _key(self, key: Any, loc: Loc) -> Any:
        if key is None or isinstance(key, bool | int | float | str | dt.date):
            return self._scalar(key, loc) if key is not None else None
        self.problems.append(
            Problem(self._line_of(loc), self._show(loc), "a key must be a plain word or number")
        )
        return _BAD_KEY

    def _scalar(self, node: Any, loc: Loc) -> Any:
        if node is None or isinstance(node, bool):
            return None if node is None else bool(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, str):
            return str(node)
        if isinstance(node, dt.datetime):
            return dt.datetime(node.year, node.month, node.day, node.hour, node.minute, node.second)
        if isinstance(node, dt.date):
            return dt.date(node.year, node.month, node.day)
        if isinstance(node, _Huge):
            self.problems.append(Problem(self._line_of(loc), self._show(loc), node.describe()))
            return None
        tag = getattr(getattr(node, "tag", None), "value", None)
        what = f"the YAML tag {tag}" if tag else f"this kind of YAML value ({type(node).__name__})"
        self.problems.append(
            Problem(
                self._line_of(loc), self._show(loc), f"{what} is not supported (write plain values)"
            )
        )
        return None


_BAD_KEY = object()


def parse_date(value: Any) -> Any:
    """A date field's input as a :class:`datetime.date` (ISO text, a YAML date, or a
    midnight datetime); anything else raises ``ValueError`` with a short message."""
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second) != (0, 0, 0):
            raise ValueError("expected a date without a time, like 2025-09-21")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{describe(value)} is not a date; write it as 2025-09-21") from None
    raise ValueError(f"expected a date like 2025-09-21, got {describe(value)}")
