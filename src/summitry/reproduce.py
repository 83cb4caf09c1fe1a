"""The ``summitry`` command line that reproduces a result: one builder for the report's
"Reproduce" line and the dashboard's command (docs/report.md, docs/web.md).

Form: ``summitry VERB TARGET --seed S --samples N [--set PATH=VALUE ...] [FLAG ...]``,
each word shell-quoted. A ``--set`` value is written as the command line reads it back
(YAML): text as is, integers in full, other numbers as a person writes them (``100`` not
``100.0``, ``.inf``, ``.nan``), true/false/null and lists/mappings in JSON flow style.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from summitry.scenario.quantities import fmt


def set_value(value: Any) -> str:
    """A ``--set`` value as the command line takes it (see the module docstring)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return fmt(value)
    return json.dumps(value, default=str)


def reproduce_command(
    verb: str,
    target: str,
    seed: int,
    samples: int,
    changes: Mapping[str, Any] | None = None,
    flags: Iterable[str] = (),
) -> str:
    """``summitry VERB TARGET --seed S --samples N``, each change as ``--set``, then
    ``flags``."""
    args = ["summitry", verb, target, "--seed", str(seed), "--samples", str(samples)]
    for path, value in (changes or {}).items():
        args += ["--set", f"{path}={set_value(value)}"]
    return shlex.join([*args, *flags])


__all__ = ["reproduce_command", "set_value"]
