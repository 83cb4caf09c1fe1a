"""One translation of pydantic validation errors into short messages, shared by the
scenario loader (docs/scenario-format.md, "Errors") and the dashboard API (docs/web.md,
"Errors"). The caller names the field; the message says what is wrong with its value,
shown as :func:`summitry.scenario.yamlio.describe` shows values (``text 'abc'``, ``1.5``,
``a list``). Wording: ``missing required field 'x'``, ``unknown field 'x'``, ``expected a
number, got text 'abc'``, ``-1 is below 0``, ``'x' is not one of: a, b``.
"""

from __future__ import annotations

from pydantic_core import ErrorDetails

_RELATION = {
    "greater_than": "is not above",
    "greater_than_equal": "is below",
    "less_than": "is not below",
    "less_than_equal": "is above",
}


def pydantic_message(err: ErrorDetails) -> str:
    """A short message for one pydantic error (the field itself is named by the caller)."""
    # imported here: the scenario loader imports this module while its package initialises
    from summitry.scenario.quantities import fmt
    from summitry.scenario.yamlio import describe

    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    last = err["loc"][-1] if err["loc"] else ""
    if kind == "missing":
        return f"missing required field '{last}'"
    if kind == "extra_forbidden":
        return f"unknown field '{last}'"
    if kind == "json_invalid":
        return "the request body is not valid JSON"
    if kind == "finite_number":
        return f"{describe(value)} is not a finite number"
    if kind.startswith("float") and isinstance(value, int) and not isinstance(value, bool):
        return f"the number {describe(value)} is too large"
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing"):
        whole = kind.startswith("int")
        return f"expected a {'whole ' if whole else ''}number, got {describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {describe(value)}"
    if kind == "int_from_float":
        return f"expected a whole number, got {describe(value)}"
    if kind == "string_type":
        hint = " (put it in quotes)" if isinstance(value, int | float | bool) else ""
        return f"expected text, got {describe(value)}{hint}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in _RELATION:
        bound = float(ctx.get("gt", ctx.get("ge", ctx.get("lt", ctx.get("le", 0)))))
        return f"{describe(value)} {_RELATION[kind]} {fmt(bound)}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {describe(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return f"expected a mapping, got {describe(value)}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        shown = f"'{value}'" if isinstance(value, str) else describe(value)
        return f"{shown} is not one of: {expected}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return f"expected a date like 2025-09-21, got {describe(value)}"
    if kind in ("string_too_long", "too_long"):
        return str(err["msg"]).lower()
    return str(err["msg"])


__all__ = ["pydantic_message"]
