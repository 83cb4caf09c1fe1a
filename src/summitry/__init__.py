"""summitry: forecasts of high-stakes negotiations between states.

    import summitry as sm
    sc = sm.load("dprk-2025")
    fc = sm.forecast(sc, samples=10_000, seed=1)
    fc.frame()        # pandas: one row per sample and issue
    fc.summary()      # per issue: settlement quantiles and the nearest labelled anchor
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Forecast", "Scenario", "ScenarioError", "__version__", "forecast", "load"]

if TYPE_CHECKING:
    from summitry.forecast import Forecast, forecast
    from summitry.scenario import Scenario, ScenarioError, load

_LAZY = {
    "load": "summitry.scenario",
    "Scenario": "summitry.scenario",
    "ScenarioError": "summitry.scenario",
    "forecast": "summitry.forecast",
    "Forecast": "summitry.forecast",
}


def __getattr__(name: str) -> Any:
    """Import the public API on first use, so that ``import summitry.engines`` stays light."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'summitry' has no attribute {name!r}")
