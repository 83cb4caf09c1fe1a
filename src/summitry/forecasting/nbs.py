"""The Nash bargaining solution over all actors on a scenario's draws (docs/models/nbs.md).

Per sample b and issue d: x*_bd = argmax_x sum_i w_i log(u_i(x) - u_i(rp_bd)),
u_i(x) = -s_ibd |x - x_ibd|^2, w_i = c_ibd, over the points every actor weakly prefers to
the issue's status quo rp_bd (the disagreement point), with the sampled position x,
salience s, issue capability c (:func:`summitry.sampling.issue_capability`) and status quo;
the engine's default options (:class:`summitry.engines.nbs.NBSOptions`). Every issue needs
a status quo. Output: ``nbs.settlement.<issue>``. Opt-in: ``--engine nbs`` or ``all``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.engines.nbs import nbs
from summitry.forecasting.adapter import Settings, Unavailable, concat_rows, per_issue
from summitry.sampling import Draws, issue_capability
from summitry.scenario import Scenario

Array = NDArray[np.float64]


def no_status_quo(scenario: Scenario, what: str) -> Unavailable | None:
    """Unavailable when an issue states no status quo (the reference point ``what`` needs)."""
    missing = [issue.id for issue in scenario.issues if issue.status_quo is None]
    if not missing:
        return None
    which = f"issue '{missing[0]}'" + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
    return Unavailable(
        f"{which} has no status quo",
        f"{what} needs every issue's status_quo; scenario '{scenario.name}': {which} has none",
    )


def actors_by_issue(scenario: Scenario, draws: Draws) -> tuple[Array, Array, Array]:
    """Positions, saliences and issue capabilities as (B, D, n): actors on the last axis."""
    order = (0, 2, 1)
    x = np.transpose(draws.position, order)
    s = np.transpose(draws.salience, order)
    c = np.transpose(issue_capability(scenario, draws), order)
    return x, s, c


@dataclass(frozen=True)
class NBSRun:
    """``settlement``: (B, D) the NBS of every sample and issue, on the issue's scale."""

    settlement: Array


def run_nbs(scenario: Scenario, draws: Draws) -> NBSRun:
    """The NBS of every row of ``draws`` (see the module docstring)."""
    x, s, c = actors_by_issue(scenario, draws)
    return NBSRun(settlement=np.ascontiguousarray(nbs(x, s, c, draws.status_quo)))


class NBSAdapter:
    """The Nash bargaining solution: needs a status quo on every issue; opt-in."""

    name = "nbs"
    scored: str | None = "nbs.settlement.{}"

    def unavailable(self, scenario: Scenario) -> Unavailable | None:
        return no_status_quo(scenario, "the Nash bargaining solution")

    def run(self, scenario: Scenario, draws: Draws, settings: Settings) -> NBSRun:
        return run_nbs(scenario, draws)

    def outputs(self, scenario: Scenario, draws: Draws, result: NBSRun) -> dict[str, Array]:
        return {
            f"nbs.settlement.{issue}": result.settlement[:, k]
            for k, issue in enumerate(scenario.issue_ids)
        }

    def output_names(self, scenario: Scenario) -> tuple[str, ...]:
        return tuple(f"nbs.settlement.{issue}" for issue in scenario.issue_ids)

    def summary(self, scenario: Scenario, result: NBSRun) -> dict[str, Any] | None:
        return {"settlement": per_issue(scenario, result.settlement)}

    def concat(self, parts: Sequence[NBSRun]) -> NBSRun:
        return concat_rows(parts)


ADAPTER = NBSAdapter()
