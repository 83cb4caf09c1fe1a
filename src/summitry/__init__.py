"""summitry: forecasts of high-stakes negotiations between states.

Python API: ``summitry.load(name_or_path)`` reads a scenario (a bundled name such as
``"dprk-2025"`` or a path); ``summitry.forecast(scenario, samples=10_000, seed=1)`` runs the
engines and returns a :class:`Forecast` with ``.summary()`` (per issue), ``.deal_summary()``
(the bargaining model), ``.options_summary()`` (the options game), ``.outputs()`` (every
per-sample output by name) and ``.frame()`` (a pandas view).
"""

from __future__ import annotations

__version__ = "0.1.0"

# Imported eagerly: the function ``forecast`` shares its name with the module
# ``summitry.forecast``, and only an import here keeps ``sm.forecast`` the function.
from summitry.forecast import Forecast, forecast
from summitry.scenario import Scenario, ScenarioError, load

__all__ = ["Forecast", "Scenario", "ScenarioError", "__version__", "forecast", "load"]
