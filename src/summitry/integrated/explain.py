"""Explanations of the integrated forecast (docs/integrated.md, "Explanations").

- **Drivers**: for P(deal) and each issue's median, the inputs with the largest Morris
  mu* (:func:`summitry.sensitivity.morris`, :data:`TRAJECTORIES` trajectories) of the
  per-draw quantity whose mean or median it is: deal_s for P(deal), y_sd for issue d. A's
  offer z* is held at the run's, so the screen asks which inputs decide whether that offer
  is accepted and where the issue lands.
- **Who gives what**: per issue, the move from the central no-deal point c_d to the terms
  t_d; principal X gives on d when the move takes d away from X's ideal x_d
  (|t_d - x_d| > |c_d - x_d|), gains when it brings it nearer; moves under
  :data:`STILL` of the scale count as none.
- **What would open a zone**: when the central values have no zone of agreement, each
  uncertain input in turn is moved along its own distribution, the others held at their
  central values, over the quantile levels of :data:`GRID` (at most :data:`MAX_INPUTS`
  inputs, one batched solve); an input opens a zone when some level does, and its change
  is the probability mass |F(v) - F(c)| between the central value c and the nearest such
  value v. The :data:`TOP` smallest changes are reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from summitry.integrated.core import (
    Integrated,
    no_deal_points,
    offer_accepted,
    settlement_ensemble,
)
from summitry.integrated.mixture import Array, mixture

if TYPE_CHECKING:
    from summitry.forecast import Forecast
    from summitry.sampling import Draws

TOP = 3
"""Inputs named per headline number."""
TRAJECTORIES = 20
"""Morris trajectories: r (k + 1) runs of the bargaining model (1,780 on dprk-2025)."""
STILL = 0.005
"""A move shorter than this share of the scale is no move."""
GRID = 40
"""Quantile levels (j + 1/2) / GRID, j = 0 .. GRID - 1, tried per input in the zone search."""
MAX_INPUTS = 200
"""The zone search moves at most this many inputs (the first in file order)."""


def _quantity_fn(ig: Integrated, fc: Forecast) -> Any:
    """Draws -> (B, 1 + D): deal_s (0/1) then y_s per issue, with z* held fixed."""
    sc = fc.scenario
    pi = fc.private if ig.kind == "deal" else None

    def fn(draws: Draws) -> Array:
        if ig.kind != "deal":
            y = settlement_ensemble(sc, draws, _calibration())
            return np.column_stack([np.zeros(draws.samples), y])
        from summitry.forecasting.bargaining import solve_draws

        zone = np.asarray(solve_draws(sc, draws).zopa_exists, dtype=bool)
        if pi is not None and pi.offer and ig.terms is not None:
            deal = zone & offer_accepted(sc, draws, pi.z)
            terms = ig.terms
        else:
            deal = np.zeros(draws.samples, dtype=bool)
            terms = np.zeros(len(sc.issues))
        y = mixture(deal, terms, no_deal_points(sc, draws))
        return np.column_stack([deal.astype(float), y])

    return fn


def _calibration() -> Any:
    from summitry.integrated.core import deu_calibration

    return deu_calibration()


def drivers(ig: Integrated, fc: Forecast, top: int = TOP) -> dict[str, list[dict[str, Any]]]:
    """The inputs that move each headline number most (Morris mu*, in the number's units
    per step of half an input's probability mass), strongest first: ``{"p_deal": [...],
    "issue.<id>": [...]}``, each entry ``{"input", "mu_star"}``; only inputs with mu* > 0.
    One Morris design (:func:`summitry.sensitivity.build_problem`'s factors, the
    sensitivity module's levels) serves every number. Empty without uncertain inputs."""
    from SALib.analyze import morris as morris_analyze  # type: ignore[import-untyped]
    from SALib.sample import morris as morris_sample  # type: ignore[import-untyped]

    from summitry import sensitivity as sens

    try:
        problem = sens.build_problem(fc.scenario)
    except ValueError:
        return {}
    levels = sens.MORRIS_LEVELS
    half = 0.5 / levels
    spec = problem.salib(half, 1.0 - half)
    x = morris_sample.sample(spec, TRAJECTORIES, num_levels=levels, seed=fc.seed)
    values = _quantity_fn(ig, fc)(problem.draws(x))
    step = levels / (2.0 * (levels - 1))  # as sensitivity.morris: SALib divides by it
    names = (["p_deal"] if ig.kind == "deal" else []) + [
        f"issue.{i}" for i in fc.scenario.issue_ids
    ]
    offset = 0 if ig.kind == "deal" else 1
    out: dict[str, list[dict[str, Any]]] = {}
    for j, name in enumerate(names):
        y = values[:, j + offset]
        if np.ptp(y) == 0:
            out[name] = []
            continue
        res = morris_analyze.analyze(spec, x, y, num_levels=levels, num_resamples=2, seed=fc.seed)
        mu = np.asarray(res["mu_star"], dtype=float) * step
        order = np.argsort(-mu, kind="stable")[:top]
        out[name] = [
            {"input": problem.names[i], "mu_star": float(mu[i])} for i in order if mu[i] > 0
        ]
    return out


def _ideals(fc: Forecast) -> tuple[Array, Array]:
    """A's and B's central ideal packages on the issues' scales."""
    from summitry.forecasting.bargaining import build_problem, to_scale
    from summitry.sampling import central

    p = build_problem(fc.scenario, central(fc.scenario))
    return to_scale(fc.scenario, p.a)[0], to_scale(fc.scenario, p.b)[0]


def gives(ig: Integrated, fc: Forecast) -> list[dict[str, Any]]:
    """Per issue, who gives what relative to no deal (see the module docstring): records
    ``{"issue", "from", "to", "gives": [ids], "gains": [ids], "words"}``; empty without
    terms."""
    bg = fc.scenario.bargaining
    if ig.terms is None or bg is None:
        return []
    a_id, b_id = bg.active().a, bg.principals["b"]
    x_a, x_b = _ideals(fc)
    out = []
    for k, issue in enumerate(fc.scenario.issues):
        c = float(np.nanmedian(ig.no_deal[:, k]))
        t = float(ig.terms[k])
        lo, hi = issue.scale
        if abs(t - c) <= STILL * (hi - lo):
            continue
        give: list[str] = []
        gain: list[str] = []
        for who, x in ((a_id, x_a[k]), (b_id, x_b[k])):
            (give if abs(t - x) > abs(c - x) else gain).append(who)
        move = f"on {issue.id} ({c:.0f} -> {t:.0f})"
        if len(give) == 1:
            words = f"{give[0]} gives {move}"
        elif give:
            words = f"both give {move}"
        else:
            words = f"both gain {move}"
        out.append(
            {"issue": issue.id, "from": c, "to": t, "gives": give, "gains": gain, "words": words}
        )
    return out


def zone_search(fc: Forecast, top: int = TOP) -> dict[str, Any] | None:
    """What would open a zone of agreement when the central values have none (see the
    module docstring); None when there is a zone at the central values or no bargaining
    model. ``openers``: ``{"input", "central", "value", "mass"}``, smallest mass first."""
    from summitry.forecasting.bargaining import solve_draws
    from summitry.sampling import assemble, central, from_uniform
    from summitry.scenario.quantities import Fixed

    sc = fc.scenario
    if sc.bargaining is None:
        return None
    if bool(solve_draws(sc, central(sc)).zopa_exists[0]):
        return None
    quantities = sc.quantities()
    base = np.array([q.central() for _, q, _ in quantities], dtype=float)
    cols = [i for i, (_, q, _) in enumerate(quantities) if not isinstance(q, Fixed)]
    cols = cols[:MAX_INPUTS]
    levels = (np.arange(GRID) + 0.5) / GRID
    rows = np.tile(base, (len(cols) * GRID, 1))
    for j, col in enumerate(cols):
        _, q, legal = quantities[col]
        rows[j * GRID : (j + 1) * GRID, col] = from_uniform(q, levels, legal)
    draws = assemble(sc, rows, np.zeros(rows.shape[0], dtype=np.uint64))
    zone = np.asarray(solve_draws(sc, draws).zopa_exists, dtype=bool).reshape(len(cols), GRID)
    openers: list[dict[str, Any]] = []
    for j, col in enumerate(cols):
        if not zone[j].any():
            continue
        path, q, legal = quantities[col]
        values = rows[j * GRID : (j + 1) * GRID, col]
        c = float(base[col])
        u_c = float(np.interp(c, values, levels))  # F(c) on the grid (values nondecreasing)
        mass = np.where(zone[j], np.abs(levels - u_c), np.inf)
        best = int(np.argmin(mass))
        openers.append(
            {"input": path, "central": c, "value": float(values[best]), "mass": float(mass[best])}
        )
    openers.sort(key=lambda r: r["mass"])
    return {"searched": len(cols), "grid": GRID, "openers": openers[:top]}


def explain(ig: Integrated, fc: Forecast) -> dict[str, Any]:
    """Every explanation of the integrated forecast, JSON-ready: ``drivers``, ``gives``,
    ``no_zone`` (None when the central values have a zone)."""
    return {"drivers": drivers(ig, fc), "gives": gives(ig, fc), "no_zone": zone_search(fc)}
