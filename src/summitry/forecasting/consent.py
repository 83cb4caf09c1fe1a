"""Issue-specific consent on a scenario's draws: the box of deal values every consenter accepts.

docs/models/bargaining.md, "Issue-specific consent". Consenter c on issue i accepts a deal
value x iff |x - p_c| <= |q_i - p_c| + tol_c, with p_c its bargaining ideal
(``bargaining.ideals``) where the scenario gives one, else its position, q_i the issue's
status quo and tol_c its tolerance, all per draw. The feasible values are the intersection
over the issue's consenters of [p_c - r_c, p_c + r_c], r_c = |q_i - p_c| + tol_c, and of the
scale; it always contains q_i. The engines that produce deal terms (the bargaining model, and
through it the options game; the procedural model) read this box; the engines that forecast
positions (EUM, SMP, compromise, NBS) do not.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from summitry.sampling import Draws
from summitry.scenario import Scenario
from summitry.scenario.consent import tolerance_path

Array = NDArray[np.float64]


def has_consent(scenario: Scenario) -> bool:
    """Whether any issue of ``scenario`` names a consenter."""
    return any(issue.consent for issue in scenario.issues)


def without_consent(scenario: Scenario) -> Scenario:
    """``scenario`` with every ``consent`` list removed (the tolerances are the last
    quantities sampled, so every other draw stays as it was: runs stay sample-paired)."""
    issues = [issue.model_copy(update={"consent": None}) for issue in scenario.issues]
    out = scenario.model_copy(update={"issues": issues})
    out._source_file = scenario.source_file
    return out


def ideal_points(scenario: Scenario, draws: Draws, actor: str) -> Array:
    """(B, D) the actor's ideal point on every issue, on the issues' scales: its bargaining
    ideal where ``bargaining.ideals`` gives one, else its position."""
    k = scenario.actor_ids.index(actor)
    out = draws.position[:, k, :].copy()
    for d, issue in enumerate(scenario.issue_ids):
        key = f"bargaining.ideals.{actor}.{issue}"
        if key in draws.extra:
            out[:, d] = draws.extra[key]
    return out


def consent_box(scenario: Scenario, draws: Draws) -> tuple[Array, Array] | None:
    """(lo, hi), each (B, D) on the issues' scales: the deal values every consenter of each
    issue accepts (the whole scale on an issue without consenters or without a status quo);
    ``None`` when no issue has a consenter, so that callers leave their engine untouched.

    lo <= q <= hi holds exactly, whatever the rounding of the radii."""
    if not has_consent(scenario):
        return None
    size = draws.samples
    lo = np.repeat(np.array([[i.scale[0] for i in scenario.issues]]), size, axis=0)
    hi = np.repeat(np.array([[i.scale[1] for i in scenario.issues]]), size, axis=0)
    for d, issue in enumerate(scenario.issues):
        q = draws.status_quo[:, d]
        if not issue.consent or np.isnan(q).any():
            continue
        for entry in issue.consent:
            p = ideal_points(scenario, draws, entry.actor)[:, d]
            radius = np.abs(q - p) + draws.extra[tolerance_path(issue.id, entry.actor)]
            lo[:, d] = np.maximum(lo[:, d], p - radius)
            hi[:, d] = np.minimum(hi[:, d], p + radius)
        lo[:, d] = np.minimum(lo[:, d], q)
        hi[:, d] = np.maximum(hi[:, d], q)
    return lo, hi
