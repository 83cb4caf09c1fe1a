"""Shared test set-up."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

# No test may depend on how fast this machine is or how loaded: hypothesis checks no
# per-example deadline and no slow-generation health check, whatever a test's own settings
# leave out (settings objects made in test modules inherit this profile).
settings.register_profile("summitry", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("summitry")


@pytest.fixture(autouse=True)
def _run_in_a_scratch_directory(tmp_path, monkeypatch):
    """Commands save runs to ./summitry.duckdb by default: keep that out of the checkout."""
    monkeypatch.chdir(tmp_path)
