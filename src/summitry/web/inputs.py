"""A scenario's inputs as the dashboard shows them: every quantity by dotted path, grouped.

Groups follow :meth:`Scenario.quantities`: ``issues`` (status quo), ``actors`` (capability,
positions, salience), ``bargaining`` (outside options, credibility, patience, ratifiers,
ideal points, override costs) and ``options`` (the options game). Within a group, inputs
are sub-grouped by the path's second part (an issue, an actor, a bargaining parameter).
"""

from __future__ import annotations

import math
from typing import Any

from summitry.scenario import AnyQuantity, Scenario
from summitry.scenario.quantities import Range

GROUPS = ("issues", "actors", "bargaining", "options")
CHANNELS = ("summit", "working")


def _bound(x: float) -> float | None:
    """A legal-range end for JSON: None where the range is open (capability has no top)."""
    return float(x) if math.isfinite(x) else None


def describe_input(path: str, q: AnyQuantity, legal: Range) -> dict[str, Any]:
    """One input: its path, central value, legal range, distribution, source and note."""
    return {
        "path": path,
        "central": float(q.central()),
        "min": _bound(legal[0]),
        "max": _bound(legal[1]),
        "distribution": q.kind,
        "describe": q.describe(),
        "source": q.source,
        "note": q.note,
    }


def _subgroup_label(sc: Scenario, group: str, key: str) -> str:
    if group == "issues":
        return sc.issue(key).label
    if group == "actors":
        return sc.actor(key).name
    return key.replace("_", " ")


def grouped_inputs(sc: Scenario) -> list[dict[str, Any]]:
    """``[{id, label, subgroups: [{id, label, inputs: [...]}]}]`` in the scenario's order;
    groups without inputs are left out."""
    groups: dict[str, dict[str, dict[str, Any]]] = {g: {} for g in GROUPS}
    for path, q, legal in sc.quantities():
        parts = path.split(".")
        group = parts[0]
        key = parts[1] if group != "options" else "options"
        subs = groups[group]
        if key not in subs:
            subs[key] = {"id": key, "label": _subgroup_label(sc, group, key), "inputs": []}
        subs[key]["inputs"].append(describe_input(path, q, legal))
    labels = {
        "issues": "Issues: status quo",
        "actors": "Actors: capability, positions, salience",
        "bargaining": "Bargaining model",
        "options": "Options game",
    }
    return [
        {"id": g, "label": labels[g], "subgroups": list(groups[g].values())}
        for g in GROUPS
        if groups[g]
    ]


def channel_info(sc: Scenario) -> dict[str, Any] | None:
    """The bargaining channel: the scenario's own, the choices and who negotiates and
    ratifies in each; None without a bargaining section."""
    bg = sc.bargaining
    if bg is None:
        return None
    choices = []
    for name in CHANNELS:
        active = bg.model_copy(update={"channel": name}).active()
        choices.append({"value": name, "a": active.a, "ratifiers": list(active.ratifiers)})
    return {"value": bg.channel, "b": bg.principals["b"], "choices": choices}


def scenario_inputs(sc: Scenario) -> dict[str, Any]:
    """Everything the key-numbers panel needs for ``sc``."""
    return {
        "name": sc.name,
        "title": sc.title,
        "date": None if sc.date is None else sc.date.isoformat(),
        "description": sc.description,
        "issues": [
            {
                "id": i.id,
                "label": i.label,
                "scale": [float(i.scale[0]), float(i.scale[1])],
                "anchors": [{"at": float(k), "label": v} for k, v in sorted(i.anchors.items())],
                "status_quo": None if i.status_quo is None else float(i.status_quo.central()),
            }
            for i in sc.issues
        ],
        "actors": [{"id": a.id, "name": a.name} for a in sc.actors],
        "groups": grouped_inputs(sc),
        "channel": channel_info(sc),
    }


def input_ranges(sc: Scenario) -> dict[str, Range]:
    """Dotted path -> legal range, for every quantity of ``sc``."""
    return {path: legal for path, _, legal in sc.quantities()}
