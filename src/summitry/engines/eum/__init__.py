"""The expected-utility model (EUM; Bueno de Mesquita 1994, Scholz et al. 2011), batched.

    from summitry.engines.eum import simulate_issues, resolve_options
    result = simulate_issues(capability, position, salience, resolve_options("scholz-code"))
    result.positions                                   # (B, D, R+1, n)

:mod:`summitry.engines.eum.model` is the batched engine, :mod:`summitry.engines.eum.options`
the options and presets, :mod:`summitry.engines.eum.reference` the plain-loop oracle.
docs/models/eum.md states the model. The engine's names load on first use, so that the
options (which the command line reads at start-up) do not pull in numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from summitry.engines.eum.options import PRESETS, EUMOptions, resolve_options

if TYPE_CHECKING:
    from summitry.engines.eum.model import (
        EUMResult,
        median_position,
        risk_exponents,
        simulate,
        simulate_issues,
        vote_weights,
        weighted_mean,
        win_probability,
    )

__all__ = [
    "PRESETS",
    "EUMOptions",
    "EUMResult",
    "median_position",
    "resolve_options",
    "risk_exponents",
    "simulate",
    "simulate_issues",
    "vote_weights",
    "weighted_mean",
    "win_probability",
]

_FROM_MODEL = frozenset(__all__) - {"PRESETS", "EUMOptions", "resolve_options"}


def __getattr__(name: str) -> Any:
    """The batched engine's public names, imported from ``model`` on first use (PEP 562)."""
    if name in _FROM_MODEL:
        from summitry.engines.eum import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
