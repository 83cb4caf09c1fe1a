"""The compromise model on a scenario's draws (docs/models/compromise.md).

Per sample b and issue d: x*_bd = sum_i c_ibd s_ibd x_ibd / sum_i c_ibd s_ibd over the
scenario's actors, with the sampled position x, salience s and issue capability c
(:func:`summitry.sampling.issue_capability`, as the expected-utility model uses); no
reference point (``CompromiseOptions(reference="none")``). Where no actor has weight
(every c s = 0) the compromise is undefined and NaN. Output:
``compromise.settlement.<issue>``. It is opt-in: ``--engine compromise`` or ``all``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.engines.compromise import compromise
from summitry.forecasting.adapter import Settings, Unavailable, concat_rows, per_issue
from summitry.sampling import Draws, issue_capability
from summitry.scenario import Scenario

Array = NDArray[np.float64]


@dataclass(frozen=True)
class CompromiseRun:
    """``settlement``: (B, D) the compromise of every sample and issue, on the issue's scale."""

    settlement: Array


def run_compromise(scenario: Scenario, draws: Draws) -> CompromiseRun:
    """The compromise of every row of ``draws`` (see the module docstring)."""
    order = (0, 2, 1)  # (B, n, D) -> (B, D, n): actors on the last axis
    x = np.transpose(draws.position, order)
    s = np.transpose(draws.salience, order)
    c = np.transpose(issue_capability(scenario, draws), order)
    return CompromiseRun(settlement=np.ascontiguousarray(compromise(x, s, c)))


class CompromiseAdapter:
    """The compromise model: any scenario can run it; not in the default engine set."""

    name = "compromise"
    scored: str | None = "compromise.settlement.{}"

    def unavailable(self, scenario: Scenario) -> Unavailable | None:
        return None

    def run(self, scenario: Scenario, draws: Draws, settings: Settings) -> CompromiseRun:
        return run_compromise(scenario, draws)

    def outputs(self, scenario: Scenario, draws: Draws, result: CompromiseRun) -> dict[str, Array]:
        return {
            f"compromise.settlement.{issue}": result.settlement[:, k]
            for k, issue in enumerate(scenario.issue_ids)
        }

    def output_names(self, scenario: Scenario) -> tuple[str, ...]:
        return tuple(f"compromise.settlement.{issue}" for issue in scenario.issue_ids)

    def summary(self, scenario: Scenario, result: CompromiseRun) -> dict[str, Any] | None:
        return {"settlement": per_issue(scenario, result.settlement)}

    def concat(self, parts: Sequence[CompromiseRun]) -> CompromiseRun:
        return concat_rows(parts)


ADAPTER = CompromiseAdapter()
