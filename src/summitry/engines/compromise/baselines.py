"""Baselines beside the compromise model, batched: the weighted median and the plain mean.

The weighted median (weights c_i s_i) is the Condorcet winner of single-peaked voters
weighted by capability x salience (Black 1958; docs/models/eum.md uses the same rule); the
unweighted mean of the stated positions is the naive yardstick. Layout and missing-input
rules as :func:`summitry.engines.compromise.compromise` (docs/models/compromise.md).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from summitry.engines.compromise.model import Array, broadcast_inputs, present_weights

__all__ = ["HALF_RTOL", "mean_position", "weighted_median"]

HALF_RTOL = 1e-12
"""A running weight within this relative distance below half the total counts as half,
so an exact tie does not hinge on the order of a floating-point sum."""


def weighted_median(positions: ArrayLike, saliences: ArrayLike, capabilities: ArrayLike) -> Array:
    """The lower weighted median per problem: the smallest position x_k with
    sum_{i: x_i <= x_k} w_i >= (1 - 1e-12) W / 2, w_i = c_i s_i, W = sum_i w_i.

    Over present actors (position, salience and capability not NaN); NaN where W = 0.
    """
    lead, x, _, arr = broadcast_inputs(positions, saliences=saliences, capabilities=capabilities)
    have, w = present_weights(x, arr["saliences"], arr["capabilities"])
    if x.shape[1] == 0:
        return np.full(lead, np.nan)
    key = np.where(have, x, np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    xs = np.take_along_axis(key, order, axis=1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=1), axis=1)
    total = cum[:, -1]
    k = np.argmax(cum >= (1.0 - HALF_RTOL) * 0.5 * total[:, None], axis=1)
    med = np.take_along_axis(xs, k[:, None], axis=1)[:, 0]
    return np.where(total > 0, med, np.nan).reshape(lead)


def mean_position(positions: ArrayLike) -> Array:
    """The unweighted mean of the stated positions per problem (NaN positions left out;
    NaN where no actor has a position)."""
    lead, x, _, _ = broadcast_inputs(positions)
    have = ~np.isnan(x)
    count = have.sum(axis=1)
    total = np.where(have, x, 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan).reshape(lead)
