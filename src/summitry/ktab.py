"""Read KTAB's CSV formats: SMP scenario inputs and the reference outputs of its SMP program.

KTAB (KAPSARC Toolkit for Behavioral Analysis, github.com/lsyaseen/KTAB, MIT licence) stores
an SMP scenario as a comma-separated file:

- line 1: scenario name, description, number of actors n, number of dimensions K;
- line 2: column headers (``Actor, Description, Power/Influence``, then a position header and
  a salience header per dimension; the position header names the dimension);
- n lines: actor name, description, capability, then position and salience per dimension,
  both on a 0-100 scale.

Trailing commas and blanks around fields are allowed, as in KTAB's own examples. The reference
outputs (``NAME.ktab-positions.csv``, ``NAME.ktab-posprob.csv``) are long tables written from
KTAB's SQLite log by the project (turn, actor, dimension, position, ideal; turn, estimator,
actor, probability).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "KTABPositions",
    "KTABScenario",
    "read_positions",
    "read_posprob",
    "read_scenario",
]

FloatArray = NDArray[np.float64]


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


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [[field.strip() for field in row] for row in csv.reader(fh, skipinitialspace=True)]
    # drop the empty trailing fields that KTAB's files carry, and blank lines
    cleaned = []
    for row in rows:
        while row and row[-1] == "":
            row.pop()
        if row:
            cleaned.append(row)
    return cleaned


def read_scenario(path: str | Path) -> KTABScenario:
    """Parse a KTAB SMP scenario CSV, checking KTAB's own limits.

    Raises ``ValueError`` naming the line for a malformed file, a position or salience outside
    [0, 100], a total salience above 100, or a negative capability.
    """
    path = Path(path)
    rows = _rows(path)
    if len(rows) < 2:
        raise ValueError(f"{path}: expected a header line and a column line")
    head = rows[0]
    if len(head) < 4:
        raise ValueError(f"{path}:1: expected name, description, actor count, dimension count")
    try:
        n, k = int(head[2]), int(head[3])
    except ValueError:
        raise ValueError(f"{path}:1: actor and dimension counts must be integers") from None
    if k < 1 or n < 1:
        raise ValueError(f"{path}:1: need at least one actor and one dimension")
    columns = rows[1]
    if len(columns) < 3 + 2 * k:
        raise ValueError(f"{path}:2: expected {3 + 2 * k} column headers")
    dims = tuple(columns[3 + 2 * d] for d in range(k))
    body = rows[2:]
    if len(body) != n:
        raise ValueError(f"{path}: header announces {n} actors, found {len(body)} actor lines")

    names, descs = [], []
    cap = np.empty(n)
    pos = np.empty((n, k))
    sal = np.empty((n, k))
    for a, row in enumerate(body):
        line = a + 3
        if len(row) < 3 + 2 * k:
            raise ValueError(f"{path}:{line}: expected {3 + 2 * k} fields, found {len(row)}")
        try:
            values = [float(x) for x in row[2 : 3 + 2 * k]]
        except ValueError:
            raise ValueError(f"{path}:{line}: non-numeric capability/position/salience") from None
        names.append(row[0])
        descs.append(row[1])
        cap[a] = values[0]
        pos[a] = values[1::2]
        sal[a] = values[2::2]
        if cap[a] < 0:
            raise ValueError(f"{path}:{line}: negative capability")
        if np.any((pos[a] < 0) | (pos[a] > 100)):
            raise ValueError(f"{path}:{line}: position outside [0, 100]")
        if np.any((sal[a] < 0) | (sal[a] > 100)):
            raise ValueError(f"{path}:{line}: salience outside [0, 100]")
        if sal[a].sum() > 100:
            raise ValueError(f"{path}:{line}: total salience above 100")
    return KTABScenario(
        name=head[0],
        description=head[1],
        actors=tuple(names),
        actor_descriptions=tuple(descs),
        dimensions=dims,
        capability=cap,
        position=pos,
        salience=sal,
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
    rows = _rows(path)
    if tuple(rows[0]) != columns:
        raise ValueError(f"{path}:1: expected columns {', '.join(columns)}")
    return np.array([[float(x) for x in row] for row in rows[1:]], dtype=float)


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
        raise ValueError(f"{path}: incomplete table")
    return KTABPositions(position=pos, ideal=ideal)


def read_posprob(path: str | Path) -> FloatArray:
    """Read ``NAME.ktab-posprob.csv`` into (T+1, h, n): P^h(actor n's position prevails)."""
    data = _table(Path(path), ("turn", "estimator", "position_of_actor", "prob"))
    idx = data[:, :3].astype(int)
    shape = tuple(int(m) + 1 for m in idx.max(axis=0))
    prob = np.full(shape, np.nan)
    prob[idx[:, 0], idx[:, 1], idx[:, 2]] = data[:, 3]
    if np.isnan(prob).any():
        raise ValueError(f"{path}: incomplete table")
    return prob
