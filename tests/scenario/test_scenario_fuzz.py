"""Mutation fuzzing of the loader: every mutant of a scenario file either loads into a
valid Scenario or raises a ScenarioError whose every item has the file, a line within the
file and a message. No other exception may escape ``load_text``.

CI runs 200 mutants; ``pytest -m campaign tests/scenario`` runs 10,000.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from scenario_mutants import SEEDS, mutants

from summitry.scenario import Scenario, ScenarioError, load_text, validate

FILE = "mutant.yaml"


def check(text: str) -> None:
    try:
        sc = load_text(text, FILE)
    except ScenarioError as err:
        assert err.errors
        last_line = text.count("\n") + 2
        for item in err.errors:
            assert item.file == FILE
            assert isinstance(item.line, int), str(item)
            assert 1 <= item.line <= last_line, str(item)
            assert isinstance(item.path, str)
            assert item.message.strip() and "\n" not in item.message, str(item)
        return
    assert isinstance(sc, Scenario)
    for path, q, (lo, hi) in sc.quantities():
        central = q.central()
        assert math.isfinite(central) and lo <= central <= hi, path
    assert validate(sc.to_data(), FILE) == sc


def test_seeds_are_valid():
    assert len(SEEDS) >= 2
    for name, text in SEEDS.items():
        assert isinstance(load_text(text, name), Scenario)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutants())
def test_mutants_load_or_fail_with_located_errors(mutant: tuple[str, str]):
    check(mutant[1])


@pytest.mark.campaign
@settings(
    max_examples=10_000,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(mutants())
def test_campaign_mutants(mutant: tuple[str, str]):
    check(mutant[1])
