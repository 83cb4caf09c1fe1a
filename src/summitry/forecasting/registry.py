"""The single list of engines the forecast can run (docs/architecture.md).

``NAMES`` are every registered engine in run order, ``DEFAULT`` the default engine set
(what ``summitry forecast`` runs without ``--engine``; the compromise model is opt-in) and
``DESCRIPTIONS`` a line for each. This module imports no numpy: :func:`get` imports an
engine's adapter (:class:`summitry.forecasting.adapter.EngineAdapter`) when it is asked
for. The options game is not an engine of its own here: it rides on the bargaining model
(it needs the bargaining and options sections).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from summitry.forecasting.adapter import EngineAdapter

# name, module under summitry.forecasting, in the default set, one-line description
_TABLE: tuple[tuple[str, str, bool, str], ...] = (
    ("eum", "eum", True, "expected utility: where each issue settles (always runs)"),
    ("smp", "smp", True, "Spatial Model of Politics: where each issue settles (3+ actors)"),
    ("bargaining", "bargaining", True, "bargaining model and options game: deal and terms"),
    ("compromise", "compromise", False, "compromise model: capability x salience mean"),
    ("nbs", "nbs", False, "Nash bargaining solution over all actors, status quo as threat"),
    (
        "procedural",
        "procedural",
        False,
        "procedural model: compromise within what veto players accept",
    ),
)

NAMES: tuple[str, ...] = tuple(row[0] for row in _TABLE)
"""Every registered engine, in run order."""
DEFAULT: tuple[str, ...] = tuple(row[0] for row in _TABLE if row[2])
"""The default engine set."""
DESCRIPTIONS: dict[str, str] = {row[0]: row[3] for row in _TABLE}
"""One line per engine."""
_MODULES = {row[0]: row[1] for row in _TABLE}


def get(name: str) -> EngineAdapter[Any]:
    """The adapter of engine ``name`` (ValueError naming the choices if unknown)."""
    if name not in _MODULES:
        raise ValueError(f"unknown engine {name!r}; choose from {', '.join(NAMES)}")
    adapter: EngineAdapter[Any] = import_module(f"summitry.forecasting.{_MODULES[name]}").ADAPTER
    return adapter


def resolve(choice: str) -> tuple[str, ...]:
    """An ``--engine`` value as engines: ``default`` the default set, ``all`` every engine,
    else the one named (ValueError naming the choices if unknown)."""
    if choice == "default":
        return DEFAULT
    if choice == "all":
        return NAMES
    if choice not in NAMES:
        raise ValueError(
            f"unknown engine {choice!r}; choose one of {', '.join(NAMES)}, default, all"
        )
    return (choice,)


def ordered(engines: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``engines`` in registry order (ValueError naming the unknown ones)."""
    unknown = sorted(set(engines) - set(NAMES))
    if unknown:
        raise ValueError(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(NAMES)}")
    return tuple(n for n in NAMES if n in set(engines))
