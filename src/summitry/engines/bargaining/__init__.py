"""Bilateral bargaining: Nash, Rubinstein, two-level game and private information, batched.

    from summitry.engines.bargaining import BargainingProblem, solve, private_information
    sol = solve(BargainingProblem(...))    # sol.zopa_exists (B,), sol.z (B, D), ...
    info = private_information(central, reservations_b)  # A's offer not knowing d_B

:mod:`summitry.engines.bargaining.model` is the batched solver; its parts are ``problem``
(the inputs), ``utility``, ``linear`` and ``quadratic`` (the two utility forms), ``backend``,
``walk`` and ``search`` (the frontier searches) and ``private`` (Fearon 1995);
:mod:`summitry.engines.bargaining.reference` is the plain-loop oracle.
docs/models/bargaining.md states the model.
"""

from __future__ import annotations

from summitry.engines.bargaining import model
from summitry.engines.bargaining.model import *  # noqa: F403

__all__ = [*model.__all__]
