"""Bargaining under private information about B's reservation (Fearon 1995).

docs/models/bargaining.md, "Private information".

A knows B's ideal point and weights (their central values) but not B's reservation d_B, only
its distribution F, the empirical distribution of d_B over the Monte Carlo samples. An offer
is indexed by the level l of (effective) utility it guarantees B; z(l) is A's best package
within the ratifiers' limits that gives B at least l (exactly l wherever that costs A
something). B accepts iff d_B <= l, so A picks

    l* = argmax_l  F(l) u_A^eff(z(l)) + (1 - F(l)) d_A,     F(l) = Pr(d_B <= l),

and P(breakdown) = 1 - F(l*). Between two sample values F is flat while u_A(z(l)) falls, so
the search over A's best offer and the sorted sample values of d_B is exact. A may also make
no acceptable offer (value d_A); ties go to the offer more likely to be accepted.

For linear utilities z(l) is read off the exact vertices of the Pareto boundary of the
central problem; for quadratic ones each candidate level is solved by the batched level search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from summitry.engines.bargaining.backend import build_backend
from summitry.engines.bargaining.linear import PiecewiseLinear
from summitry.engines.bargaining.problem import BargainingProblem, FloatArray
from summitry.engines.bargaining.search import ends, level_search, pareto_vertices
from summitry.engines.bargaining.utility import party_reservations, party_utilities


@dataclass(frozen=True)
class PrivateInformation:
    """A's optimal offer against the sampled distribution of d_B.

    ``offer``: whether A makes an offer B may accept; ``level`` l*, ``z`` (D,) the terms
    z(l*), ``u_a_eff``/``u_b_eff`` their effective utilities (NaN without an offer);
    ``p_deal`` F(l*) and ``p_breakdown`` 1 - F(l*); ``expected_utility_a`` A's expected value;
    ``d_a`` the reservation used. The curves over candidate levels (A's best offer first, then
    the sorted distinct sample values of d_B it can reach): ``levels``, ``acceptance`` F(l),
    ``value_a`` u_A^eff(z(l)) and ``expected`` F u_A + (1 - F) d_A.
    """

    offer: bool
    level: float
    z: FloatArray
    u_a_eff: float
    u_b_eff: float
    p_deal: float
    p_breakdown: float
    expected_utility_a: float
    d_a: float
    levels: FloatArray
    acceptance: FloatArray
    value_a: FloatArray
    expected: FloatArray


def private_information(
    central: BargainingProblem,
    reservations_b: ArrayLike,
    reservation_a: float | None = None,
) -> PrivateInformation:
    """A's take-it-or-leave-it offer under uncertainty about d_B.

    ``central`` is a single-sample problem holding the central values (A's and B's ideal
    points and weights, z0, credibility, ratifiers; B's outside option is not used);
    ``reservations_b`` the sampled d_B (e.g. ``solve(batch).d_b``); ``reservation_a``
    overrides A's central d_A = u_A(z0) + o_A.
    """
    with np.errstate(over="ignore", under="ignore", divide="ignore"):  # extreme weights
        return _private_information(central, reservations_b, reservation_a)


def _private_information(
    central: BargainingProblem,
    reservations_b: ArrayLike,
    reservation_a: float | None,
) -> PrivateInformation:
    if central.size != 1:
        raise ValueError("bargaining: private_information needs a single-sample central problem")
    sample = np.sort(np.asarray(reservations_b, dtype=float).ravel())
    if sample.size == 0 or not np.isfinite(sample).all():
        raise ValueError("bargaining: reservations_b must be a non-empty array of finite values")
    d = party_reservations(central)
    if reservation_a is not None:
        d[0, 0] = float(reservation_a)
    d_a = float(d[0, 0])
    be = build_backend(central, d)
    cons = list(range(2, be.n_parties))
    xa, ua, xb, ub, feasible = ends(be, cons)
    empty = np.zeros(0)
    if not feasible[0]:
        return _no_offer(central.n_issues, d_a, empty, empty, empty, empty)
    terms: Callable[[int], FloatArray]
    if isinstance(be, PiecewiseLinear):
        points, utils = _vertices(central, be, cons, xa, ua, xb, ub)
        levels = _levels(sample, utils[0, 1], utils[-1, 1])
        value_a = np.interp(levels, utils[:, 1], utils[:, 0])
        linear = be

        def terms(k: int) -> FloatArray:
            return linear.package(_along(points, utils[:, 1], float(levels[k])))

    else:
        ends_z = be.package(np.concatenate([xa, xb]))
        low, high = party_utilities(central.repeat(2), ends_z)[:, 1]
        levels = _levels(sample, low, high)
        many = build_backend(central.repeat(levels.size), np.repeat(d, levels.size, axis=0))
        rep = np.zeros(levels.size, dtype=np.intp)
        xq, uq, _ = level_search(many, cons, levels, xa[rep], ua[rep], xb[rep], ub[rep])
        value_a = uq[:, 0]
        packages = many.package(xq)

        def terms(k: int) -> FloatArray:
            return packages[k : k + 1]

    acceptance = np.searchsorted(sample, levels, side="right") / sample.size
    expected = acceptance * value_a + (1.0 - acceptance) * d_a
    k = levels.size - 1 - int(np.argmax(expected[::-1]))
    if not (expected[k] >= d_a and acceptance[k] > 0.0):
        return _no_offer(central.n_issues, d_a, levels, acceptance, value_a, expected)
    z = terms(k)
    u = party_utilities(central, z)
    return PrivateInformation(
        offer=True,
        level=float(levels[k]),
        z=z[0],
        u_a_eff=float(u[0, 0]),
        u_b_eff=float(u[0, 1]),
        p_deal=float(acceptance[k]),
        p_breakdown=float(1.0 - acceptance[k]),
        expected_utility_a=float(expected[k]),
        d_a=d_a,
        levels=levels,
        acceptance=acceptance,
        value_a=value_a,
        expected=expected,
    )


def _levels(sample: FloatArray, low: float, high: float) -> FloatArray:
    """A's best offer's level, then the distinct sample values A can reach above it."""
    reachable = sample[(sample > low) & (sample <= high)]
    return np.concatenate([[low], np.unique(reachable)])


def _along(points: FloatArray, level_b: FloatArray, level: float) -> FloatArray:
    """The point of the polyline through ``points`` where B's utility (strictly increasing
    ``level_b``) reaches ``level`` (the first point below the start), shape (1, n)."""
    if len(points) == 1:
        return points[:1]
    j = int(np.clip(np.searchsorted(level_b, level), 1, len(points) - 1))
    lo, hi = level_b[j - 1], level_b[j]
    theta = float(np.clip((level - lo) / (hi - lo), 0.0, 1.0))
    return (points[j - 1] + theta * (points[j] - points[j - 1]))[None]


def _vertices(
    central: BargainingProblem,
    be: PiecewiseLinear,
    cons: list[int],
    xa: FloatArray,
    ua: FloatArray,
    xb: FloatArray,
    ub: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """The Pareto vertices (fills, utilities) with utilities recomputed from the packages,
    exactly as d_B is computed, and kept strictly increasing for B, decreasing for A."""
    points, _ = pareto_vertices(be, cons, xa, ua, xb, ub)
    utils = party_utilities(central.repeat(len(points)), be.package(points))
    keep = [0]
    for k in range(1, len(points)):
        if utils[k, 1] <= utils[keep[-1], 1]:
            continue  # no more for B (round-off): the earlier vertex is as good
        while keep and utils[k, 0] >= utils[keep[-1], 0]:
            keep.pop()  # no less for A: the earlier one is dominated
        keep.append(k)
    return points[keep], utils[keep]


def _no_offer(
    n_issues: int,
    d_a: float,
    levels: FloatArray,
    acceptance: FloatArray,
    value_a: FloatArray,
    expected: FloatArray,
) -> PrivateInformation:
    nan = float("nan")
    return PrivateInformation(
        offer=False,
        level=nan,
        z=np.full(n_issues, nan),
        u_a_eff=nan,
        u_b_eff=nan,
        p_deal=0.0,
        p_breakdown=1.0,
        expected_utility_a=d_a,
        d_a=d_a,
        levels=levels,
        acceptance=acceptance,
        value_a=value_a,
        expected=expected,
    )
