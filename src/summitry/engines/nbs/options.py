"""Settings of the asymmetric Nash bargaining solution (docs/models/nbs.md, "Options")."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

Weights = Literal["capability", "equal", "capability-salience"]
"""Bargaining weight w_i: ``capability`` c_i (Achen 2006, the default), ``equal`` 1 (the
symmetric NBS of Nash 1950), ``capability-salience`` c_i s_i (the compromise's weight)."""

WEIGHTS: tuple[str, ...] = get_args(Weights)


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name}: {value!r} is not a finite number")
    return float(value)


@dataclass(frozen=True)
class NBSOptions:
    """max_x sum_i w_i log(u_i(x) - u_i(rp)), u_i(x) = -s_i |x - x_i|^power.

    ``power`` >= 1 keeps the objective concave (2: quadratic, 1: linear utility); ``tol``
    is the width, in units of the scale, to which the maximiser is bracketed (never below
    a few units in the last place of the positions).
    """

    weights: Weights = "capability"
    power: float = 2.0
    tol: float = 1e-12

    def __post_init__(self) -> None:
        if self.weights not in WEIGHTS:
            raise ValueError(
                f"weights: unknown option {self.weights!r} (one of: {', '.join(WEIGHTS)})"
            )
        if _number("power", self.power) < 1:
            raise ValueError(f"power: {self.power!r} is below 1 (the objective must be concave)")
        if not 0 < _number("tol", self.tol) <= 1e-3:
            raise ValueError(f"tol: {self.tol!r} is not in (0, 1e-3]")
