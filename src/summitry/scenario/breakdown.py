"""The breakdown point of an issue: where it lands if the talks fail.

``issues[].breakdown`` (optional, a quantity on the issue's scale; docs/scenario-format.md,
"Issues", and docs/integrated.md, "The no-deal point"). Failed talks can destroy the status
quo (a freeze that ends when a summit collapses, sanctions tightened after a walk-out), so
the integrated forecast's no-deal point b_s is the breakdown draw where the scenario gives
one and the status quo otherwise. The bargaining engines keep the status quo as their
disagreement point. The quantities come last in :meth:`Scenario.quantities`, so setting a
breakdown point never shifts the draws of any other input.
"""

from __future__ import annotations

from typing import Any

from summitry.scenario.quantities import AnyQuantity, Range


def breakdown_path(issue: str) -> str:
    """The dotted path of an issue's breakdown point."""
    return f"issues.{issue}.breakdown"


def breakdown_quantities(issues: list[Any]) -> list[tuple[str, AnyQuantity, Range]]:
    """Every breakdown point as (dotted path, quantity, legal range = the issue's scale),
    issues in file order."""
    return [
        (breakdown_path(i.id), i.breakdown, i.scale)
        for i in issues
        if getattr(i, "breakdown", None) is not None
    ]
