"""The dashboard's load limits and their defaults (docs/web.md, "Load limits"); read by
``summitry serve`` without importing the web stack. :mod:`summitry.web.load` enforces
them."""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_COMPUTATIONS = 2
"""Forecasts computed at once by default: one per core of a two-core machine."""
DEFAULT_QUEUE = 8
"""Requests that may wait for a slot by default."""
DEFAULT_TIME_LIMIT = 120.0
"""Seconds one forecast may take by default (10,000 samples of dprk-2025 take 25-45 s on a
shared two-core machine)."""
MAX_BODY_BYTES = 1_000_000
"""The largest request body accepted (413 beyond); overriding every input of dprk-2025
takes about 4 kB."""
MAX_COMPUTATIONS = 64
"""The most forecasts ``summitry serve --computations`` allows at once."""
MAX_QUEUE = 200
"""The longest queue ``summitry serve --queue`` allows."""
MAX_TIME_LIMIT = 3600.0
"""The longest time limit ``summitry serve --time-limit`` allows (seconds)."""
MAX_CONNECTIONS = 100
"""Connections and requests uvicorn serves at once; beyond, it answers a plain 503 itself
(a last bound on memory: the forecasts are bounded by the gate, each body by
``MAX_BODY_BYTES``)."""
GRACE = 5
"""Seconds ``summitry serve`` gives requests in flight to finish after Ctrl-C; forecasts
still running then are stopped (their workers killed)."""
STARTUP_TIMEOUT = 300.0
"""Seconds a new worker process may take to import the engines (not part of the time
limit; only a broken installation exceeds it)."""


@dataclass(frozen=True)
class LoadLimits:
    """``computations`` forecasts at once (>= 1), ``queue`` more waiting (>= 0), each given
    at most ``time_limit`` seconds (> 0); request bodies of at most ``max_body_bytes``."""

    computations: int = DEFAULT_COMPUTATIONS
    queue: int = DEFAULT_QUEUE
    time_limit: float = DEFAULT_TIME_LIMIT
    max_body_bytes: int = MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if self.computations < 1:
            raise ValueError(f"computations: {self.computations} is below 1")
        if self.queue < 0:
            raise ValueError(f"queue: {self.queue} is below 0")
        if not (math.isfinite(self.time_limit) and self.time_limit > 0):
            raise ValueError(f"time_limit: {self.time_limit} is not a positive number")
        if self.max_body_bytes < 1:
            raise ValueError(f"max_body_bytes: {self.max_body_bytes} is below 1")
