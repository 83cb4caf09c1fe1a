"""Hypothesis strategies for the options-game tests (no tests of its own)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from summitry.engines.options_game import OptionsParameters, OptionsPayoffs

GRID = 16
"""Grid payoffs are multiples of 1/GRID: exact in binary and in Gambit's decimals, and either
tied or at least 1/GRID apart."""


@st.composite
def grid_payoffs(draw: st.DrawFn, max_batch: int = 4, span: int = 16) -> OptionsPayoffs:
    """Payoffs k / GRID with |k| <= span: many exact ties."""
    n = draw(st.integers(1, max_batch))
    ints = st.lists(st.integers(-span, span), min_size=6 * n, max_size=6 * n)
    a = np.array(draw(ints), dtype=float).reshape(n, 3, 2) / GRID
    b = np.array(draw(ints), dtype=float).reshape(n, 3, 2) / GRID
    return OptionsPayoffs.from_arrays(a, b)


@st.composite
def distinct_grid_payoffs(draw: st.DrawFn, max_batch: int = 4) -> OptionsPayoffs:
    """Grid payoffs without ties for the mover: a generic game with a unique SPE.

    B's two payoffs at each node differ, and so do A's payoffs at the three nodes B picks.
    """
    n = draw(st.integers(1, max_batch))
    a = np.empty((n, 3, 2))
    b = np.empty((n, 3, 2))
    values = st.lists(st.integers(-24, 24), min_size=6, max_size=6, unique=True)
    for i in range(n):
        a[i] = np.array(draw(values), dtype=float).reshape(3, 2) / GRID
        b[i] = np.array(draw(values), dtype=float).reshape(3, 2) / GRID
    # B's payoffs are distinct within each node; A's are distinct across all six leaves.
    return OptionsPayoffs.from_arrays(a, b)


@st.composite
def float_payoffs(draw: st.DrawFn, max_batch: int = 6) -> OptionsPayoffs:
    """Arbitrary finite payoffs on the utility scale."""
    n = draw(st.integers(1, max_batch))
    x = st.floats(-2.0, 2.0, allow_nan=False, allow_subnormal=False)
    a = np.array(draw(st.lists(x, min_size=6 * n, max_size=6 * n))).reshape(n, 3, 2)
    b = np.array(draw(st.lists(x, min_size=6 * n, max_size=6 * n))).reshape(n, 3, 2)
    return OptionsPayoffs.from_arrays(a, b)


UNIT = st.floats(0.0, 1.0, allow_subnormal=False)
COST = st.floats(0.0, 0.6, allow_subnormal=False)
UTIL = st.floats(-0.2, 1.2, allow_subnormal=False)


@st.composite
def parameters(draw: st.DrawFn) -> dict[str, float]:
    """Keyword arguments of :meth:`OptionsParameters.build`, one sample of scalars."""
    return {
        "e_a_deal": draw(UTIL),
        "e_b_deal": draw(UTIL),
        "d_a": draw(UTIL),
        "d_b": draw(UTIL),
        "played_cost": draw(COST),
        "summit_gain": draw(COST),
        "sanctions_effect": draw(COST),
        "enforcement": draw(UNIT),
        "p_deal": draw(UNIT),
        "alpha_a": draw(UNIT),
        "pressure_cost": draw(COST),
        "escalation_gain": draw(COST),
        "crisis_cost_a": draw(COST),
        "crisis_cost_b": draw(COST),
        "strike_damage": draw(COST),
        "strike_gain": draw(COST),
        "absorb_cost": draw(COST),
        "war_cost_a": draw(COST),
        "war_cost_b": draw(COST),
        "p_war": draw(UNIT),
    }


def build(kwargs: dict[str, float]) -> OptionsParameters:
    """OptionsParameters of one sample."""
    return OptionsParameters.build(**kwargs)
