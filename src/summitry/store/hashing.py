"""Deterministic JSON and scenario hashing: what the store keeps of a scenario and how
it is identified (docs/store.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from summitry.scenario import Scenario


def canonical_json(data: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, non-finite floats as text."""
    return json.dumps(to_plain(data), sort_keys=True, separators=(",", ":"), allow_nan=False)


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """The full resolved scenario as plain JSON data (what the store keeps)."""
    data: dict[str, Any] = json.loads(canonical_json(scenario.to_data(json_safe=True)))
    return data


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: equal content, equal hash."""
    return hashlib.sha256(canonical_json(scenario_data(scenario)).encode()).hexdigest()


def scenario_from_data(data: Mapping[str, Any], label: str = "<stored scenario>") -> Scenario:
    """Rebuild a :class:`Scenario` from :func:`scenario_data` (anchor keys back to numbers)."""
    from summitry.scenario import validate

    plain = json.loads(json.dumps(data))
    for issue in plain.get("issues", []):
        if isinstance(issue, dict) and isinstance(issue.get("anchors"), dict):
            issue["anchors"] = {float(k): v for k, v in issue["anchors"].items()}
    return validate(plain, label)


def to_plain(value: Any) -> Any:
    """``value`` as JSON-ready data (numpy, dataclasses, dates, paths; inf and nan as text)."""
    if isinstance(value, float | np.floating):
        v = float(value)
        return v if math.isfinite(v) else repr(v)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return to_plain(value.tolist())
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(to_plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return to_plain(asdict(value))
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return to_plain(value.model_dump())
    raise TypeError(f"cannot store {type(value).__name__} as JSON")
