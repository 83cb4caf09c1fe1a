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

import sys
import types
from typing import TYPE_CHECKING, Any

from summitry._lazy import lazy_names

__version__ = "0.1.0"

if TYPE_CHECKING:
    from summitry.forecast import Forecast, forecast
    from summitry.scenario import Scenario, ScenarioError, load

__all__ = ["Forecast", "Scenario", "ScenarioError", "__version__", "forecast", "load"]

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "summitry.forecast": ("Forecast", "forecast"),
        "summitry.scenario": ("Scenario", "ScenarioError", "load"),
    },
)


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
