"""Settings of the procedural (veto) model (docs/models/procedural.md, "Options")."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from summitry.engines.compromise.options import CompromiseOptions

QMV_SHARE = 62 / 87
"""Default quota of :func:`~summitry.engines.procedural.qualified_majority` as a share of
the members' total weight: 62 of 87 votes, the EU-15 rule (71.3%)."""


@dataclass(frozen=True)
class ProceduralOptions:
    """``compromise``: how the point to project is formed (the compromise model's options);
    ``quota_rtol``: acceptors reach a quota q when their weight is >= q (1 - quota_rtol),
    so an exact tie does not hinge on the order of a floating-point sum."""

    compromise: CompromiseOptions = field(default_factory=CompromiseOptions)
    quota_rtol: float = 1e-12

    def __post_init__(self) -> None:
        if not isinstance(self.compromise, CompromiseOptions):
            raise ValueError(f"compromise: {self.compromise!r} is not a CompromiseOptions")
        r = self.quota_rtol
        if isinstance(r, bool) or not isinstance(r, int | float) or not math.isfinite(r):
            raise ValueError(f"quota_rtol: {r!r} is not a finite number")
        if not 0 <= r <= 1e-6:
            raise ValueError(f"quota_rtol: {r!r} is not in [0, 1e-6]")
