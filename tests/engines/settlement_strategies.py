"""Hypothesis strategies shared by the settlement-model tests (compromise, NBS, procedural).

A case is a small batch of problems: positions (B, n) on a 0-100 scale with NaN for
absent actors, saliences in [0, 1] (some exactly 0), capabilities >= 0 (some 0) and
reference points (some NaN). Rows are drawn "one-sided" (every actor on one side of rp,
where the NBS is interior), "at-rp" (an actor sits on rp) or free.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # the same examples every run
    suppress_health_check=[HealthCheck.too_slow],
)

unit = st.floats(0, 1, allow_subnormal=False)
scale = st.one_of(st.integers(0, 100).map(float), st.floats(0, 100, allow_subnormal=False))
offset = st.one_of(st.integers(0, 50).map(float), st.floats(0, 50, allow_subnormal=False))
salience = st.one_of(st.just(0.0), st.sampled_from([0.25, 0.5, 1.0]), unit)
capability = st.one_of(st.just(0.0), st.integers(1, 10).map(float), st.floats(1e-3, 10))


@st.composite
def problems(
    draw: st.DrawFn, max_actors: int = 8, missing: bool = True, rp_missing: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(positions, saliences, capabilities, reference points) of B problems, n actors."""
    rows = draw(st.integers(1, 4))
    n = draw(st.integers(1, max_actors))
    x = np.empty((rows, n))
    rp = np.empty(rows)
    for r in range(rows):
        kind = draw(st.sampled_from(["one-sided", "one-sided", "at-rp", "free"]))
        rp[r] = draw(scale)
        if kind == "free":
            x[r] = [draw(scale) for _ in range(n)]
        else:
            side = draw(st.sampled_from([-1.0, 1.0]))
            x[r] = [rp[r] + side * draw(offset) for _ in range(n)]
            if kind == "at-rp":
                x[r, draw(st.integers(0, n - 1))] = rp[r]
        if missing:
            for i in range(n):
                if draw(st.integers(0, 9)) == 0:
                    x[r, i] = np.nan
        if rp_missing and draw(st.integers(0, 9)) == 0:
            rp[r] = np.nan
    s = np.array([[draw(salience) for _ in range(n)] for _ in range(rows)])
    c = np.array([[draw(capability) for _ in range(n)] for _ in range(rows)])
    s[np.isnan(x)] = np.nan
    return x, s, c, rp


def permuted(rng_seed: int, *arrays: np.ndarray) -> list[np.ndarray]:
    """The same random permutation of the actor axis applied to every array."""
    n = arrays[0].shape[-1]
    perm = np.random.default_rng(rng_seed).permutation(n)
    return [a[..., perm] for a in arrays]
