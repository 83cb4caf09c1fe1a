"""Settings of the compromise model (docs/models/compromise.md, "Options")."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

Reference = Literal["none", "actor"]
"""``none``: the actors only; ``actor``: the reference point joins as one more actor."""

REFERENCES: tuple[str, ...] = get_args(Reference)


@dataclass(frozen=True)
class CompromiseOptions:
    """How the compromise x* = sum_i w_i x_i / sum_i w_i (w_i = c_i s_i) is formed.

    ``reference="actor"`` adds the reference point rp as an actor of weight
    w_rp = ``reference_weight`` * mean_i w_i (the mean over the actors with a position),
    so scaling every capability leaves x* unchanged; where rp is missing the compromise
    is NaN (docs/models/compromise.md).
    """

    reference: Reference = "none"
    reference_weight: float = 1.0

    def __post_init__(self) -> None:
        if self.reference not in REFERENCES:
            raise ValueError(
                f"reference: unknown option {self.reference!r} (one of: {', '.join(REFERENCES)})"
            )
        w = self.reference_weight
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
            raise ValueError(f"reference_weight: {w!r} is not a finite number >= 0")
