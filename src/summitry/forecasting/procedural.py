"""The procedural (veto) model on a scenario's draws (docs/models/procedural.md).

Per sample b and issue d: the compromise sum_i c_i s_i x_i / sum_i c_i s_i projected onto
the interval of points that every veto player weakly prefers to the issue's status quo
rp_bd (|x - x_i| <= |rp - x_i|; an actor with salience 0 accepts everything). The veto
players: with a ``bargaining`` section, its two principals and every ratifier it names
(unanimity among them); without one, every actor (unanimity). An issue's consenters
(``issues[].consent``) are veto players on that issue with their own rule: they narrow its
interval to the deal values they accept (:func:`summitry.forecasting.consent.consent_box`).
Inputs as the compromise model's (:mod:`summitry.forecasting.compromise`), the engine's
default options. Every issue needs a status quo. Output: ``procedural.settlement.<issue>``.
Opt-in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.engines.procedural import procedural, unanimity
from summitry.forecasting.adapter import Settings, Unavailable, concat_rows, per_issue
from summitry.forecasting.consent import consent_box
from summitry.forecasting.nbs import actors_by_issue, no_status_quo
from summitry.sampling import Draws
from summitry.scenario import Scenario

Array = NDArray[np.float64]


def veto_players(scenario: Scenario) -> list[str]:
    """The actors who must all accept, in scenario order (see the module docstring)."""
    b = scenario.bargaining
    if b is None:
        return list(scenario.actor_ids)
    named = {*b.principals.values(), *b.ratifiers}
    return [a for a in scenario.actor_ids if a in named]


@dataclass(frozen=True)
class ProceduralRun:
    """``settlement``: (B, D) the projected compromise of every sample and issue."""

    settlement: Array


def run_procedural(scenario: Scenario, draws: Draws) -> ProceduralRun:
    """The procedural model on every row of ``draws`` (see the module docstring)."""
    x, s, c = actors_by_issue(scenario, draws)
    players = set(veto_players(scenario))
    group = unanimity(np.array([a in players for a in scenario.actor_ids]), "veto players")
    box = consent_box(scenario, draws)
    out = procedural(x, s, c, draws.status_quo, [group], bounds=box)
    return ProceduralRun(settlement=np.ascontiguousarray(out))


class ProceduralAdapter:
    """The procedural (veto) model: needs a status quo on every issue; opt-in."""

    name = "procedural"
    scored: str | None = "procedural.settlement.{}"

    def unavailable(self, scenario: Scenario) -> Unavailable | None:
        return no_status_quo(scenario, "the procedural model")

    def run(self, scenario: Scenario, draws: Draws, settings: Settings) -> ProceduralRun:
        return run_procedural(scenario, draws)

    def outputs(self, scenario: Scenario, draws: Draws, result: ProceduralRun) -> dict[str, Array]:
        return {
            f"procedural.settlement.{issue}": result.settlement[:, k]
            for k, issue in enumerate(scenario.issue_ids)
        }

    def output_names(self, scenario: Scenario) -> tuple[str, ...]:
        return tuple(f"procedural.settlement.{issue}" for issue in scenario.issue_ids)

    def summary(self, scenario: Scenario, result: ProceduralRun) -> dict[str, Any] | None:
        return {
            "veto_players": veto_players(scenario),
            "settlement": per_issue(scenario, result.settlement),
        }

    def concat(self, parts: Sequence[ProceduralRun]) -> ProceduralRun:
        return concat_rows(parts)


ADAPTER = ProceduralAdapter()
