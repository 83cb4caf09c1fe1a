"""Options of the expected-utility model (docs/models/eum.md) and its named presets.

Each ambiguity of the published specification is a named option; the defaults
follow docs/models/eum.md, "Options" (Bueno de Mesquita 1994; Scholz, Calbert & Smith 2011).
The preset ``scholz-code`` collects the choices of Scholz's own program, the only
combination known to reproduce BDM 1994's published EC run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from annotated_types import Gt, Interval

from summitry.engines.overridable import Overridable

Votes = Literal["linear", "risk"]
"""``linear``: v_k = c_k s_k (|x_k-x_j| - |x_k-x_i|)/Delta; ``risk``: the same with each
distance raised to the voter's risk exponent r_k (Scholz's code)."""

Probability = Literal["pairwise", "all-pairs"]
"""``pairwise``: eq. 30, the denominator sums |v_k(i,j)| over voters for this pair;
``all-pairs``: the denominator sums |v_k(a,b)| over every voter and ordered pair."""

MedianRule = Literal["weighted", "king-of-hill"]
"""``weighted``: the weighted median (weights c_k s_k), the Condorcet winner;
``king-of-hill``: positions in order of first appearance, a challenger replaces the
incumbent when its pairwise vote with r = 1 is positive (Scholz's code)."""

Mu = Literal["median", "mean"]
"""The reference point mu in U_b and U_w: the current median or the weighted mean."""

Ranking = Literal["eu", "type"]
"""How a receiver chooses among several proposals: ``eu``, the one that moves it least
(ties: the sender's larger EU_ij); ``type``, first the best kind present (conflict >
compromise > capitulation), then as ``eu`` within that kind."""

Conflict = Literal["deterministic", "stochastic"]
"""``deterministic``: the side with the larger EU wins; ``stochastic``: i wins with P_ij."""

Compromise = Literal["partial", "weighted"]
"""``partial``: x_j' = x_j + (x_i - x_j)|EU_ji|/EU_ij; ``weighted``: the EU-weighted
average (|EU_ij| x_i + |EU_ji| x_j)/(|EU_ij| + |EU_ji|)."""

Proposer = Literal["target", "sender"]
"""Whose perception of EU_ij decides whether i makes a proposal to j (docs/models/eum.md,
"Whose view decides a proposal"): ``target``, j's (j's risk exponent r_j, the
mirror-imaging of step 3, as in the reproductions); ``sender``, i's own (r_i). The target
classifies the proposal either way."""

Resolution = Literal["bdm", "scholz-code"]
"""``bdm``: the target classifies each proposal by (EU_ij, EU_ji) and accepts the one that
moves it least; ``scholz-code``: the receiver-side rules of Scholz's program (lost
conflict first, else the best compromise, else the nearest capitulation)."""


@dataclass(frozen=True)
class EUMOptions(Overridable):
    """Every modelling choice of the expected-utility engine.

    The defaults are the model of docs/models/eum.md, "Options". The ``Annotated`` bounds
    are the legal values a scenario may set (``model.eum``, docs/scenario-format.md): the
    scenario schema derives its fields from these (summitry.scenario.engine_options)."""

    votes: Votes = "linear"
    probability: Probability = "pairwise"
    median_rule: MedianRule = "weighted"
    mu: Mu = "median"
    ranking: Ranking = "eu"
    conflict: Conflict = "deterministic"
    compromise: Compromise = "partial"
    resolution: Resolution = "bdm"
    proposer: Proposer = "target"
    q: Annotated[float, Interval(ge=0, le=1)] = 1.0
    """Status-quo term q of eq. 25a."""
    t: Annotated[float, Interval(ge=0, le=1)] = 1.0
    """Status-quo term t of eq. 25a (matters only when q < 1)."""
    rounds: Annotated[int, Interval(ge=1, le=1000)] = 10
    """Most rounds a run takes."""
    tol: Annotated[float, Gt(0)] = 1e-6
    """No-movement threshold, as a fraction of Delta (the stop rules)."""

    KIND: ClassVar[str] = "expected-utility"


PRESETS: dict[str, EUMOptions] = {
    "default": EUMOptions(),
    "scholz-code": EUMOptions(
        votes="risk",
        probability="all-pairs",
        median_rule="king-of-hill",
        resolution="scholz-code",
        q=1.0,
        t=1.0,
    ),
}


def resolve_options(variant: str = "default", **overrides: Any) -> EUMOptions:
    """The preset called ``variant`` with ``overrides`` applied."""
    try:
        base = PRESETS[variant]
    except KeyError:
        raise ValueError(
            f"unknown variant {variant!r}; choose one of {', '.join(sorted(PRESETS))}"
        ) from None
    return base.with_overrides(**overrides)
