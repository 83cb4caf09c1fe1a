"""Locations and pydantic errors -> file:line, field path and a short human message.

pydantic reports each error at a ``loc`` tuple. :func:`locate` walks that tuple through the
document, drops the union tags pydantic adds inside quantity slots (``.normal``), keeps
locations past a missing field, and finds the line: the value's own line for a scalar, the
line of its key for a mapping or list (or of the enclosing mapping when absent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_core import ErrorDetails

from summitry.pydantic_messages import pydantic_message
from summitry.scenario.checks import suggest
from summitry.scenario.consent import Consent
from summitry.scenario.quantities import CLASSES, DISTRIBUTIONS, Loc, fmt
from summitry.scenario.schema import (
    Actor,
    EUMSettings,
    Issue,
    ModelSettings,
    Outcome,
    OutcomeDeal,
    OutcomeIssue,
    ScenarioBase,
    ScenarioReference,
)
from summitry.scenario.yamlio import LineMap, describe

_CHILD: dict[str, dict[str, str]] = {
    "scenario": {
        "issues": "issue_list",
        "actors": "actor_list",
        "model": "model",
        "references": "references",
        "outcome": "outcome",
    },
    "outcome": {"deal": "outcome_deal", "issues": "outcome_issues"},
    "issue": {"status_quo": "slot", "anchors": "anchors", "scale": "scale", "consent": "consents"},
    "consent": {"tolerance": "slot"},
    "actor": {
        "capability": "slot",
        "capability_by_issue": "slot_map",
        "positions": "slot_map",
        "salience": "slot_map",
    },
    "model": {"eum": "eum"},
}
_ITEM = {
    "issue_list": "issue",
    "actor_list": "actor",
    "slot_map": "slot",
    "outcome_issues": "outcome_issue",
    "references": "reference",
    "consents": "consent",
}
_FIELDS: dict[str, list[str]] = {
    "scenario": list(ScenarioBase.model_fields),
    "issue": list(Issue.model_fields),
    "consent": list(Consent.model_fields),
    "actor": list(Actor.model_fields),
    "model": list(ModelSettings.model_fields),
    "eum": list(EUMSettings.model_fields),
    "outcome": list(Outcome.model_fields),
    "outcome_deal": list(OutcomeDeal.model_fields),
    "outcome_issue": list(OutcomeIssue.model_fields),
    "scenario_reference": list(ScenarioReference.model_fields),
    **{f"quantity:{tag}": list(cls.model_fields) for tag, cls in CLASSES.items()},
}
_ID_RULE = "lower-case letters, digits and '_', starting with a letter"
_NOUN = {"issues": "issue", "actors": "actor", "values": "value"}


def _child(kind: str, key: Any) -> str:
    if kind in _ITEM:
        return _ITEM[kind]
    return _CHILD.get(kind, {}).get(key, "other") if isinstance(key, str) else "other"


def key_text(key: Any) -> str:
    """A mapping key as shown in a path (numbers without a trailing ``.0``)."""
    if isinstance(key, str):
        return key
    if isinstance(key, int | float) and not isinstance(key, bool):
        return fmt(key)
    return str(key)


@dataclass
class Place:
    """Where a ``loc`` points: the path to show, its line, the kind of field, whether the
    value exists, and the value (when it does)."""

    path: Loc
    line: int | None
    kind: str
    parent_kind: str
    exists: bool
    value: Any


def _find_key(mapping: dict[Any, Any], part: Any) -> tuple[bool, Any]:
    try:
        if part in mapping:
            return True, part
    except TypeError:
        pass
    for key in mapping:
        if key_text(key) == part or str(key) == str(part):
            return True, key
    return False, None


def locate(loc: tuple[Any, ...], data: Any, lines: LineMap | None) -> Place:
    """Walk ``loc`` through ``data`` (see the module docstring)."""
    cur, kind, parent_kind = data, "scenario", ""
    shown: list[str | int] = []
    real: list[Any] = []
    exists, at_key = True, False
    for part in loc:
        if part == "[key]":
            at_key = True
            continue
        if kind == "slot" and isinstance(part, str) and part in CLASSES:
            kind = f"quantity:{part}"
            continue
        if kind == "reference" and part in ("ref", "text"):
            kind = "scenario_reference" if part == "ref" else "other"
            continue
        if not exists:
            shown.append(key_text(part))
            parent_kind, kind = kind, _child(kind, part)
            continue
        if isinstance(cur, dict) and part not in cur and cur.get("type") == part:
            continue  # the union tag of a question's method (scenario/questions.py)
        if isinstance(cur, dict):
            found, key = _find_key(cur, part)
            parent_kind = kind
            if found:
                real.append(key)
                shown.append(key_text(key))
                cur, kind = cur[key], _child(kind, key)
            else:
                shown.append(key_text(part))
                exists, kind = False, _child(kind, part)
        elif isinstance(cur, list) and isinstance(part, int):
            parent_kind = kind
            shown.append(part)
            if 0 <= part < len(cur):
                real.append(part)
                cur, kind = cur[part], _child(kind, part)
            else:
                exists, kind = False, _child(kind, part)
        else:
            break
    return Place(
        tuple(shown),
        _line(tuple(real), cur if exists else None, exists, at_key, lines),
        kind,
        parent_kind,
        exists,
        cur if exists else None,
    )


def _line(real: Loc, value: Any, exists: bool, at_key: bool, lines: LineMap | None) -> int | None:
    if lines is None:
        return None
    if exists and not at_key and value is not None and not isinstance(value, dict | list):
        line = lines.value.get(real)
        if line is not None:
            return line
    for n in range(len(real), -1, -1):
        prefix = real[:n]
        line = lines.key.get(prefix) or lines.value.get(prefix)
        if line is not None:
            return line
    return 1


def _noun(place: Place) -> str:
    last = place.path[-1] if place.path else ""
    return _NOUN.get(str(last), "item")


def message(err: ErrorDetails, place: Place) -> str:
    """A short message for one pydantic error at ``place``: the cases that need the
    scenario's structure here, the rest from
    :func:`summitry.pydantic_messages.pydantic_message`."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    last = place.path[-1] if place.path else ""
    if "[key]" in err["loc"]:
        return f"this key must be {'a number' if place.parent_kind == 'anchors' else 'text'}"
    if kind == "missing":
        if place.parent_kind == "quantity:fixed" and last == "value":
            return (
                "missing 'value' (a fixed number needs 'value'; a distribution needs "
                f"'dist': one of {', '.join(DISTRIBUTIONS)})"
            )
        return f"missing required field '{last}'"
    if kind == "extra_forbidden":
        fields = _FIELDS.get(place.parent_kind, [])
        hint = suggest(str(last), fields)
        if not hint and place.parent_kind == "quantity:fixed":
            for tag, cls in CLASSES.items():
                if tag != "fixed" and last in cls.model_fields:
                    hint = f" (for a distribution add 'dist: {tag}')"
                    break
        return f"unknown field '{last}'{hint}"
    if kind == "string_pattern_mismatch":
        if place.parent_kind == "scenario" and last == "name":
            return f"'{value}' is not a valid name (lower-case letters, digits and '-')"
        return f"'{value}' is not a valid id ({_ID_RULE})"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} {_noun(place)}{'' if n == 1 else 's'}"
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        if "agreement_by" in str(ctx.get("expected_tags", "")):  # a question's method
            types = "agreement_by, event_by, issue_at"
            if not tag:
                return f"give the method's type: one of {types}"
            return f"unknown method type '{tag}' (choose one of: {types})"
        hint = suggest(tag, DISTRIBUTIONS)
        return f"unknown distribution '{tag}'{hint} (choose one of: {', '.join(DISTRIBUTIONS)})"
    if kind == "union_tag_not_found":
        if isinstance(value, dict):
            names = ", ".join(DISTRIBUTIONS)
            return f"'dist' must name a distribution ({names}), got {describe(value.get('dist'))}"
        example = "{value: 4, source: ...}"
        return f"expected a number or a mapping such as {example}, got {describe(value)}"
    return pydantic_message(err)
