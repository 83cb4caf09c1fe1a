"""Parameters and terminal payoffs of the options game (docs/models/options.md).

A (the United States) chooses Engage, Pressure or Strike; B (the DPRK) replies. Replies are
ordered conciliatory first: after Engage or Pressure (Negotiate, Escalate), after Strike
(Absorb, Retaliate), so reply index 1 is always the hostile one. Every payoff is on the
bargaining model's utility scale (docs/models/bargaining.md: u in about [0, 1], reservation
d_X = u_X(z0) + o_X). With the sanctions bite Delta = s * e:

    Engage   + Negotiate   A: E_A                          B: E_B
    Engage   + Escalate    A: d_A - c_P                    B: d_B + g_S
    Pressure + Negotiate   A: E_A^P - c_S                  B: E_B^P
    Pressure + Escalate    A: d_A - c_S - k_A              B: d_B - Delta + g_E - k_B
    Strike   + Absorb      A: d_A + g_A                    B: d_B - D - h_B
    Strike   + Retaliate   A: d_A - pi W_A                 B: d_B - D - pi W_B

E_X are the bargaining model's expected utilities, e.g. P(deal) u_X(z*) + (1 - P(deal)) d_X.
Pressure lowers B's no-deal utility to d_B - Delta = u_B(z0) + o_B - s e: the outside option
o_B (Russian and Chinese support, sanctions leakage) offsets the bite, and enforcement e is
lowered by a UNSC veto player (:func:`enforcement`). Talks under pressure, E^P, are the
bargain struck from that lowered disagreement point. Unless the caller supplies E^P (e.g. by
re-running the bargaining engine with o_B - Delta), its first-order value holding P(deal) = p
fixed is used: an asymmetric Nash bargain with A's power alpha on a locally linear frontier of
slope -1 moves alpha * Delta from B to A when d_B falls by Delta, and the no-deal branch
costs B the full Delta:

    E_A^P = E_A + p alpha Delta,        E_B^P = E_B - Delta (1 - p (1 - alpha)).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

PLAYERS: tuple[str, str] = ("United States", "DPRK")
"""Default labels of A and B (the reference case)."""

OPTIONS: tuple[str, str, str] = ("Engage", "Pressure", "Strike")
"""A's options, in index order."""

REPLIES: tuple[tuple[str, str], tuple[str, str], tuple[str, str]] = (
    ("Negotiate", "Escalate"),
    ("Negotiate", "Escalate"),
    ("Absorb", "Retaliate"),
)
"""B's replies after each of A's options, conciliatory first."""

N_OPTIONS = 3
N_REPLIES = 2


def enforcement(base: ArrayLike, veto: ArrayLike) -> FloatArray:
    """Enforcement e = e0 (1 - v) in [0, 1].

    ``base`` e0 in [0, 1]: the share of sanctions that would be enforced with every permanent
    member of the UN Security Council on board; ``veto`` v in [0, 1]: how far a veto player
    (Russia, in the 2025 DPRK case) blocks new measures and lets existing ones leak.
    """
    e0 = np.asarray(base, dtype=float)
    v = np.asarray(veto, dtype=float)
    if np.any(~((e0 >= 0.0) & (e0 <= 1.0))) or np.any(~((v >= 0.0) & (v <= 1.0))):
        raise ValueError("enforcement: base and veto must lie in [0, 1]")
    return np.asarray(e0 * (1.0 - v), dtype=float)


@dataclass(frozen=True)
class OptionsParameters:
    """Named inputs of the options game, each a (B,) array over samples.

    docs/models/options.md, "Payoffs".

    Utilities are on the bargaining model's scale; costs and gains are non-negative.
    Build with :meth:`build`, which broadcasts scalars over the batch and checks ranges.
    """

    e_a_deal: FloatArray
    """E_A: A's expected utility from summit talks (Engage + Negotiate), from the bargaining
    model, e.g. P(deal) u_A(z*) + (1 - P(deal)) d_A."""
    e_b_deal: FloatArray
    """E_B: B's expected utility from summit talks, as E_A."""
    d_a: FloatArray
    """d_A = u_A(z0) + o_A: A's reservation (no-deal utility, including the value of pressure
    without a deal)."""
    d_b: FloatArray
    """d_B = u_B(z0) + o_B: B's reservation; o_B (outside support, leakage) offsets sanctions."""
    played_cost: FloatArray
    """c_P >= 0: A's loss when B takes the summit and escalates (A was "played")."""
    summit_gain: FloatArray
    """g_S >= 0: B's gain from a summit it then walks away from (standing, eroded sanctions)."""
    sanctions_effect: FloatArray
    """s >= 0: utility loss to B of fully enforced additional sanctions."""
    enforcement: FloatArray
    """e in [0, 1]: share of the sanctions actually enforced (see :func:`enforcement`)."""
    p_deal: FloatArray
    """p in [0, 1]: P(deal) of the talks, used by the first-order E^P."""
    alpha_a: FloatArray
    """alpha in [0, 1]: A's bargaining power (Rubinstein), used by the first-order E^P."""
    pressure_cost: FloatArray
    """c_S >= 0: A's cost of running the pressure campaign (diplomatic capital, friction)."""
    escalation_gain: FloatArray
    """g_E >= 0: B's gain from escalating under pressure (weapons progress, leverage)."""
    crisis_cost_a: FloatArray
    """k_A >= 0: A's cost of a crisis when B escalates under pressure."""
    crisis_cost_b: FloatArray
    """k_B >= 0: B's cost of that crisis."""
    strike_damage: FloatArray
    """D >= 0: the limited strike's damage to B."""
    strike_gain: FloatArray
    """g_A >= 0: A's gain when B absorbs the strike (programme set back, coercion works)."""
    absorb_cost: FloatArray
    """h_B >= 0: B's loss of face and deterrent credibility if it absorbs the strike."""
    war_cost_a: FloatArray
    """W_A >= 0: A's utility loss from a war (allies' cities, forces, escalation risk)."""
    war_cost_b: FloatArray
    """W_B >= 0: B's utility loss from a war."""
    p_war: FloatArray
    """pi in [0, 1]: probability that retaliation escalates to war."""
    e_a_pressure: FloatArray | None = None
    """E_A^P: A's expected utility from talks under pressure; None uses the first-order form."""
    e_b_pressure: FloatArray | None = None
    """E_B^P: as E_A^P, for B."""

    @classmethod
    def build(
        cls,
        *,
        e_a_deal: ArrayLike,
        e_b_deal: ArrayLike,
        d_a: ArrayLike,
        d_b: ArrayLike,
        played_cost: ArrayLike = 0.0,
        summit_gain: ArrayLike = 0.0,
        sanctions_effect: ArrayLike = 0.0,
        enforcement: ArrayLike = 1.0,
        p_deal: ArrayLike = 1.0,
        alpha_a: ArrayLike = 0.5,
        pressure_cost: ArrayLike = 0.0,
        escalation_gain: ArrayLike = 0.0,
        crisis_cost_a: ArrayLike = 0.0,
        crisis_cost_b: ArrayLike = 0.0,
        strike_damage: ArrayLike = 0.0,
        strike_gain: ArrayLike = 0.0,
        absorb_cost: ArrayLike = 0.0,
        war_cost_a: ArrayLike = 0.0,
        war_cost_b: ArrayLike = 0.0,
        p_war: ArrayLike = 0.0,
        e_a_pressure: ArrayLike | None = None,
        e_b_pressure: ArrayLike | None = None,
    ) -> OptionsParameters:
        """Broadcast every input to (B,) and check finiteness and ranges (ValueError)."""
        given: dict[str, Any] = dict(locals())
        del given["cls"]
        if (e_a_pressure is None) != (e_b_pressure is None):
            raise ValueError(
                "OptionsParameters: give both e_a_pressure and e_b_pressure, or neither"
            )
        arrays = {k: np.asarray(v, dtype=float) for k, v in given.items() if v is not None}
        for name, arr in arrays.items():
            if arr.ndim > 1:
                raise ValueError(f"OptionsParameters: {name} must be a scalar or a (B,) array")
        try:
            shape = np.broadcast_shapes(*(a.shape for a in arrays.values()), (1,))
        except ValueError as exc:
            raise ValueError("OptionsParameters: arrays differ in length") from exc
        out = {
            k: np.ascontiguousarray(np.broadcast_to(a, shape), dtype=float)
            for k, a in arrays.items()
        }
        for name, arr in out.items():
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"OptionsParameters: {name} must be finite")
        for name in _NON_NEGATIVE:
            if np.any(out[name] < 0.0):
                raise ValueError(f"OptionsParameters: {name} must be >= 0")
        for name in _UNIT:
            if np.any((out[name] < 0.0) | (out[name] > 1.0)):
                raise ValueError(f"OptionsParameters: {name} must lie in [0, 1]")
        return cls(**out)

    @property
    def n_samples(self) -> int:
        """B, the number of samples."""
        return int(self.d_a.shape[0])

    def bite(self) -> FloatArray:
        """Delta = s e, the sanctions' bite on B's no-deal utility."""
        return np.asarray(self.sanctions_effect * self.enforcement, dtype=float)


_NON_NEGATIVE = (
    "played_cost",
    "summit_gain",
    "sanctions_effect",
    "pressure_cost",
    "escalation_gain",
    "crisis_cost_a",
    "crisis_cost_b",
    "strike_damage",
    "strike_gain",
    "absorb_cost",
    "war_cost_a",
    "war_cost_b",
)
_UNIT = ("enforcement", "p_deal", "alpha_a", "p_war")

PARAMETER_NAMES: tuple[str, ...] = tuple(f.name for f in fields(OptionsParameters))


@dataclass(frozen=True)
class OptionsPayoffs:
    """Terminal payoffs: ``a`` and ``b`` (B, 3, 2), indexed [sample, A's option, B's reply]."""

    a: FloatArray
    b: FloatArray

    @classmethod
    def from_arrays(cls, a: ArrayLike, b: ArrayLike) -> OptionsPayoffs:
        """Payoffs from arrays of shape (3, 2) or (B, 3, 2); they must be finite."""
        pa = np.asarray(a, dtype=float)
        pb = np.asarray(b, dtype=float)
        if pa.shape[-2:] != (N_OPTIONS, N_REPLIES) or pa.shape != pb.shape or pa.ndim not in (2, 3):
            raise ValueError("OptionsPayoffs: a and b must both have shape (3, 2) or (B, 3, 2)")
        if not (np.all(np.isfinite(pa)) and np.all(np.isfinite(pb))):
            raise ValueError("OptionsPayoffs: payoffs must be finite")
        if pa.ndim == 2:
            pa, pb = pa[None], pb[None]
        return cls(a=np.ascontiguousarray(pa), b=np.ascontiguousarray(pb))

    @property
    def n_samples(self) -> int:
        """B, the number of samples."""
        return int(self.a.shape[0])

    def sample(self, i: int) -> OptionsPayoffs:
        """The one-sample batch i."""
        return OptionsPayoffs(a=self.a[i : i + 1].copy(), b=self.b[i : i + 1].copy())


def pressure_deal(p: OptionsParameters) -> tuple[FloatArray, FloatArray]:
    """(E_A^P, E_B^P): the caller's values if given, else the first-order form (module doc)."""
    if p.e_a_pressure is not None and p.e_b_pressure is not None:
        return p.e_a_pressure, p.e_b_pressure
    delta = p.bite()
    e_a = p.e_a_deal + p.p_deal * p.alpha_a * delta
    e_b = p.e_b_deal - delta * (1.0 - p.p_deal * (1.0 - p.alpha_a))
    return np.asarray(e_a, dtype=float), np.asarray(e_b, dtype=float)


def payoffs(p: OptionsParameters) -> OptionsPayoffs:
    """The six terminal payoffs to A and B (B, 3, 2) from the parameters (module docstring)."""
    delta = p.bite()
    e_a_p, e_b_p = pressure_deal(p)
    a = np.empty((p.n_samples, N_OPTIONS, N_REPLIES))
    b = np.empty_like(a)
    a[:, 0, 0], b[:, 0, 0] = p.e_a_deal, p.e_b_deal
    a[:, 0, 1], b[:, 0, 1] = p.d_a - p.played_cost, p.d_b + p.summit_gain
    a[:, 1, 0], b[:, 1, 0] = e_a_p - p.pressure_cost, e_b_p
    a[:, 1, 1] = p.d_a - p.pressure_cost - p.crisis_cost_a
    b[:, 1, 1] = p.d_b - delta + p.escalation_gain - p.crisis_cost_b
    a[:, 2, 0], b[:, 2, 0] = p.d_a + p.strike_gain, p.d_b - p.strike_damage - p.absorb_cost
    a[:, 2, 1] = p.d_a - p.p_war * p.war_cost_a
    b[:, 2, 1] = p.d_b - p.strike_damage - p.p_war * p.war_cost_b
    return OptionsPayoffs(a=a, b=b)
