"""Shared test set-up."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _run_in_a_scratch_directory(tmp_path, monkeypatch):
    """Commands save runs to ./summitry.duckdb by default: keep that out of the checkout."""
    monkeypatch.chdir(tmp_path)
