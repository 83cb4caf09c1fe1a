"""summitry: forecasts of high-stakes negotiations between states.

Python API: ``summitry.load(name_or_path)`` reads a scenario (a bundled name such as
``"dprk-2025"`` or a path); ``summitry.forecast(scenario, samples=10_000, seed=1)`` runs the
engines and returns a :class:`Forecast` with ``.summary()`` (per issue), ``.deal_summary()``
(the bargaining model), ``.options_summary()`` (the options game), ``.outputs()`` (every
per-sample output by name) and ``.frame()`` (a pandas view).

The names are imported on first use (PEP 562), so that ``import summitry`` and the command
line start without numpy, scipy or pandas (benchmarks/README.md, "Start-up").
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from summitry.forecast import Forecast, forecast
    from summitry.scenario import Scenario, ScenarioError, load

__all__ = ["Forecast", "Scenario", "ScenarioError", "__version__", "forecast", "load"]

_LAZY = {
    "Forecast": "summitry.forecast",
    "forecast": "summitry.forecast",
    "Scenario": "summitry.scenario",
    "ScenarioError": "summitry.scenario",
    "load": "summitry.scenario",
}
"""Public name -> the module that defines it."""


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use and keep it here."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the public ones included before their first use."""
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package's module type: ``summitry.forecast`` stays the function.

    Importing the submodule ``summitry.forecast`` (from anywhere) makes the import system
    set the package attribute ``forecast`` to that module; the function of the same name is
    kept in its place, as an eager ``from summitry.forecast import forecast`` here would.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "forecast" and isinstance(value, types.ModuleType):
            value = value.forecast
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
