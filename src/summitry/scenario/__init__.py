"""Scenario files: schema, loading with line numbers, errors that name file:line:field.

    from summitry.scenario import load, ScenarioError
    sc = load("dprk-2025")                  # a bundled name, or a path to a .yaml file
    for path, quantity, legal in sc.quantities():
        ...

The format is described for analysts in docs/scenario-format.md.
"""

from __future__ import annotations

from summitry.scenario.catalog import bundled_names, resolve_path
from summitry.scenario.errors import ErrorItem, ScenarioError
from summitry.scenario.loader import Scenario, load, load_text, validate
from summitry.scenario.quantities import (
    AnyQuantity,
    Beta,
    Choice,
    Fixed,
    Normal,
    Quantity,
    Triangular,
    Uniform,
)
from summitry.scenario.schema import Actor, EUMSettings, Issue, ModelSettings

__all__ = [
    "Actor",
    "AnyQuantity",
    "Beta",
    "Choice",
    "EUMSettings",
    "ErrorItem",
    "Fixed",
    "Issue",
    "ModelSettings",
    "Normal",
    "Quantity",
    "Scenario",
    "ScenarioError",
    "Triangular",
    "Uniform",
    "bundled_names",
    "load",
    "load_text",
    "resolve_path",
    "validate",
]
