"""Choice of the exact representation of a bargaining batch by utility form.

docs/models/bargaining.md, "The solver".
"""

from __future__ import annotations

from summitry.engines.bargaining.linear import PiecewiseLinear, build_linear
from summitry.engines.bargaining.problem import BargainingProblem, FloatArray
from summitry.engines.bargaining.quadratic import PiecewiseQuadratic, build_quadratic


def build_backend(
    p: BargainingProblem, d: FloatArray, rows: slice | None = None
) -> PiecewiseLinear | PiecewiseQuadratic:
    """Pieces (linear) or regions (quadratic) of the samples ``rows``; ``d`` is (rows, 2 + V)."""
    sl = slice(None) if rows is None else rows
    build = build_linear if p.form == "linear" else build_quadratic
    return build(p, d, sl)
