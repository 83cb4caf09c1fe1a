"""The options game on a forecast: bargaining results + the scenario's options section.

Per sample b (MODELS.md s.4; docs/models/options.md): the talks' expected utilities are
E_X = p u_X^eff(z*_b) + (1 - p) d_X where the sample has a zone of agreement (z*_b its Nash
deal) and E_X = d_X where it has none, with p the run's P(deal) under private information
(the chance that talks survive A's uncertainty about B's reservation); the same p (0 without
a zone) and the sample's Rubinstein power alpha_A feed the first-order value of talks under
pressure. Enforcement is e = enforcement x (1 - veto). Every other input is the options
section's quantity of the same name.
"""

from __future__ import annotations

import numpy as np

from summitry.engines.bargaining import NashSolution
from summitry.engines.options import OptionsResult, solve
from summitry.engines.options_payoffs import OptionsParameters, enforcement
from summitry.sampling import Draws
from summitry.scenario import Scenario
from summitry.scenario.schema import OPTION_FIELDS

DIRECT = tuple(f for f in OPTION_FIELDS if f not in ("enforcement", "veto"))


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
    """Subgame-perfect path and logit QRE of the options game for every sample."""
    return solve(build_parameters(scenario, draws, deal, p_deal))
