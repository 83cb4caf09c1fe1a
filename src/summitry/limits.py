"""Limits on what one request may ask for (guards against runaway memory and time)."""

MAX_SAMPLES = 50_000_000
"""The most Monte Carlo samples one forecast or draw accepts."""
