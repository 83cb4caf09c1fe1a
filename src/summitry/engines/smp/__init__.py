"""The Spatial Model of Politics (SMP) as KTAB computes it, batched over samples.

    from summitry.engines.smp import simulate, SMPOptions
    result = simulate(capability, position, salience, SMPOptions(), uniforms=uniforms)
    result.positions                                   # (B, T+1, n, K)

:mod:`summitry.engines.smp.model` is the batched engine, built from ``rules`` (votes,
utilities, risk), ``pce`` (probabilistic Condorcet election), ``challenge``, ``bargain`` and
``report``; :mod:`summitry.engines.smp.options` holds the options and constants,
:mod:`summitry.engines.smp.result` the result type and :mod:`summitry.engines.smp.reference`
the plain-loop oracle. docs/models/smp.md states the model.
"""

from __future__ import annotations

from summitry.engines.smp.model import CYCLE_WINDOW, simulate
from summitry.engines.smp.options import POS_TOL, SMPOptions
from summitry.engines.smp.result import SMPResult

__all__ = ["CYCLE_WINDOW", "POS_TOL", "SMPOptions", "SMPResult", "simulate"]
