"""summitry: forecasts of high-stakes negotiations between states.

    import summitry as sm
    sc = sm.load("dprk-2025")
    fc = sm.forecast(sc, samples=10_000, seed=1)
    fc.frame()        # pandas: one row per sample and issue
    fc.summary()      # per issue: settlement quantiles and the nearest labelled anchor
"""

from __future__ import annotations

__version__ = "0.1.0"

# Imported eagerly: the function ``forecast`` shares its name with the module
# ``summitry.forecast``, and only an import here keeps ``sm.forecast`` the function.
from summitry.forecast import Forecast, forecast
from summitry.scenario import Scenario, ScenarioError, load

__all__ = ["Forecast", "Scenario", "ScenarioError", "__version__", "forecast", "load"]
