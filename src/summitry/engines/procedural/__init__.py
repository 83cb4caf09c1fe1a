"""The procedural (veto) model, batched: what every required coalition accepts against rp.

    from summitry.engines.procedural import (
        acceptable_interval, procedural, project, qualified_majority, unanimity, veto)
    council = qualified_majority(member_mask, votes, quota=62)    # or unanimity(member_mask)
    lo, hi = acceptable_interval(positions, rp, [council, veto(1, n)])
    x = procedural(positions, saliences, capabilities, rp, [council])  # compromise, projected
    y = project(any_point, lo, hi)

A group (members, weights, quota) accepts x when its members who weakly prefer x to rp
hold at least the quota; the acceptable set is an interval around rp. Pure functions over
arrays with problems on the leading axes and actors on the last (NaN: no position);
:mod:`summitry.engines.procedural.reference` is the brute-force oracle.
docs/models/procedural.md states the rules.
"""

from __future__ import annotations

from summitry.engines.procedural import model
from summitry.engines.procedural.model import *  # noqa: F403
from summitry.engines.procedural.options import QMV_SHARE, ProceduralOptions

__all__ = [*model.__all__, "QMV_SHARE", "ProceduralOptions"]
