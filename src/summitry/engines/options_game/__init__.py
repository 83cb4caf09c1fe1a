"""The options game (engage, pressure or strike): subgame-perfect and logit QRE, batched.

    from summitry.engines.options_game import OptionsParameters, solve, summarise
    result = solve(OptionsParameters(...))           # SPE and QRE per sample
    summarise(result)                                # shares of each path, mean payoffs

:mod:`summitry.engines.options_game.model` is the batched solver,
:mod:`summitry.engines.options_game.payoffs` the parameters and terminal payoffs (its
function ``payoffs`` is imported from there), :mod:`summitry.engines.options_game.gambit`
the same tree in pygambit (optional) and :mod:`summitry.engines.options_game.reference` the
plain recursive oracle. docs/models/options.md states the model.
"""

from __future__ import annotations

from summitry.engines.options_game import model
from summitry.engines.options_game.model import *  # noqa: F403
from summitry.engines.options_game.payoffs import (
    OPTIONS,
    PARAMETER_NAMES,
    PLAYERS,
    REPLIES,
    OptionsParameters,
    OptionsPayoffs,
    enforcement,
    pressure_deal,
)

__all__ = [
    *model.__all__,
    "OPTIONS",
    "PARAMETER_NAMES",
    "PLAYERS",
    "REPLIES",
    "OptionsParameters",
    "OptionsPayoffs",
    "enforcement",
    "pressure_deal",
]
