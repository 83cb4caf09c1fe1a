"""Scenario fields derived from an engine's option dataclass, so each option is declared once.

An engine declares its options as a frozen dataclass (``EUMOptions``, ``SMPOptions``):
each field's type (a ``Literal`` of choices, ``int`` or ``float``), its default and its
legal range as ``annotated_types`` bounds in ``Annotated``. :func:`option_fields` turns
those into pydantic field definitions for the scenario's ``model.<engine>`` section
(docs/scenario-format.md, "model"): an ``int`` must be an integer (``Strict``), a ``float``
a finite number (:data:`~summitry.scenario.quantities.Num`), and the bounds carry over.
Adding an option to the dataclass adds it to the scenario format (docs/adding-an-engine.md).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from pydantic import Strict

from summitry.scenario.quantities import Num

__all__ = ["option_fields"]


def _scenario_type(hint: Any) -> Any:
    """The scenario field type of one option type hint (bounds kept, scalars made strict)."""
    if get_origin(hint) is Annotated:
        base, *meta = get_args(hint)
    else:
        base, meta = hint, []
    if base is float:
        base = Num
    elif base is int:
        base = Annotated[int, Strict()]
    return Annotated[(base, *meta)] if meta else base


def option_fields(options: type, *, overrides: bool = False) -> dict[str, Any]:
    """``{name: (type, default)}`` for each field of the option dataclass ``options``, in its
    order, for :func:`pydantic.create_model`.

    With ``overrides``, every field is optional with default ``None`` ("keep the preset's
    value"); otherwise the default is the dataclass's.
    """
    hints = get_type_hints(options, include_extras=True)
    out: dict[str, Any] = {}
    for field in dataclasses.fields(options):
        kind = _scenario_type(hints[field.name])
        out[field.name] = (kind | None, None) if overrides else (kind, field.default)
    return out
