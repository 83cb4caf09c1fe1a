"""The compromise model (Achen 2006; van den Bos 1991) and two baselines, batched.

    from summitry.engines.compromise import compromise, CompromiseOptions
    x = compromise(positions, saliences, capabilities)            # (issues,) from (issues, n)
    x = compromise(positions, saliences, capabilities, rp,
                   CompromiseOptions(reference="actor", reference_weight=1.0))
    m = weighted_median(positions, saliences, capabilities)       # baseline
    u = mean_position(positions)                                  # baseline

Pure functions over arrays with problems on the leading axes and actors on the last (NaN:
absent actor); :mod:`summitry.engines.compromise.reference` is the plain-loop oracle.
docs/models/compromise.md states the equations, options and missing-input rules.
"""

from __future__ import annotations

from summitry.engines.compromise.baselines import mean_position, weighted_median
from summitry.engines.compromise.model import compromise
from summitry.engines.compromise.options import CompromiseOptions

__all__ = ["CompromiseOptions", "compromise", "mean_position", "weighted_median"]
