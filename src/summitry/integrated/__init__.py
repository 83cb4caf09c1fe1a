"""The integrated forecast: one headline per issue (docs/integrated.md).

    from summitry.integrated import integrate, integrated_quantities
    ig = integrate(fc)                 # fc: a summitry.forecast.Forecast
    ig.summary()                       # JSON-ready headline per issue, P(deal), window
    integrated_quantities(fc)          # the quantities by name (for dated questions)

:mod:`.mixture` holds the pure functions over arrays, :mod:`.core` the adapter from a
forecast run, :mod:`.explain` the explanations (drivers, who gives what, what would open a
zone of agreement).
"""

from __future__ import annotations

from summitry.integrated.core import (
    MARGIN,
    MODEL_ERROR_LABEL,
    WINDOW,
    Integrated,
    deu_calibration,
    integrate,
    integrated_quantities,
)
from summitry.integrated.mixture import LEVELS, intervals, mixture

__all__ = [
    "LEVELS",
    "MARGIN",
    "MODEL_ERROR_LABEL",
    "WINDOW",
    "Integrated",
    "deu_calibration",
    "integrate",
    "integrated_quantities",
    "intervals",
    "mixture",
]
