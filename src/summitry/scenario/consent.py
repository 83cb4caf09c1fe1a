"""Issue-specific consent: actors whose agreement a deal needs on one issue.

docs/scenario-format.md ("Issues", ``consent``) and docs/models/bargaining.md
("Issue-specific consent"). Consenter c on issue i accepts a deal value x_i iff

    |x_i - p_c| <= |q_i - p_c| + tol_c,

with p_c its ideal point (bargaining ideal if set, else its position), q_i the issue's no-deal
point and tol_c >= 0 its tolerance in scale points. This module holds the schema of one entry,
its quantities (dotted paths ``issues.<issue>.consent.<actor>.tolerance``) and its checks; it
imports only :mod:`summitry.scenario.quantities`, so the schema can import it without a cycle.
"""

from __future__ import annotations

import difflib
import math
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

from summitry.scenario.quantities import (
    AnyQuantity,
    Fixed,
    Loc,
    Quantity,
    Range,
    Text,
    range_problems,
)

TOLERANCE: Range = (0.0, math.inf)
"""Legal range of a consenter's tolerance (scale points)."""

_ID = r"^[a-z][a-z0-9_]*$"


def _zero() -> AnyQuantity:
    return Fixed(value=0.0)


class Consent(BaseModel):
    """One consenter (a veto player or ratifier) on one issue: ``actor`` accepts a deal
    value no farther from its ideal than the no-deal point is, plus ``tolerance``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    actor: Annotated[str, Strict(), StringConstraints(pattern=_ID)]
    tolerance: Quantity = Field(default_factory=_zero)
    source: Text | None = None
    note: Text | None = None


def tolerance_path(issue: str, actor: str) -> str:
    """The dotted path of a consenter's tolerance."""
    return f"issues.{issue}.consent.{actor}.tolerance"


def is_tolerance_path(path: str) -> bool:
    """Whether ``path`` is a consenter's tolerance (``issues.<issue>.consent.<actor>.
    tolerance``): these draw from a stream of their own (summitry.sampling)."""
    parts = path.split(".")
    return len(parts) == 5 and parts[0] == "issues" and parts[2] == "consent"


def consent_quantities(issues: list[Any]) -> list[tuple[str, AnyQuantity, Range]]:
    """Every tolerance as (dotted path, quantity, legal range): issues in file order, each
    issue's consenters in file order (a duplicate entry, an error, is left out)."""
    out: list[tuple[str, AnyQuantity, Range]] = []
    for issue in issues:
        seen: set[str] = set()
        for entry in issue.consent or []:
            if entry.actor not in seen:
                seen.add(entry.actor)
                out.append((tolerance_path(issue.id, entry.actor), entry.tolerance, TOLERANCE))
    return out


def consent_problems(issues: list[Any], actor_ids: list[str]) -> list[tuple[Loc, str]]:
    """Unknown actor ids, an actor named twice on one issue, a tolerance that can be
    negative; each as ``(location, message)`` in document order."""
    out: list[tuple[Loc, str]] = []
    for i, issue in enumerate(issues):
        first: dict[str, int] = {}
        for k, entry in enumerate(issue.consent or []):
            base: Loc = ("issues", i, "consent", k)
            if entry.actor not in actor_ids:
                close = difflib.get_close_matches(entry.actor, actor_ids, n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                out.append(((*base, "actor"), f"unknown actor '{entry.actor}'{hint}"))
            if entry.actor in first:
                msg = (
                    f"'{entry.actor}' already gives consent on this issue "
                    f"(consent[{first[entry.actor]}])"
                )
                out.append(((*base, "actor"), msg))
            else:
                first[entry.actor] = k
            for sub, msg in range_problems(entry.tolerance, TOLERANCE, " (scale points)"):
                out.append(((*base, "tolerance", *sub), msg))
    return out


def consent_unsourced(issues: list[Any]) -> list[tuple[Loc, str]]:
    """Bundled-file rule: every consent entry has a source or a note, and so does a
    tolerance other than the default fixed 0."""
    out: list[tuple[Loc, str]] = []
    for i, issue in enumerate(issues):
        for k, entry in enumerate(issue.consent or []):
            base: Loc = ("issues", i, "consent", k)
            if entry.source is None and entry.note is None:
                out.append((base, "bundled scenarios need a source or a note for every consenter"))
            tol = entry.tolerance
            default = isinstance(tol, Fixed) and tol.value == 0
            if not default and tol.source is None and tol.note is None:
                msg = "bundled scenarios need a source or a note for every number"
                out.append(((*base, "tolerance"), msg))
    return out
