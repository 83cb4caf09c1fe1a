"""``with_overrides`` for an engine's frozen option dataclass (``EUMOptions``, ``SMPOptions``).

A dataclass that inherits :class:`Overridable` and names its engine in ``KIND`` gets
``options.with_overrides(name=value, ...)``: a copy with those fields replaced, any
``__post_init__`` check run again; a name that is not a field raises
``ValueError("unknown <KIND> option(s): a, b")``. Standard library only: the command line
reads option modules at start-up (benchmarks/README.md, "Start-up").
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, ClassVar, Self

__all__ = ["Overridable"]


class Overridable:
    """Mix-in for a frozen option dataclass; ``KIND`` names the engine in error messages."""

    KIND: ClassVar[str]

    def with_overrides(self, **overrides: Any) -> Self:
        """Return a copy with the given fields replaced (unknown names raise ValueError)."""
        known = {f.name for f in fields(self)}  # type: ignore[arg-type]
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown {self.KIND} option(s): {', '.join(unknown)}")
        return replace(self, **overrides)  # type: ignore[type-var]
