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
    consent: bool = False,
) -> BargainingProblem:
    """A small batch of bargaining problems with awkward values (ties, zeros, corners);
    ``consent``: with a consent box around z0 on every issue (frozen, one-sided, the whole
    [0, 1] or in between), else without one (the examples drawn are then as before)."""
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

    # drawn in the order of the arguments below, as before consent existed
    a, b = points(size, n_issues), points(size, n_issues)
    w_a, w_b = profile_weights(size), profile_weights(size)
    z0 = points(size, n_issues)
    box: dict[str, np.ndarray] = {}
    if consent:  # a fraction of the room below and above z0 that the consenters leave
        box["box_lo"] = z0 * (1.0 - points(size, n_issues))
        box["box_hi"] = np.minimum(z0 + (1.0 - z0) * points(size, n_issues), 1.0)
    return BargainingProblem.build(
        a=a,
        b=b,
        w_a=w_a,
        w_b=w_b,
        z0=z0,
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
        **box,
    )
