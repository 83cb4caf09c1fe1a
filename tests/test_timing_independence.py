"""The suite's guard against load-dependent failures (see tests/conftest.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def test_hypothesis_checks_no_deadline_and_no_slow_generation() -> None:
    """A loaded machine makes examples slow; that must never fail a property test."""
    current = settings.default
    assert current is not None and current.deadline is None
    assert HealthCheck.too_slow in current.suppress_health_check
