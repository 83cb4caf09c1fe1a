"""Options and constants of the Spatial Model of Politics (SMP).

Every modelling choice of KTAB's SMP (github.com/lsyaseen/KTAB, examples/smp and kmodel;
MIT licence) is a Literal-typed field; the defaults are the ones KTAB's CSV reader always
uses (Linear, Conditional, Deterministic, Prop, OneThird, Mid, SemiCommit, S2P2,
InitOnlyInterp). docs/models/smp.md states the equations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from annotated_types import Interval

from summitry.engines.overridable import Overridable

__all__ = [
    "BARGAIN_MIN_WEIGHT",
    "BIG_R_NOTHING",
    "BINARY_VICTORY_FLOOR",
    "BINARY_VICTORY_THRESHOLD",
    "BINARY_VOTE_SCALE",
    "CHALLENGE_MIN_COALITION",
    "MARKOV_INCENTIVE_TOL",
    "MARKOV_MAX_ITER",
    "MARKOV_SELF_SUPPORT",
    "MARKOV_UNIFORM_TOL",
    "MIN_DELTA_RATIO",
    "MIN_SIG_DELTA",
    "MIN_SIG_EDU",
    "MIN_TURNS",
    "PCE_MIN_COALITION",
    "POS_TOL",
    "SMPOptions",
]

Voting = Literal["prop", "binary", "propbin", "propcbc", "cubic", "asymprosp"]
"""Vote of weight w on a utility difference D: prop w D; binary w clip(D/1e-8, -1, 1);
propbin w (0.8 D + 0.2 binary); propcbc w (D + D^3)/2; cubic w D^3; asymprosp w D for
losses, (2/3) w D for gains."""

Victory = Literal["linear", "square", "quartic", "octic", "binary"]
"""Victory probability x_a/(x_a + x_b), x = C^nu with nu = 1, 2, 4, 8; binary: a side with
at least 1.1 times the other's strength wins (x = 1 against 1e-6), linear in between."""

PCE = Literal["conditional", "markov-uniform", "markov-incentive"]
"""Probabilistic Condorcet election: product of pairwise victories, or a Markov chain of
challenges chosen uniformly or in proportion to the incentive C(a:b) V(a,b)."""

Risk = Literal["mid", "min", "max"]
"""Range of the risk attitude R inferred from the risk-neutral PCE: [-1/2, 1], [0, 1], [-1, 1]."""

Perception = Literal["one-third", "none", "half", "two-thirds", "full"]
"""How estimator h perceives i's risk attitude: (2 R_h + R_i)/3, R_h, (R_h + R_i)/2,
(R_h + 2 R_i)/3, R_i."""

ThirdParty = Literal["semi-commit", "no-commit", "full-commit"]
"""Third parties' expected utilities in the little three-actor contest; only semi-commit
gives a non-zero third-party vote."""

Bargain = Literal["s2p2", "s1p1", "s2pmax"]
"""Interpolated bargain per dimension: weights s^2 p^2, s p, or the S2PMax shift."""

Interp = Literal["init-only", "init-rcvr", "pw-comp"]
"""Bargains queued per challenge: the initiator's bargain; both principals' bargains; or
their capability-times-salience weighted compromise."""

Resolution = Literal["deterministic", "stochastic"]
"""Which bargain in each actor's queue is adopted: the most probable, or a draw."""

# --- constants of KTAB's SMP (names ours, values KTAB's) -------------------------------------
POS_TOL = 1e-3
"""Two positions are the same if their Euclidean distance (0-1 scale) is below this."""
MIN_SIG_EDU = 1e-5
"""A challenge is considered only if its expected gain exceeds this."""
MIN_TURNS = 2
"""The stopping ratio is not checked before this many steps."""
MIN_DELTA_RATIO = 0.02
"""Stop when the last step moved positions less than this fraction of the first step."""
MIN_SIG_DELTA = 1e-4
"""Added to the first step's movement to avoid 0/0."""
PCE_MIN_COALITION = 1e-8
"""Empty-coalition strength in PCE coalitions."""
CHALLENGE_MIN_COALITION = 1e-10
"""Empty-coalition strength in a challenge's coalitions."""
BINARY_VOTE_SCALE = 1e-8
"""Binary vote: utility differences beyond this count as a full vote."""
BINARY_VICTORY_THRESHOLD = 1.10
"""Binary victory: the side with at least this ratio of strengths wins outright."""
BINARY_VICTORY_FLOOR = 1e-6
"""Binary victory: the loser's weight when one side wins outright."""
MARKOV_UNIFORM_TOL = 1e-6
"""Convergence of the Markov-uniform PCE (max change of a probability)."""
MARKOV_INCENTIVE_TOL = 1e-8
"""Convergence of the Markov-incentive PCE (max change of a probability)."""
MARKOV_SELF_SUPPORT = 1e-10
"""Added to an option's incentive to challenge itself in the Markov-incentive PCE."""
MARKOV_MAX_ITER = 10_000
"""Safety cap on Markov PCE iterations (KTAB aborts after 1000; typical runs take 10-40)."""
BARGAIN_MIN_WEIGHT = 1e-6
"""Added to a principal's bargaining weight to avoid 0/0."""
BIG_R_NOTHING = 0.0
"""Risk attitude used when every position is equally likely (KTAB divides by zero there)."""


@dataclass(frozen=True)
class SMPOptions(Overridable):
    """Every modelling choice of the SMP engine; defaults are KTAB's CSV defaults.

    The scenario schema derives ``model.smp`` from these fields and their ``Annotated``
    bounds (summitry.scenario.engine_options; docs/scenario-format.md)."""

    voting: Voting = "prop"
    victory: Victory = "linear"
    pce: PCE = "conditional"
    risk: Risk = "mid"
    perception: Perception = "one-third"
    third_party: ThirdParty = "semi-commit"
    bargain: Bargain = "s2p2"
    interp: Interp = "init-only"
    resolution: Resolution = "deterministic"
    max_turns: Annotated[int, Interval(ge=1, le=1000)] = 100
    """Most steps a run takes (docs/models/smp.md, stopping rule)."""

    KIND: ClassVar[str] = "SMP"

    def __post_init__(self) -> None:
        allowed = {
            "voting": Voting,
            "victory": Victory,
            "pce": PCE,
            "risk": Risk,
            "perception": Perception,
            "third_party": ThirdParty,
            "bargain": Bargain,
            "interp": Interp,
            "resolution": Resolution,
        }
        for name, kind in allowed.items():
            value = getattr(self, name)
            if value not in kind.__args__:  # type: ignore[attr-defined]
                choices = ", ".join(kind.__args__)  # type: ignore[attr-defined]
                raise ValueError(f"SMP option {name}={value!r}; choose one of {choices}")
        if self.max_turns < 1:
            raise ValueError("SMP option max_turns must be at least 1")
