"""Result type of the Spatial Model of Politics (SMP): the trajectories of a batch of runs.

Shared by the batched engine (:mod:`summitry.engines.smp.model`) and the plain-loop oracle
(:mod:`summitry.engines.smp.reference`); docs/models/smp.md states the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["SMPResult"]


@dataclass(frozen=True)
class SMPResult:
    """Trajectories of B independent runs, padded after each run stops.

    ``positions``/``ideals``: (B, T+1, n, K) on the 0-1 scale, turn 0 = input;
    ``prob``: (B, T+1, n_h, n), the probability, as estimator h sees it, that actor i's position
    prevails (actors sharing a position, within ``POS_TOL``, share its probability, so a row
    sums to 1 over distinct positions); ``turns_run``: (B,) steps until the stopping rule fired,
    T for a run that never met it; ``converged``: (B,) whether the stopping rule fired (False:
    the run reached the turn cap); ``period``: (B,) the length of the cycle a run that never
    converges was caught in (its state repeats exactly every ``period`` steps), 0 otherwise.
    Turns after ``turns_run`` repeat the final state. T = ``options.max_turns``; with
    ``simulate(..., path=False)`` the turn axis holds only turn 0 and the final state.
    """

    positions: NDArray[np.float64]
    ideals: NDArray[np.float64]
    prob: NDArray[np.float64]
    turns_run: NDArray[np.int64]
    converged: NDArray[np.bool_]
    period: NDArray[np.int64]
