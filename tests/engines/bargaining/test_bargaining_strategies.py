"""Hypothesis strategies for the bargaining-engine tests (no tests of its own)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from summitry.engines.bargaining import BargainingProblem

UNIT = st.one_of(
    st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),
    st.floats(0.0, 1.0, allow_subnormal=False),
)
TAU = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0.0, 1.0, allow_subnormal=False))
OUTSIDE = st.one_of(st.just(0.0), st.floats(-0.3, -1e-6), st.floats(1e-6, 0.3))
"""Outside options and offsets: exactly 0 (exact ties) or clearly not, since the oracles
meet constraints only to about 1e-9 while the engine works to 1e-12."""
OFFSET = st.one_of(st.just(0.0), st.floats(-0.3, -1e-6), st.floats(1e-6, 0.1))


@st.composite
def weights(draw: st.DrawFn, n: int) -> list[float]:
    """Non-negative weights summing to 1, zeros allowed."""
    raw = [draw(st.one_of(st.just(0.0), st.floats(0.05, 1.0))) for _ in range(n)]
    if sum(raw) == 0.0:
        raw[draw(st.integers(0, n - 1))] = 1.0
    total = sum(raw)
    return [r / total for r in raw]


@st.composite
def problems(
    draw: st.DrawFn,
    *,
    form: str | None = None,
    n_ratifiers: int | None = None,
    max_issues: int = 4,
    max_batch: int = 1,
) -> BargainingProblem:
    """A small batch of bargaining problems with awkward values (ties, zeros, corners)."""
    n_issues = draw(st.integers(1, max_issues))
    n_rat = draw(st.integers(0, 2)) if n_ratifiers is None else n_ratifiers
    chosen = draw(st.sampled_from(["linear", "quadratic"])) if form is None else form
    size = draw(st.integers(1, max_batch))

    def points(*shape: int) -> np.ndarray:
        count = int(np.prod(shape))
        return np.array([draw(UNIT) for _ in range(count)]).reshape(shape)

    def profile_weights(*lead: int) -> np.ndarray:
        count = int(np.prod(lead))
        rows = [draw(weights(n_issues)) for _ in range(count)]
        return np.array(rows).reshape((*lead, n_issues))

    def scalars(strategy: st.SearchStrategy[float]) -> np.ndarray:
        return np.array([draw(strategy) for _ in range(size)])

    return BargainingProblem.build(
        a=points(size, n_issues),
        b=points(size, n_issues),
        w_a=profile_weights(size),
        w_b=profile_weights(size),
        z0=points(size, n_issues),
        o_a=scalars(OUTSIDE),
        o_b=scalars(OUTSIDE),
        tau_a=scalars(TAU),
        tau_b=scalars(TAU),
        delta_a=scalars(st.floats(0.05, 0.99)),
        delta_b=scalars(st.floats(0.05, 0.99)),
        ratifier_ideal=points(size, n_rat, n_issues),
        ratifier_weight=profile_weights(size, n_rat),
        ratifier_offset=np.array([draw(OFFSET) for _ in range(size * n_rat)]).reshape(size, n_rat),
        form=chosen,  # type: ignore[arg-type]
    )
