"""The options game in Gambit (McKelvey, McLennan & Turocy): tree, .efg export, cross-checks.

Optional: pygambit is GPL-licensed and ships as the ``summitry[games]`` extra, so it is
imported only inside these functions; without it they raise :class:`GambitUnavailable`,
while :mod:`summitry.engines.options_game` (SPE and logit QRE in numpy) works regardless. Written
against pygambit 16.7 (``Game.new_tree(players=...)``, ``append_move(node, player, labels)``,
labelled outcomes, ``nash.enumpure_agent_solve``, ``qre.logit_solve_lambda``).

One sample at a time (the tree holds numbers, not arrays). Action order matches the engine:
A's options (Engage, Pressure, Strike), B's replies conciliatory first. pygambit's Python API
has no subgame-perfect filter and its pure equilibria include non-credible threats, so the
engine's backward induction is the SPE; these functions check it is among Gambit's Nash
equilibria, and compare the numpy QRE with Gambit's path-following logit solver.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from summitry.engines.options_game.model import check_lambdas
from summitry.engines.options_game.payoffs import (
    N_OPTIONS,
    N_REPLIES,
    OPTIONS,
    PLAYERS,
    REPLIES,
    FloatArray,
    OptionsPayoffs,
)

PureProfile = tuple[int, tuple[int, int, int]]
"""A pure behaviour profile: (A's option, B's reply after each option)."""


class GambitUnavailable(ImportError):
    """pygambit is not installed."""


def require_pygambit() -> Any:
    """The pygambit module, or GambitUnavailable with the install hint."""
    try:
        return importlib.import_module("pygambit")
    except ImportError as exc:
        raise GambitUnavailable(
            "this needs pygambit, an optional GPL-licensed dependency: "
            "install summitry[games] (pip install 'summitry[games]')"
        ) from exc


def build_game(
    pay: OptionsPayoffs,
    sample: int = 0,
    players: Sequence[str] = PLAYERS,
    title: str = "summitry options game",
) -> Any:
    """A pygambit extensive game of one sample: A moves at the root, B at each of its options.

    Outcomes are labelled "Option+Reply" and carry the sample's payoffs as exact decimals of
    the floats (shortest round-trip representation).
    """
    gbt = require_pygambit()
    a_name, b_name = players
    game = gbt.Game.new_tree(players=[a_name, b_name], title=title)
    game.append_move(game.root, a_name, list(OPTIONS))
    for j, child in enumerate(game.root.children):
        game.append_move(child, b_name, list(REPLIES[j]))
        for k, leaf in enumerate(child.children):
            label = f"{OPTIONS[j]}+{REPLIES[j][k]}"
            values = [float(pay.a[sample, j, k]), float(pay.b[sample, j, k])]
            game.set_outcome(leaf, game.add_outcome(label, [gbt.Decimal(repr(v)) for v in values]))
    return game


def to_efg(pay: OptionsPayoffs, sample: int = 0, players: Sequence[str] = PLAYERS) -> str:
    """The sample's tree as Gambit .efg text (open it in Gambit's graphical interface)."""
    return str(build_game(pay, sample, players).to_efg())


def _behaviour(profile: Any, game: Any) -> tuple[FloatArray, FloatArray]:
    """(A's probabilities (3,), B's (3, 2)) read from a pygambit behaviour profile."""
    a_player, b_player = list(game.players)
    (a_infoset,) = list(a_player.infosets)
    p_a = np.array([float(profile[act]) for act in a_infoset.actions])
    p_b = np.array([[float(profile[act]) for act in iset.actions] for iset in b_player.infosets])
    return p_a, p_b


def _pure(p_a: FloatArray, p_b: FloatArray) -> PureProfile:
    a = int(np.argmax(p_a))
    replies = tuple(int(np.argmax(p_b[j])) for j in range(N_OPTIONS))
    return a, (replies[0], replies[1], replies[2])


def pure_equilibria(pay: OptionsPayoffs, sample: int = 0) -> list[PureProfile]:
    """Every pure (agent-form) Nash equilibrium Gambit finds, in exact rational arithmetic.

    On this tree B's information sets lie on different branches, so agent-form and
    player-form pure equilibria coincide.
    """
    gbt = require_pygambit()
    game = build_game(pay, sample)
    result = gbt.nash.enumpure_agent_solve(game)
    return [_pure(*_behaviour(eq, game)) for eq in result.equilibria]


def lcp_equilibria(pay: OptionsPayoffs, sample: int = 0) -> list[tuple[FloatArray, FloatArray]]:
    """Gambit's sequence-form LCP equilibria (Koller, Megiddo & von Stengel 1996), rational."""
    gbt = require_pygambit()
    game = build_game(pay, sample)
    result = gbt.nash.lcp_solve(game, rational=True)
    return [_behaviour(eq, game) for eq in result.equilibria]


def max_regret(pay: OptionsPayoffs, sample: int, profile: PureProfile) -> float:
    """Gambit's maximum regret of a pure profile (exact); 0 iff it is a Nash equilibrium."""
    game = build_game(pay, sample)
    a, replies = profile
    data = [
        [[1 if j == a else 0 for j in range(N_OPTIONS)]],
        [[1 if k == replies[j] else 0 for k in range(N_REPLIES)] for j in range(N_OPTIONS)],
    ]
    return float(game.mixed_behavior_profile(data=data, rational=True).max_regret())


def subgame_perfect_equilibria(pay: OptionsPayoffs, sample: int = 0) -> list[PureProfile]:
    """Gambit's pure equilibria that are also best replies at every one of B's nodes.

    Payoffs are read back from the Gambit tree (exact), so this is an SPE filter over
    Gambit's own output, independent of the engine's backward induction.
    """
    game = build_game(pay, sample)
    b_name = list(game.players)[1].label
    best: list[set[int]] = []
    for child in game.root.children:
        values = [leaf.outcome[b_name] for leaf in child.children]
        top = max(values)
        best.append({k for k, v in enumerate(values) if v == top})
    return [
        eq
        for eq in pure_equilibria(pay, sample)
        if all(eq[1][j] in best[j] for j in range(N_OPTIONS))
    ]


def logit_qre(
    pay: OptionsPayoffs, lambdas: ArrayLike, sample: int | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Gambit's logit QRE at each lambda, one sample or every sample in turn.

    Returns (q_A (L, B, 3), q_B (L, B, 3, 2), lambda_reached (L, B)): Gambit traces the
    principal branch and stops within ~1e-8 of each requested lambda. lambda = 0 is uniform
    play (the branch's start) and is not sent to Gambit; the other values are sent once each,
    in increasing order, as its path-follower requires.
    """
    gbt = require_pygambit()
    lam = check_lambdas(lambdas)
    samples = range(pay.n_samples) if sample is None else [sample]
    positive = np.unique(lam[lam > 0.0])
    q_a = np.full((lam.size, len(samples), N_OPTIONS), 1.0 / N_OPTIONS)
    q_b = np.full((lam.size, len(samples), N_OPTIONS, N_REPLIES), 1.0 / N_REPLIES)
    reached = np.zeros((lam.size, len(samples)))
    for col, s in enumerate(samples):
        if positive.size == 0:
            continue
        game = build_game(pay, s)
        branch = gbt.qre.logit_solve_lambda(game, [float(x) for x in positive])
        for value, qre in zip(positive, branch, strict=True):
            rows = np.flatnonzero(lam == value)
            flat = np.array([qre[i] for i in range(len(qre))], dtype=float)
            q_a[rows, col] = flat[:N_OPTIONS]
            q_b[rows, col] = flat[N_OPTIONS:].reshape(N_OPTIONS, N_REPLIES)
            reached[rows, col] = float(qre.lam)
    return q_a, q_b, reached
