"""One conversion of results to plain JSON data, used by every ``--json`` output, the
backtest record and the dashboard API (docs/cli.md, "JSON output").

The rule: mappings become dicts with text keys; lists, tuples and numpy arrays become
lists; numpy scalars become Python ``bool``/``int``/``float``; a float that is NaN or
infinite becomes ``None`` (JSON ``null``: JSON has no such numbers, and "no value" is
what a NaN result means here); dates and datetimes become ISO 8601 text. Anything else
is passed through unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any


def json_ready(value: Any) -> Any:
    """``value`` as plain JSON data under the rule above (a new object; input untouched)."""
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return json_ready(value.tolist())  # arrays and scalars; numpy is never imported here
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    return value


def json_text(value: Any) -> str:
    """JSON text of :func:`json_ready` ``(value)``; never writes NaN or Infinity."""
    return json.dumps(json_ready(value), allow_nan=False)


__all__ = ["json_ready", "json_text"]
