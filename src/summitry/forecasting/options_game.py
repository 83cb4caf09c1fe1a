"""The options game on a forecast: bargaining results + the scenario's options section.

Per sample b (docs/models/options.md, "From a forecast to the game"): the
talks' expected utilities are E_X = p u_X^eff(z*_b) + (1 - p) d_X where the sample has a zone
of agreement (z*_b its Nash deal) and E_X = d_X where it has none. p is the P(deal) of A's
private-information offer (the chance that talks survive A's uncertainty about B's
reservation) against A's belief about d_B, the d_B of the pilot: rows 0 .. PILOT - 1 of the
seed's draws, whatever rows the run itself covers (a point run, on central values, uses its
own d_B). p is therefore one number per scenario and seed, and a sample's game depends only
on the seed and the sample, never on the other samples of its run or chunk. The same p (0
without a zone) and the sample's Rubinstein power alpha_A feed the first-order value of talks
under pressure. Enforcement is e = enforcement x (1 - veto). Every other input is the options
section's quantity of the same name.
"""

from __future__ import annotations

import numpy as np

from summitry.engines.bargaining import NashSolution, PrivateInformation
from summitry.engines.bargaining.utility import reservations
from summitry.engines.options_game import OptionsResult, solve
from summitry.engines.options_game.payoffs import OptionsParameters, enforcement
from summitry.forecasting import bargaining as fb
from summitry.sampling import Draws, central, draw
from summitry.scenario import Scenario
from summitry.scenario.schema import OPTION_FIELDS

DIRECT = tuple(f for f in OPTION_FIELDS if f not in ("enforcement", "veto"))

PILOT = 10_000
"""Rows of the seed's draws whose d_B make up A's belief about B's reservation (the pilot)."""


def pilot_offer(scenario: Scenario, seed: int) -> PrivateInformation:
    """A's private-information offer against the d_B = u_B(z0) + o_B of rows 0 .. PILOT - 1
    of the seed's draws (docs/models/options.md): the same for every run and chunk of the
    scenario and seed."""
    pilot = draw(scenario, PILOT, seed)
    _, d_b, _ = reservations(fb.build_problem(scenario, pilot))
    return fb.private_offer(scenario, central(scenario), d_b)


_PILOT_P: dict[tuple[str, int], float] = {}
"""The pilot's P(deal) by (scenario JSON, seed): every chunk of a sweep on a worker reuses it."""


def game_p_deal(scenario: Scenario, seed: int, deal: NashSolution, *, point: bool) -> float:
    """The p of the options game: the pilot's P(deal) (:func:`pilot_offer`), or in a point
    run (one sample on central values) the P(deal) of the offer against that sample's d_B."""
    if point:
        return fb.private_offer(scenario, central(scenario), deal.d_b).p_deal
    key = (scenario.model_dump_json(), seed)
    p = _PILOT_P.get(key)
    if p is None:
        p = pilot_offer(scenario, seed).p_deal
        if len(_PILOT_P) >= 32:
            _PILOT_P.clear()
        _PILOT_P[key] = p
    return p


def build_parameters(
    scenario: Scenario, draws: Draws, deal: NashSolution, p_deal: float
) -> OptionsParameters:
    """The options game's inputs for every sample (see the module docstring)."""
    if scenario.options is None:
        raise ValueError(f"scenario '{scenario.name}' has no options section")
    x = draws.extra
    zopa = deal.zopa_exists
    with np.errstate(invalid="ignore"):
        e_a = np.where(zopa, p_deal * deal.u_a_eff + (1 - p_deal) * deal.d_a, deal.d_a)
        e_b = np.where(zopa, p_deal * deal.u_b_eff + (1 - p_deal) * deal.d_b, deal.d_b)
    return OptionsParameters.build(
        e_a_deal=e_a,
        e_b_deal=e_b,
        d_a=deal.d_a,
        d_b=deal.d_b,
        p_deal=np.where(zopa, p_deal, 0.0),
        alpha_a=deal.alpha_a,
        enforcement=enforcement(x["options.enforcement"], x["options.veto"]),
        **{name: x[f"options.{name}"] for name in DIRECT},
    )


def run_options(
    scenario: Scenario, draws: Draws, deal: NashSolution, p_deal: float
) -> OptionsResult:
    """Subgame-perfect path and logit QRE of the options game for every sample, with the
    game's p given (:func:`game_p_deal`)."""
    return solve(build_parameters(scenario, draws, deal, p_deal))
