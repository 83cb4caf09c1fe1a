"""The compromise model, batched: x* = sum_i c_i s_i x_i / sum_i c_i s_i per problem.

Achen (2006), "Evaluating political decision-making models", in Thomson, Stokman, Achen
and Konig (eds.), *The European Union Decides*; van den Bos (1991), *Dutch EC Policy
Making*. Arrays carry problems (issues or samples) on the leading axes and actors on the
last; NaN marks an absent actor. docs/models/compromise.md states every rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from summitry.engines.compromise.options import CompromiseOptions

__all__ = ["Array", "broadcast_inputs", "compromise", "present_weights"]

Array = NDArray[np.float64]


def _finite_or_nan(name: str, a: NDArray[Any]) -> None:
    bad = np.isinf(a)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name}: infinite value at {list(where)} (use NaN for 'absent')")


def broadcast_inputs(
    positions: ArrayLike,
    reference_points: ArrayLike | None = None,
    **per_actor: ArrayLike,
) -> tuple[tuple[int, ...], Array, Array, dict[str, Array]]:
    """Inputs as 2-D (problems, actors) arrays and a 1-D array of reference points.

    ``positions`` is (..., n); every ``per_actor`` array broadcasts to it and must be >= 0
    where present (saliences, capabilities, weights); ``reference_points`` broadcasts to
    the leading shape (...) (all NaN when None). Infinite values raise ValueError naming
    the argument. Returns (leading shape, positions, reference points, per-actor arrays).
    """
    x = np.asarray(positions, dtype=float)
    if x.ndim == 0:
        raise ValueError("positions: need an actor axis (shape (..., actors))")
    _finite_or_nan("positions", x)
    lead, n = x.shape[:-1], x.shape[-1]
    rows = int(np.prod(lead, dtype=np.int64))
    out: dict[str, Array] = {}
    for name, value in per_actor.items():
        a = np.asarray(value, dtype=float)
        try:
            a = np.broadcast_to(a, x.shape)
        except ValueError:
            raise ValueError(
                f"{name}: shape {a.shape} does not match positions {x.shape}"
            ) from None
        _finite_or_nan(name, a)
        neg = a < 0
        if neg.any():
            where = tuple(int(i) for i in np.argwhere(neg)[0])
            raise ValueError(f"{name}: negative value {a[where]} at {list(where)}")
        out[name] = a.reshape(rows, n)
    if reference_points is None:
        rp = np.full(lead, np.nan)
    else:
        r = np.asarray(reference_points, dtype=float)
        try:
            rp = np.broadcast_to(r, lead)
        except ValueError:
            raise ValueError(
                f"reference_points: shape {r.shape} does not match the problems {lead}"
            ) from None
        _finite_or_nan("reference_points", rp)
    return lead, x.reshape(rows, n), rp.reshape(rows), out


def present_weights(x: Array, s: Array, c: Array) -> tuple[NDArray[np.bool_], Array]:
    """(present, w): an actor is present with a position, a salience and a capability;
    w = c * s for present actors and 0 for absent ones."""
    have = ~np.isnan(x) & ~np.isnan(s) & ~np.isnan(c)
    return have, np.where(have, c * s, 0.0)


def compromise(
    positions: ArrayLike,
    saliences: ArrayLike,
    capabilities: ArrayLike,
    reference_points: ArrayLike | None = None,
    options: CompromiseOptions | None = None,
) -> Array:
    """The compromise per problem: x* = sum_i w_i x_i / sum_i w_i with w_i = c_i s_i.

    Shapes: positions (..., n); saliences and capabilities broadcast to it; reference
    points (...). Sums run over present actors (a position, a salience and a capability,
    none NaN). With ``options.reference == "actor"`` the reference point rp joins with
    weight lambda * mean_i w_i (lambda = ``options.reference_weight``), NaN where rp is
    missing. NaN where no present actor has weight > 0. Result shape (...).
    """
    opts = options or CompromiseOptions()
    lead, x, rp, arr = broadcast_inputs(
        positions, reference_points, saliences=saliences, capabilities=capabilities
    )
    have, w = present_weights(x, arr["saliences"], arr["capabilities"])
    num = (w * np.where(have, x, 0.0)).sum(axis=1)
    den = w.sum(axis=1)
    if opts.reference == "actor":
        count = have.sum(axis=1)
        w_rp = opts.reference_weight * den / np.maximum(count, 1)
        num = num + np.where(np.isnan(rp), np.nan, w_rp * np.nan_to_num(rp))
        den = den + w_rp
    ok = den > 0
    out = np.where(ok, num / np.where(ok, den, 1.0), np.nan)
    return out.reshape(lead)
