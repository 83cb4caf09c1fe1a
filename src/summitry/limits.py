"""Limits on what one request may ask for (guards against runaway memory and time)."""

MAX_SAMPLES = 50_000_000
"""The most Monte Carlo samples one forecast or draw accepts."""

MAX_WEB_SAMPLES = min(MAX_SAMPLES, 10_000)
"""The most samples one dashboard request may ask for: an answer should come back within
half a minute (dprk-2025 takes 2-3 s per 1,000 samples on a shared two-core machine)."""
MIN_WEB_SAMPLES = 2
"""The fewest: the equivalent ``summitry compare`` command needs two."""
MAX_SEED = 2**63 - 1
"""The largest seed a dashboard request or `summitry serve --seed` accepts."""
