"""The procedural (veto) model, batched: project a point onto the set every required
coalition accepts against the reference point.

Actor i accepts x iff it weakly prefers x to rp under symmetric single-peaked utility,
|x - x_i| <= |rp - x_i|: x lies between rp and 2 x_i - rp. A :class:`Group` (members,
weights, quota) accepts x iff its accepting members' weight reaches the quota; the
acceptable set is rp plus every x all groups accept, an interval [lo, hi] containing rp.
Unanimity, a qualified majority and a single veto player are groups (Tsebelis 2002;
Steunenberg 1994; Crombez 1996). docs/models/procedural.md states every rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from summitry.engines.compromise.model import Array, broadcast_inputs, compromise
from summitry.engines.procedural.options import QMV_SHARE, ProceduralOptions

__all__ = [
    "Group",
    "acceptable_interval",
    "procedural",
    "project",
    "qualified_majority",
    "unanimity",
    "veto",
]


@dataclass(frozen=True)
class Group:
    """A requirement: the members accepting x must hold weight >= quota.

    ``members`` (bool) and ``weights`` (>= 0) are (n,) or (..., n) and broadcast to the
    positions; ``quota`` (>= 0) is a number or (...). Members without a position are
    indifferent and accept every x. A quota above the members' total weight blocks every
    change (only rp is acceptable); a quota of 0 accepts everything.
    """

    members: ArrayLike
    weights: ArrayLike
    quota: ArrayLike
    name: str = ""


def unanimity(members: ArrayLike, name: str = "unanimity") -> Group:
    """Every member with a position must accept (weights 1, quota = number of members)."""
    m = np.asarray(members, dtype=bool)
    return Group(m, m.astype(float), m.sum(axis=-1).astype(float), name)


def qualified_majority(
    members: ArrayLike,
    weights: ArrayLike,
    quota: ArrayLike | None = None,
    *,
    share: float = QMV_SHARE,
    name: str = "qualified majority",
) -> Group:
    """Accepting members' weight >= quota; by default ``share`` (62/87) of the members'
    total weight."""
    m = np.asarray(members, dtype=bool)
    w = np.asarray(weights, dtype=float)
    q = share * np.where(m, w, 0.0).sum(axis=-1) if quota is None else quota
    return Group(m, w, q, name)


def veto(actor: int, n: int, name: str = "") -> Group:
    """Actor ``actor`` (of ``n``) alone must accept: a group of one with quota its weight."""
    if not 0 <= actor < n:
        raise ValueError(f"veto: actor {actor} is not in 0..{n - 1}")
    m = np.zeros(n, dtype=bool)
    m[actor] = True
    return Group(m, m.astype(float), 1.0, name or f"veto of actor {actor}")


def _group_arrays(
    k: int, g: Group | tuple[ArrayLike, ArrayLike, ArrayLike], shape: tuple[int, ...]
) -> tuple[NDArray[np.bool_], Array, Array]:
    members, weights, quota = (g.members, g.weights, g.quota) if isinstance(g, Group) else g
    label = f"groups[{k}]"
    lead, n = shape[:-1], shape[-1]
    rows = int(np.prod(lead, dtype=np.int64))
    try:
        m = np.broadcast_to(np.asarray(members, dtype=bool), shape).reshape(rows, n)
        w = np.broadcast_to(np.asarray(weights, dtype=float), shape).reshape(rows, n)
        q = np.broadcast_to(np.asarray(quota, dtype=float), lead).reshape(rows)
    except ValueError:
        raise ValueError(
            f"{label}: members, weights and quota do not fit positions {shape}"
        ) from None
    wm = np.where(m, w, 0.0)
    if not np.isfinite(wm).all() or (wm < 0).any():
        raise ValueError(f"{label}.weights: need finite numbers >= 0 for every member")
    if not np.isfinite(q).all() or (q < 0).any():
        raise ValueError(f"{label}.quota: need a finite number >= 0")
    return m, wm, q


def _reach(ends: Array, w: Array, need: Array) -> Array:
    """Per row the largest v with sum_{i: ends_i >= v} w_i >= need (inf if need <= 0,
    NaN if the total weight falls short)."""
    order = np.argsort(-ends, axis=1, kind="stable")
    e = np.take_along_axis(ends, order, axis=1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=1), axis=1)
    enough = cum >= need[:, None]
    k = np.argmax(enough, axis=1)
    v = np.take_along_axis(e, k[:, None], axis=1)[:, 0]
    v = np.where(enough.any(axis=1), v, np.nan)
    return np.where(need <= 0, np.inf, v)


def _interval(
    x: Array, rp: Array, groups: Sequence[tuple[NDArray[np.bool_], Array, Array]], rtol: float
) -> tuple[Array, Array]:
    lo = np.full(rp.shape, -np.inf)
    hi = np.full(rp.shape, np.inf)
    far = 2.0 * x - rp[:, None]
    for m, w, q in groups:
        need = q * (1.0 - rtol)
        indifferent = m & np.isnan(x)
        right = np.where(indifferent, np.inf, np.where(m, np.maximum(rp[:, None], far), -np.inf))
        left = np.where(indifferent, np.inf, np.where(m, np.maximum(-rp[:, None], -far), -np.inf))
        r, neg_l = _reach(right, w, need), _reach(left, w, need)
        hi = np.fmin(hi, np.where(np.isnan(r), rp, r))
        lo = np.fmax(lo, np.where(np.isnan(neg_l), rp, -neg_l))
    missing = np.isnan(rp)
    return np.where(missing, np.nan, lo), np.where(missing, np.nan, hi)


def acceptable_interval(
    positions: ArrayLike,
    reference_points: ArrayLike,
    groups: Sequence[Group | tuple[ArrayLike, ArrayLike, ArrayLike]],
    *,
    quota_rtol: float = 1e-12,
) -> tuple[Array, Array]:
    """(lo, hi): rp and every x that all ``groups`` accept, per problem.

    positions (..., n), NaN for an actor without a position (indifferent: accepts all);
    reference points (...). A group accepts x iff the weight of its members with
    min(rp, 2 x_i - rp) <= x <= max(rp, 2 x_i - rp) is >= quota (1 - quota_rtol).
    lo <= rp <= hi always; infinite ends where no group binds; NaN where rp is missing.
    """
    ProceduralOptions(quota_rtol=quota_rtol)  # validates
    lead, x, rp, _ = broadcast_inputs(positions, reference_points)
    arrays = [_group_arrays(k, g, (*lead, x.shape[1])) for k, g in enumerate(groups)]
    lo, hi = _interval(x, rp, arrays, quota_rtol)
    return lo.reshape(lead), hi.reshape(lead)


def _narrow(
    lo: Array, hi: Array, rp: Array, lead: tuple[int, ...], bounds: tuple[ArrayLike, ArrayLike]
) -> tuple[Array, Array]:
    """[lo, hi] (flat problems) intersected with ``bounds`` (each broadcast to the leading
    shape ``lead``), which must contain rp wherever rp is given."""
    try:
        b_lo = np.broadcast_to(np.asarray(bounds[0], dtype=float), lead).reshape(-1)
        b_hi = np.broadcast_to(np.asarray(bounds[1], dtype=float), lead).reshape(-1)
    except ValueError:
        raise ValueError(f"bounds: each end must fit the problems {lead}") from None
    given = ~np.isnan(rp)
    if (np.isnan(b_lo) | np.isnan(b_hi) | (b_lo > rp) | (b_hi < rp))[given].any():
        raise ValueError("bounds: need lo <= rp <= hi (no change is always acceptable)")
    lo, hi = np.fmax(lo, b_lo), np.fmin(hi, b_hi)
    return np.where(given, lo, np.nan), np.where(given, hi, np.nan)  # no rp: NaN stays


def project(points: ArrayLike, lo: ArrayLike, hi: ArrayLike) -> Array:
    """The nearest point of [lo, hi] to each point (NaN in, NaN out)."""
    p = np.asarray(points, dtype=float)
    return np.asarray(np.minimum(np.maximum(p, lo), hi), dtype=float)


def procedural(
    positions: ArrayLike,
    saliences: ArrayLike,
    capabilities: ArrayLike,
    reference_points: ArrayLike,
    groups: Sequence[Group | tuple[ArrayLike, ArrayLike, ArrayLike]],
    options: ProceduralOptions | None = None,
    bounds: tuple[ArrayLike, ArrayLike] | None = None,
) -> Array:
    """The compromise (``options.compromise``) projected onto the acceptable interval.

    Acceptance uses the actors with a position and a salience > 0; an actor with salience 0
    or none is indifferent and accepts every x. NaN where rp is missing or the compromise
    is NaN (no actor with weight > 0). Shapes as :func:`acceptable_interval`. ``bounds``
    (lo_c, hi_c), each (...) with lo_c <= rp <= hi_c, narrows the acceptable interval to
    [max(lo, lo_c), min(hi, hi_c)] (issue-specific consent, docs/models/procedural.md).
    """
    opts = options or ProceduralOptions()
    lead, x, rp, arr = broadcast_inputs(positions, reference_points, saliences=saliences)
    s = arr["saliences"]
    caring = np.where(~np.isnan(s) & (s > 0), x, np.nan)
    arrays = [_group_arrays(k, g, (*lead, x.shape[1])) for k, g in enumerate(groups)]
    lo, hi = _interval(caring, rp, arrays, opts.quota_rtol)
    if bounds is not None:
        lo, hi = _narrow(lo, hi, rp, lead, bounds)
    point = compromise(positions, saliences, capabilities, reference_points, opts.compromise)
    return project(point.reshape(-1), lo, hi).reshape(lead)
