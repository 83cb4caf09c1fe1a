"""Plain reference for the options game: one sample, a game tree, recursion.

docs/models/options.md. The test oracle for :mod:`summitry.engines.options_game`, and a
fallback that needs neither numpy nor pygambit. It walks a general perfect-information tree
of :class:`Node` objects rather than the engine's fixed (3, 2) arrays:

* backward induction: at each decision node the mover takes the child with the highest
  continuation payoff to it, the first such child on ties (within ``TIE_TOL``);
* agent logit QRE at precision lambda: the mover's logit probabilities over the children's
  expected payoffs, which are computed first (exact on a perfect-information tree);
* ``regret``: how much a player gains by deviating from a behaviour profile, 0 at a Nash
  equilibrium (used to check Gambit's equilibria independently of Gambit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

TIE_TOL = 1e-12
OPTIONS = ("Engage", "Pressure", "Strike")
REPLIES = (("Negotiate", "Escalate"), ("Negotiate", "Escalate"), ("Absorb", "Retaliate"))


@dataclass
class Node:
    """A decision node (``player`` 0 or 1, labelled ``children``) or a leaf (``payoff``)."""

    label: str
    player: int | None = None
    children: list[Node] = field(default_factory=list)
    payoff: tuple[float, float] | None = None


def options_tree(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]]) -> Node:
    """The options game: A (player 0) picks an option, B (player 1) replies; a, b are 3 x 2."""
    root = Node("root", player=0)
    for j, option in enumerate(OPTIONS):
        node = Node(option, player=1)
        for k, reply in enumerate(REPLIES[j]):
            node.children.append(Node(reply, payoff=(float(a[j][k]), float(b[j][k]))))
        root.children.append(node)
    return root


def backward_induction(node: Node) -> tuple[tuple[float, float], dict[str, int]]:
    """(SPE payoffs, plan): the plan maps each decision node's path ("root/Engage") to the
    index of the child chosen there, off-path nodes included."""
    if node.payoff is not None:
        return node.payoff, {}
    plan: dict[str, int] = {}
    values: list[tuple[float, float]] = []
    for child in node.children:
        value, sub = backward_induction(child)
        values.append(value)
        for path, k in sub.items():
            plan[f"{node.label}/{path}"] = k
    assert node.player is not None
    best = max(v[node.player] for v in values)
    pick = next(i for i, v in enumerate(values) if v[node.player] >= best - TIE_TOL)
    plan[node.label] = pick
    return values[pick], plan


def logit_values(node: Node, lam: float) -> tuple[tuple[float, float], dict[str, list[float]]]:
    """(expected payoffs, probabilities at each decision node) of the agent logit QRE."""
    if node.payoff is not None:
        return node.payoff, {}
    probs: dict[str, list[float]] = {}
    values: list[tuple[float, float]] = []
    for child in node.children:
        value, sub = logit_values(child, lam)
        values.append(value)
        for path, p in sub.items():
            probs[f"{node.label}/{path}"] = p
    assert node.player is not None
    own = [v[node.player] for v in values]
    top = max(own)
    weights = [math.exp(lam * (u - top)) for u in own]
    total = math.fsum(weights)
    p = [w / total for w in weights]
    probs[node.label] = p
    expected = (
        math.fsum(pi * v[0] for pi, v in zip(p, values, strict=True)),
        math.fsum(pi * v[1] for pi, v in zip(p, values, strict=True)),
    )
    return expected, probs


def spe(
    a: Sequence[Sequence[float]], b: Sequence[Sequence[float]]
) -> tuple[int, list[int], float, float]:
    """(A's option, B's reply after each option, A's payoff, B's payoff) of one sample."""
    (v_a, v_b), plan = backward_induction(options_tree(a, b))
    return plan["root"], [plan[f"root/{o}"] for o in OPTIONS], v_a, v_b


def qre(
    a: Sequence[Sequence[float]], b: Sequence[Sequence[float]], lam: float
) -> tuple[list[float], list[list[float]], float, float]:
    """(q_A (3), q_B (3 x 2), A's expected payoff, B's) of the agent logit QRE at lam."""
    (v_a, v_b), probs = logit_values(options_tree(a, b), lam)
    return probs["root"], [probs[f"root/{o}"] for o in OPTIONS], v_a, v_b


def regret(
    a: Sequence[Sequence[float]],
    b: Sequence[Sequence[float]],
    q_a: Sequence[float],
    q_b: Sequence[Sequence[float]],
) -> float:
    """Largest gain either player gets from a unilateral deviation from (q_A, q_B).

    A's best deviation is the best option given B's replies; B's, the best reply at every
    node A reaches with positive probability (its nodes lie on different branches).
    """
    cont_a = [math.fsum(q_b[j][k] * a[j][k] for k in range(2)) for j in range(3)]
    cont_b = [math.fsum(q_b[j][k] * b[j][k] for k in range(2)) for j in range(3)]
    now_a = math.fsum(q_a[j] * cont_a[j] for j in range(3))
    now_b = math.fsum(q_a[j] * cont_b[j] for j in range(3))
    best_b = math.fsum(q_a[j] * max(b[j]) for j in range(3))
    return max(max(cont_a) - now_a, best_b - now_b)
