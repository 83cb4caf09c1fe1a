"""The asymmetric Nash bargaining solution with the reference point as disagreement point.

    from summitry.engines.nbs import nbs, NBSOptions
    x = nbs(positions, saliences, capabilities, rp)                       # w_i = c_i, p = 2
    x = nbs(positions, saliences, capabilities, rp, NBSOptions(weights="equal", power=1))

maximises sum_i w_i log(u_i(x) - u_i(rp)), u_i(x) = -s_i |x - x_i|^p, over the points
every actor weakly prefers to rp (Nash 1950; Achen 2006). Pure functions over arrays with
problems on the leading axes and actors on the last (NaN: absent actor);
:mod:`summitry.engines.nbs.reference` is the plain-loop oracle. docs/models/nbs.md.
"""

from __future__ import annotations

from summitry.engines.nbs.model import feasible_interval, nbs
from summitry.engines.nbs.options import WEIGHTS, NBSOptions

__all__ = ["WEIGHTS", "NBSOptions", "feasible_interval", "nbs"]
