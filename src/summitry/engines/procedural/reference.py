"""Plain-loop oracle of the procedural model (docs/models/procedural.md), written apart from
:mod:`summitry.engines.procedural.model` to test it.

Brute force, one problem at a time: the ends of the acceptable interval can only be rp,
a reflection 2 x_i - rp of rp about an actor's position, or +-inf. Every candidate is
tried against every group by a loop over its members; the interval runs from the lowest
to the highest candidate every group accepts (rp is always acceptable).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from summitry.engines.compromise.reference import compromise
from summitry.engines.procedural.options import ProceduralOptions

__all__ = ["acceptable_interval", "procedural"]

Rule = tuple[list[bool], list[float], float]


def _accepts(x: float, xi: float, rp: float) -> bool:
    if math.isnan(xi):
        return True
    far = 2.0 * xi - rp
    return min(rp, far) <= x <= max(rp, far)


def _group_accepts(x: float, pos: list[float], rp: float, rule: Rule, rtol: float) -> bool:
    members, weights, quota = rule
    weight = 0.0
    for xi, member, wi in zip(pos, members, weights, strict=True):
        if member and _accepts(x, xi, rp):
            weight += wi
    return weight >= quota * (1.0 - rtol)


def _row_rules(
    groups: Sequence[tuple[ArrayLike, ArrayLike, ArrayLike]], row: int, n: int, rows: int
) -> list[Rule]:
    out = []
    for members, weights, quota in groups:
        m = np.broadcast_to(np.asarray(members, dtype=bool), (rows, n))[row].tolist()
        w = np.broadcast_to(np.asarray(weights, dtype=float), (rows, n))[row].tolist()
        q = float(np.broadcast_to(np.asarray(quota, dtype=float), (rows,))[row])
        out.append((m, w, q))
    return out


def acceptable_interval(
    positions: ArrayLike,
    reference_points: ArrayLike,
    groups: Sequence[tuple[ArrayLike, ArrayLike, ArrayLike]],
    quota_rtol: float = 1e-12,
) -> list[tuple[float, float]]:
    """(lo, hi) per row of 2-D (problems, actors) positions; groups as (members, weights,
    quota) with members and weights (n,) or (problems, n) and quota a number or (problems,)."""
    xs = np.asarray(positions, dtype=float).tolist()
    rps = np.asarray(reference_points, dtype=float).tolist()
    out = []
    for row, (pos, rp) in enumerate(zip(xs, rps, strict=True)):
        if math.isnan(rp):
            out.append((math.nan, math.nan))
            continue
        rules = _row_rules(groups, row, len(pos), len(xs))
        candidates = {rp, math.inf, -math.inf}
        candidates.update(2.0 * xi - rp for xi in pos if not math.isnan(xi))
        ok = [
            c
            for c in candidates
            if c == rp or all(_group_accepts(c, pos, rp, r, quota_rtol) for r in rules)
        ]
        out.append((min(ok), max(ok)))
    return out


def procedural(
    positions: ArrayLike,
    saliences: ArrayLike,
    capabilities: ArrayLike,
    reference_points: ArrayLike,
    groups: Sequence[tuple[ArrayLike, ArrayLike, ArrayLike]],
    options: ProceduralOptions | None = None,
    bounds: tuple[list[float], list[float]] | None = None,
) -> list[float]:
    """The reference compromise clipped to the acceptable interval of the actors with
    salience > 0 (the others accept everything), narrowed to ``bounds`` (lo_c, hi_c) per
    row when given."""
    opts = options or ProceduralOptions()
    x = np.asarray(positions, dtype=float)
    s = np.broadcast_to(np.asarray(saliences, dtype=float), x.shape)
    caring = [
        [xi if not math.isnan(si) and si > 0 else math.nan for xi, si in zip(xr, sr, strict=True)]
        for xr, sr in zip(x.tolist(), s.tolist(), strict=True)
    ]
    intervals = acceptable_interval(caring, reference_points, groups, opts.quota_rtol)
    if bounds is not None:
        intervals = [
            (max(lo, lo_c), min(hi, hi_c))
            for (lo, hi), lo_c, hi_c in zip(intervals, bounds[0], bounds[1], strict=True)
        ]
    c = np.broadcast_to(np.asarray(capabilities, dtype=float), x.shape)
    points = compromise(x, s, c, reference_points, opts.compromise)
    return [
        math.nan if math.isnan(p) or math.isnan(lo) else min(max(p, lo), hi)
        for p, (lo, hi) in zip(points, intervals, strict=True)
    ]
