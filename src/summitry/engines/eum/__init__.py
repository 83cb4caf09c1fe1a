"""The expected-utility model (EUM; Bueno de Mesquita 1994, Scholz et al. 2011), batched.

    from summitry.engines.eum import simulate_issues, resolve_options
    result = simulate_issues(capability, position, salience, resolve_options("scholz-code"))
    result.positions                                   # (B, D, R+1, n)

:mod:`summitry.engines.eum.model` is the batched engine, :mod:`summitry.engines.eum.options`
the options and presets, :mod:`summitry.engines.eum.reference` the plain-loop oracle.
docs/models/eum.md states the model. The engine's names (``model.__all__``) load on first
use, so that the options (which the command line reads at start-up) do not pull in numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from summitry._lazy import lazy_names
from summitry.engines.eum.options import PRESETS, EUMOptions, resolve_options

if TYPE_CHECKING:
    from summitry.engines.eum.model import *  # noqa: F403

_MODEL = (
    "EUMResult",
    "median_position",
    "risk_exponents",
    "simulate",
    "simulate_issues",
    "vote_weights",
    "weighted_mean",
    "win_probability",
)
"""``summitry.engines.eum.model.__all__``, listed here so that they can load on first use
(tests/test_startup.py checks that the two lists agree)."""

__all__ = ["PRESETS", "EUMOptions", "resolve_options", *_MODEL]

__getattr__, __dir__ = lazy_names(__name__, {"summitry.engines.eum.model": _MODEL})
