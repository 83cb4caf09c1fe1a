"""The options game (docs/models/options.md): subgame-perfect and logit quantal-response equilibria.

A (the United States) chooses Engage (summit diplomacy), Pressure (more sanctions) or Strike
(a limited strike); B (the DPRK) replies Negotiate or Escalate after Engage or Pressure, and
Absorb or Retaliate after Strike (conciliatory reply first, index 0). Terminal payoffs
(A, B), on the bargaining model's utility scale, with Delta = s e the sanctions' bite
(:mod:`summitry.engines.options_game.payoffs` has the parameters and their meaning):

    Engage   + Negotiate   (E_A,                 E_B)
    Engage   + Escalate    (d_A - c_P,           d_B + g_S)
    Pressure + Negotiate   (E_A^P - c_S,         E_B^P)
    Pressure + Escalate    (d_A - c_S - k_A,     d_B - Delta + g_E - k_B)
    Strike   + Absorb      (d_A + g_A,           d_B - D - h_B)
    Strike   + Retaliate   (d_A - pi W_A,        d_B - D - pi W_B)

    E_A^P = E_A + p alpha Delta,  E_B^P = E_B - Delta (1 - p (1 - alpha))   (unless given)

Subgame-perfect equilibrium (Selten 1965) by backward induction, vectorised over samples:
B's reply at each option j is r_j = argmax_k u_B(j, k), then A's choice is
argmax_j u_A(j, r_j). Ties (within ``TIE_TOL``) go to the lower index, the less escalatory
move: Negotiate/Absorb over Escalate/Retaliate, Engage over Pressure over Strike.

Logit agent quantal-response equilibrium (McKelvey & Palfrey 1995, 1998) at precision
lambda >= 0; on this perfect-information tree it is exact by backward induction:

    q_B(k | j) = exp(lambda u_B(j, k)) / sum_k' exp(lambda u_B(j, k'))
    V_A(j)     = sum_k q_B(k | j) u_A(j, k)
    q_A(j)     = exp(lambda V_A(j)) / sum_j' exp(lambda V_A(j'))

lambda = 0 is uniform play; as lambda grows the QRE approaches the SPE (in generic games).
pygambit (optional, GPL) builds the same tree for cross-checks and .efg export:
:mod:`summitry.engines.options_game.gambit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from summitry.engines.options_game.payoffs import (
    N_OPTIONS,
    N_REPLIES,
    OPTIONS,
    PLAYERS,
    REPLIES,
    FloatArray,
    OptionsParameters,
    OptionsPayoffs,
    payoffs,
)

__all__ = [
    "DEFAULT_LAMBDAS",
    "TIE_TOL",
    "OptionsResult",
    "check_lambdas",
    "logit_qre",
    "path_labels",
    "solve",
    "subgame_perfect",
    "summarise",
]

IntArray = NDArray[np.int64]

TIE_TOL = 1e-12
"""Payoffs within this of the best count as tied; ties go to the lower (less escalatory) index."""

DEFAULT_LAMBDAS: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)
"""Default precision grid. Payoffs are utilities of order 0.1 apart, so lambda = 50 already
makes a 0.1 advantage 148 times more likely to be chosen."""


@dataclass(frozen=True)
class OptionsResult:
    """Equilibria of a batch of B options games.

    SPE: ``choice`` (B,) A's option; ``replies`` (B, 3) B's planned reply after each option
    (the full strategy, off-path replies included); ``reply`` (B,) the reply on the path;
    ``value_a``/``value_b`` (B,) SPE payoffs. QRE at each of ``lambdas`` (L,): ``qre_a``
    (L, B, 3) A's choice probabilities, ``qre_b`` (L, B, 3, 2) B's reply probabilities after
    each option, ``qre_value_a``/``qre_value_b`` (L, B) expected payoffs.
    """

    payoffs: OptionsPayoffs
    choice: IntArray
    replies: IntArray
    reply: IntArray
    value_a: FloatArray
    value_b: FloatArray
    lambdas: FloatArray
    qre_a: FloatArray
    qre_b: FloatArray
    qre_value_a: FloatArray
    qre_value_b: FloatArray

    @property
    def path(self) -> IntArray:
        """(B,) terminal index 2 * choice + reply, in the order of :func:`path_labels`."""
        return np.asarray(N_REPLIES * self.choice + self.reply, dtype=np.int64)

    @property
    def qre_paths(self) -> FloatArray:
        """(L, B, 3, 2) probability of reaching each terminal node under the QRE."""
        return np.asarray(self.qre_a[..., None] * self.qre_b, dtype=float)


def path_labels() -> list[str]:
    """Labels of the six terminal nodes, "Option+Reply", in path-index order."""
    return [f"{o}+{r}" for o, rs in zip(OPTIONS, REPLIES, strict=True) for r in rs]


def _first_best(x: FloatArray) -> IntArray:
    """Index of the first entry on the last axis within TIE_TOL of the maximum."""
    best = x.max(axis=-1, keepdims=True)
    return np.asarray(np.argmax(x >= best - TIE_TOL, axis=-1), dtype=np.int64)


def subgame_perfect(
    pay: OptionsPayoffs,
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """(choice (B,), replies (B, 3), value_a (B,), value_b (B,)) by backward induction."""
    replies = _first_best(pay.b)
    at = replies[..., None]
    v_a = np.take_along_axis(pay.a, at, axis=-1)[..., 0]
    v_b = np.take_along_axis(pay.b, at, axis=-1)[..., 0]
    choice = _first_best(v_a)
    pick = choice[:, None]
    value_a = np.take_along_axis(v_a, pick, axis=-1)[:, 0]
    value_b = np.take_along_axis(v_b, pick, axis=-1)[:, 0]
    return choice, replies, value_a, value_b


def _softmax(x: FloatArray) -> FloatArray:
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return np.asarray(z / z.sum(axis=-1, keepdims=True), dtype=float)


def check_lambdas(lambdas: ArrayLike) -> FloatArray:
    """Lambdas as a 1-D float array; each must be finite and >= 0 (ValueError)."""
    lam = np.atleast_1d(np.asarray(lambdas, dtype=float))
    if lam.ndim != 1 or not np.all(np.isfinite(lam)) or np.any(lam < 0.0):
        raise ValueError("lambdas must be a 1-D sequence of finite values >= 0")
    return lam


def logit_qre(
    pay: OptionsPayoffs, lambdas: ArrayLike = DEFAULT_LAMBDAS
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Agent logit QRE at each lambda (module docstring), exact by backward induction.

    Returns (q_A (L, B, 3), q_B (L, B, 3, 2), value_a (L, B), value_b (L, B)).
    """
    lam = check_lambdas(lambdas)
    q_b = _softmax(lam[:, None, None, None] * pay.b[None])
    v_a = np.sum(q_b * pay.a[None], axis=-1)
    v_b = np.sum(q_b * pay.b[None], axis=-1)
    q_a = _softmax(lam[:, None, None] * v_a)
    value_a = np.sum(q_a * v_a, axis=-1)
    value_b = np.sum(q_a * v_b, axis=-1)
    return q_a, q_b, value_a, value_b


def solve(
    game: OptionsParameters | OptionsPayoffs, lambdas: Sequence[float] | ArrayLike = DEFAULT_LAMBDAS
) -> OptionsResult:
    """SPE and logit QRE of every sample; parameters are turned into payoffs first."""
    pay = payoffs(game) if isinstance(game, OptionsParameters) else game
    lam = check_lambdas(lambdas)
    choice, replies, value_a, value_b = subgame_perfect(pay)
    reply = np.take_along_axis(replies, choice[:, None], axis=-1)[:, 0]
    q_a, q_b, q_value_a, q_value_b = logit_qre(pay, lam)
    return OptionsResult(
        payoffs=pay,
        choice=choice,
        replies=replies,
        reply=reply,
        value_a=value_a,
        value_b=value_b,
        lambdas=lam,
        qre_a=q_a,
        qre_b=q_b,
        qre_value_a=q_value_a,
        qre_value_b=q_value_b,
    )


def summarise(result: OptionsResult) -> dict[str, Any]:
    """JSON-ready summary: SPE path shares, mean SPE payoffs, mean QRE probabilities per lambda.

    Shares and means are over samples; every number is a Python float, every key a string.
    """
    n = result.choice.shape[0]
    labels = path_labels()
    path_share = np.bincount(result.path, minlength=N_OPTIONS * N_REPLIES) / n
    option_share = np.bincount(result.choice, minlength=N_OPTIONS) / n
    planned = [np.bincount(result.replies[:, j], minlength=N_REPLIES) / n for j in range(N_OPTIONS)]
    spe = {
        "paths": {lab: float(s) for lab, s in zip(labels, path_share, strict=True)},
        "options": {o: float(s) for o, s in zip(OPTIONS, option_share, strict=True)},
        "planned_replies": {
            o: {r: float(s) for r, s in zip(REPLIES[j], planned[j], strict=True)}
            for j, o in enumerate(OPTIONS)
        },
        "value_a": float(np.mean(result.value_a)),
        "value_b": float(np.mean(result.value_b)),
    }
    mean_a = result.qre_a.mean(axis=1)
    mean_b = result.qre_b.mean(axis=1)
    mean_paths = result.qre_paths.mean(axis=1).reshape(len(result.lambdas), -1)
    qre = [
        {
            "lambda": float(lam),
            "options": {o: float(p) for o, p in zip(OPTIONS, mean_a[i], strict=True)},
            "replies": {
                o: {r: float(p) for r, p in zip(REPLIES[j], mean_b[i, j], strict=True)}
                for j, o in enumerate(OPTIONS)
            },
            "paths": {lab: float(p) for lab, p in zip(labels, mean_paths[i], strict=True)},
            "value_a": float(np.mean(result.qre_value_a[i])),
            "value_b": float(np.mean(result.qre_value_b[i])),
        }
        for i, lam in enumerate(result.lambdas)
    ]
    return {"samples": int(n), "players": list(PLAYERS), "spe": spe, "qre": qre}
