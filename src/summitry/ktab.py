"""Read KTAB's CSV formats: SMP scenario inputs and the reference outputs of its SMP program.

KTAB (KAPSARC Toolkit for Behavioral Analysis, github.com/lsyaseen/KTAB, MIT licence) stores
an SMP scenario as a comma-separated file:

- line 1: scenario name, description, number of actors n, number of dimensions K;
- line 2: column headers (``Actor, Description, Power/Influence``, then a position header and
  a salience header per dimension; the position header names the dimension);
- n lines: actor name, description, capability, then position and salience per dimension,
  both on a 0-100 scale.

This module is the one reader of that format: :func:`parse_csv` is used both by
:func:`read_scenario` (KTAB's inputs as arrays, for the reference comparison of
docs/models/smp.md) and by :func:`summitry.ktab_import.import_ktab` (conversion to a
scenario). Its rules, the stricter of the two readers it replaced:

- the file is UTF-8 (a byte-order mark is allowed), without NUL bytes; malformed CSV is
  refused with its line;
- blank lines and trailing empty fields are skipped, blanks around fields are stripped, as
  in KTAB's own examples; line numbers are the file's physical lines;
- the actor and dimension counts are whole numbers >= 1; the column line names at least
  ``3 + 2K`` columns; exactly n actor lines follow; each has at least ``3 + 2K`` fields and a
  name; extra header or actor fields are reported as not carried over (``dropped``);
- numbers are plain finite decimals (``1.5``, ``-2e3``; never ``nan``, ``inf``, ``1_0``);
- capability >= 0, every position and salience in [0, 100].

Where the two callers differ, it is on purpose: an actor whose saliences add up to more than
100 is refused by :func:`read_scenario` (KTAB's CSV reader refuses it, and the reference runs
must be on KTAB's exact inputs) and only noted by the importer (summitry's SMP scales such
saliences down to add up to 1). Every error is a :class:`KTABError` (a ``ValueError``), one
line ``file[:line]: ...``.

The reference outputs (``NAME.ktab-positions.csv``, ``NAME.ktab-posprob.csv``) are long tables
written from KTAB's SQLite log by the project (turn, actor, dimension, position, ideal; turn,
estimator, actor, probability), read with the same CSV rules.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from summitry.inputfile import KTAB_LIMIT, InputFileError, read_limited

__all__ = [
    "KTABCSV",
    "KTABActor",
    "KTABError",
    "KTABNumber",
    "KTABPositions",
    "KTABScenario",
    "check_actor",
    "check_size",
    "csv_rows",
    "decode",
    "number",
    "parse_csv",
    "read_bytes",
    "read_positions",
    "read_posprob",
    "read_scenario",
]

FloatArray = NDArray[np.float64]

SCALE = (0, 100)
"""KTAB's input scale for positions and saliences."""

SALIENCE_TOTAL = 100.0
"""KTAB's CSV reader refuses an actor whose saliences add up to more than this."""

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class KTABError(ValueError):
    """A KTAB file that cannot be read; the message is one line, ``file[:line]: ...``."""


MAX_ACTORS = 500
"""Most actors a KTAB file may hold (docs/limits.md, "Hostile inputs"; KTAB's own examples
have up to 160)."""
MAX_DIMENSIONS = 50
"""Most dimensions a KTAB file may hold."""
MAX_CELLS = 1_000
"""Most actor-dimension pairs (actors x dimensions): the converted scenario has a position
and a salience for each, and validating it takes about 4 ms per pair."""


def check_size(n: int, k: int, where: str) -> None:
    """Refuse ``n`` actors on ``k`` dimensions above the budget (:data:`MAX_ACTORS`,
    :data:`MAX_DIMENSIONS`, :data:`MAX_CELLS`) with one line, before any work on them."""
    problem = ""
    if n > MAX_ACTORS:
        problem = f"{n:,} actors, above the limit of {MAX_ACTORS:,}"
    elif k > MAX_DIMENSIONS:
        problem = f"{k:,} dimensions, above the limit of {MAX_DIMENSIONS:,}"
    elif n * k > MAX_CELLS:
        problem = (
            f"{n:,} actors x {k:,} dimensions = {n * k:,} positions, above the limit of "
            f"{MAX_CELLS:,}"
        )
    if problem:
        raise KTABError(f"{where}: {problem} (docs/limits.md)")


@dataclass
class KTABNumber:
    """A number as read: its value, its line and its text as written."""

    value: float
    line: int
    text: str


@dataclass
class KTABActor:
    """One actor as read (CSV line or XML element); positions and saliences on 0-100."""

    name: str
    description: str
    line: int
    capability: KTABNumber
    position: list[KTABNumber]
    salience: list[KTABNumber]

    def salience_total(self) -> float:
        return math.fsum(s.value for s in self.salience)


@dataclass
class KTABCSV:
    """A KTAB scenario CSV as read: ``dims`` are (name, line); ``dropped`` lists the extra
    fields that no rule reads."""

    title: str
    description: str
    dims: list[tuple[str, int]]
    actors: list[KTABActor]
    dropped: list[str] = field(default_factory=list)


def number(text: str, where: str, what: str) -> float:
    """A finite decimal number written as KTAB writes them (no ``nan``, ``inf``, ``1_0``)."""
    if not _NUMBER.match(text):
        raise KTABError(f"{where}: {what} {text!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise KTABError(f"{where}: {what} {text!r} is not a finite number")
    return value


def check_actor(actor: KTABActor, file: str, dims: list[str]) -> None:
    """KTAB's limits: capability >= 0, positions and saliences in [0, 100]."""
    if actor.capability.value < 0:
        raise KTABError(
            f"{file}:{actor.capability.line}: actor {actor.name!r}: capability is negative"
        )
    for d, (p, s) in enumerate(zip(actor.position, actor.salience, strict=True)):
        for num, what in ((p, "position"), (s, "salience")):
            if not SCALE[0] <= num.value <= SCALE[1]:
                raise KTABError(
                    f"{file}:{num.line}: actor {actor.name!r}: {what} {num.text} on "
                    f"{dims[d]!r} is outside [0, 100]"
                )


def read_bytes(path: Path) -> bytes:
    """The file's bytes, at most :data:`summitry.inputfile.KTAB_LIMIT` of them; a missing or
    unreadable file, anything but a regular file (a directory, FIFO, device) and a longer
    file are a :class:`KTABError` (docs/limits.md, "Hostile inputs")."""
    try:
        return read_limited(path, KTAB_LIMIT, "KTAB file")
    except InputFileError as err:
        raise KTABError(f"{path}: {err}") from None


def decode(raw: bytes, file: str) -> str:
    """UTF-8 text (a byte-order mark allowed) without NUL bytes."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise KTABError(f"{file}:{line}: not UTF-8 text") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise KTABError(f"{file}:{line}: not a text file (NUL byte)")
    return text


def csv_rows(text: str, file: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their (physical) line numbers, fields stripped, trailing empty
    fields dropped (KTAB's files end every line with a comma)."""
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(StringIO(text, newline=""), skipinitialspace=True)
    try:
        for row in reader:
            fields = [f.strip() for f in row]
            while fields and fields[-1] == "":
                fields.pop()
            if fields:
                rows.append((reader.line_num, fields))
    except csv.Error as err:
        raise KTABError(f"{file}:{reader.line_num}: malformed CSV: {err}") from None
    return rows


def _columns(dims: list[str]) -> list[str]:
    out = ["capability"]
    for d in dims:
        out += [f"position on {d!r}", f"salience on {d!r}"]
    return out


def parse_csv(text: str, file: str) -> KTABCSV:
    """A KTAB SMP scenario CSV's content, checked by the rules of the module docstring."""
    rows = csv_rows(text, file)
    if not rows:
        raise KTABError(f"{file}: empty file")
    line, head = rows[0]
    if len(head) < 4:
        raise KTABError(
            f"{file}:{line}: expected scenario name, description, number of actors, "
            f"number of dimensions; found {len(head)} field(s)"
        )
    try:
        n, k = int(head[2]), int(head[3])
    except ValueError:
        raise KTABError(
            f"{file}:{line}: the numbers of actors and dimensions must be whole numbers, "
            f"got {head[2]!r} and {head[3]!r}"
        ) from None
    if n < 1 or k < 1:
        raise KTABError(f"{file}:{line}: need at least one actor and one dimension")
    check_size(n, k, f"{file}:{line}")
    read = KTABCSV(title=head[0], description=head[1], dims=[], actors=[])
    if len(head) > 4:
        read.dropped.append(f"line {line}: extra header fields {', '.join(head[4:])}")
    if len(rows) < 2:
        raise KTABError(f"{file}: no column line after line {line}")
    cline, columns = rows[1]
    width = 3 + 2 * k
    if len(columns) < width:
        raise KTABError(
            f"{file}:{cline}: expected {width} column names (actor, description, capability, "
            f"then position and salience for each of {k} dimensions), found {len(columns)}"
        )
    read.dims = [(columns[3 + 2 * d], cline) for d in range(k)]
    body = rows[2:]
    if len(body) != n:
        where = f"{file}:{body[n][0]}" if len(body) > n else file
        raise KTABError(
            f"{where}: line {line} announces {n} actor(s), the file has {len(body)} actor line(s)"
        )
    names = [d for d, _ in read.dims]
    for aline, row in body:
        where = f"{file}:{aline}"
        if len(row) < width:
            raise KTABError(f"{where}: expected {width} fields, found {len(row)}")
        if not row[0]:
            raise KTABError(f"{where}: the actor has no name")
        values = [
            KTABNumber(number(text, where, what), aline, text)
            for text, what in zip(row[2:width], _columns(names), strict=True)
        ]
        if len(row) > width:
            read.dropped.append(f"line {aline}: extra fields {', '.join(row[width:])}")
        actor = KTABActor(row[0], row[1], aline, values[0], values[1::2], values[2::2])
        check_actor(actor, file, names)
        read.actors.append(actor)
    return read


@dataclass(frozen=True)
class KTABScenario:
    """One KTAB SMP scenario; ``position`` and ``salience`` on KTAB's 0-100 input scale."""

    name: str
    description: str
    actors: tuple[str, ...]
    actor_descriptions: tuple[str, ...]
    dimensions: tuple[str, ...]
    capability: FloatArray  # (n,)
    position: FloatArray  # (n, K), 0-100
    salience: FloatArray  # (n, K), 0-100

    @property
    def n_actors(self) -> int:
        return len(self.actors)

    @property
    def n_dimensions(self) -> int:
        return len(self.dimensions)

    def engine_inputs(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(capability (1,n), position (1,n,K), salience (1,n,K))`` on the engine's 0-1 scale.

        KTAB divides positions and saliences by 100 on reading; so do we.
        """
        return (
            self.capability[None, :].copy(),
            (self.position / 100.0)[None],
            (self.salience / 100.0)[None],
        )


def read_scenario(path: str | Path) -> KTABScenario:
    """Parse a KTAB SMP scenario CSV by the rules of the module docstring, refusing (as KTAB
    does) an actor whose saliences add up to more than 100. Raises :class:`KTABError`."""
    path = Path(path)
    file = str(path)
    read = parse_csv(decode(read_bytes(path), file), file)
    for a in read.actors:
        total = a.salience_total()
        if total > SALIENCE_TOTAL:
            raise KTABError(
                f"{file}:{a.line}: actor {a.name!r}: total salience {total:g} is above 100 "
                "(KTAB's CSV reader refuses it)"
            )
    return KTABScenario(
        name=read.title,
        description=read.description,
        actors=tuple(a.name for a in read.actors),
        actor_descriptions=tuple(a.description for a in read.actors),
        dimensions=tuple(d for d, _ in read.dims),
        capability=np.array([a.capability.value for a in read.actors]),
        position=np.array([[p.value for p in a.position] for a in read.actors]),
        salience=np.array([[x.value for x in a.salience] for a in read.actors]),
    )


@dataclass(frozen=True)
class KTABPositions:
    """KTAB's stored trajectory on the 0-100 scale: ``position``/``ideal`` are (T+1, n, K)."""

    position: FloatArray
    ideal: FloatArray

    @property
    def turns(self) -> int:
        """Number of steps KTAB ran (the last turn index)."""
        return self.position.shape[0] - 1


def _table(path: Path, columns: tuple[str, ...]) -> FloatArray:
    file = str(path)
    rows = csv_rows(decode(read_bytes(path), file), file)
    if not rows or tuple(rows[0][1]) != columns:
        raise KTABError(f"{file}:1: expected columns {', '.join(columns)}")
    data = []
    for line, row in rows[1:]:
        if len(row) != len(columns):
            raise KTABError(f"{file}:{line}: expected {len(columns)} fields, found {len(row)}")
        where = f"{file}:{line}"
        data.append([number(x, where, what) for x, what in zip(row, columns, strict=True)])
    if not data:
        raise KTABError(f"{file}: no rows after the column line")
    return np.array(data, dtype=float)


def read_positions(path: str | Path) -> KTABPositions:
    """Read ``NAME.ktab-positions.csv`` (columns turn, actor, dim, position, ideal)."""
    data = _table(Path(path), ("turn", "actor", "dim", "position", "ideal"))
    idx = data[:, :3].astype(int)
    shape = tuple(int(m) + 1 for m in idx.max(axis=0))
    pos = np.full(shape, np.nan)
    ideal = np.full(shape, np.nan)
    pos[idx[:, 0], idx[:, 1], idx[:, 2]] = data[:, 3]
    ideal[idx[:, 0], idx[:, 1], idx[:, 2]] = data[:, 4]
    if np.isnan(pos).any():
        raise KTABError(f"{path}: incomplete table")
    return KTABPositions(position=pos, ideal=ideal)


def read_posprob(path: str | Path) -> FloatArray:
    """Read ``NAME.ktab-posprob.csv`` into (T+1, h, n): P^h(actor n's position prevails)."""
    data = _table(Path(path), ("turn", "estimator", "position_of_actor", "prob"))
    idx = data[:, :3].astype(int)
    shape = tuple(int(m) + 1 for m in idx.max(axis=0))
    prob = np.full(shape, np.nan)
    prob[idx[:, 0], idx[:, 1], idx[:, 2]] = data[:, 3]
    if np.isnan(prob).any():
        raise KTABError(f"{path}: incomplete table")
    return prob
