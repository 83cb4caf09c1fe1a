"""Every model's forecast of every DEU issue, batched (docs/benchmark-deu.md, "Models").

Each issue is an independent one-dimensional problem on DEU's 0-100 scale with the actors
that have a position, a salience and a capability on it. The closed-form models
(compromise, NBS, procedural, the baselines) take the issues x actors arrays as they are,
absent actors NaN. The expected-utility model and the Spatial Model of Politics need every
actor present, so the issues are grouped by the number of actors present and each group
runs as one batch with its actors in the file's column order. Nothing is random: the
forecasts are the models' deterministic predictions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from summitry.data.deu import DeuData

__all__ = ["MODELS", "YARDSTICK", "ModelForecast", "forecast_all"]

Array = NDArray[np.float64]
Group3 = tuple[NDArray[np.bool_], Array, Array]

MODELS: dict[str, str] = {
    "compromise": "Compromise",
    "eum": "EUM",
    "eum-scholz-code": "EUM scholz-code",
    "smp": "SMP",
    "nbs": "NBS",
    "procedural": "Procedural",
    "weighted-median": "Weighted median",
    "mean": "Unweighted mean",
    "commission": "Commission",
    "reference-point": "Reference point",
}
"""Model names (``--engine``) and their labels, in the order the results list them."""

YARDSTICK = "compromise"
"""The model every other one is compared with, issue by issue."""

SMP_MIN_ACTORS = 3
"""The SMP needs three actors (docs/models/smp.md); issues with fewer are not scored."""
FLOOR = 1e-12
"""The SMP's floors for a zero capability (x the largest) and a zero salience
(docs/models/smp.md, "From a scenario to the SMP")."""


@dataclass(frozen=True)
class ModelForecast:
    """One model's forecast per issue: ``point`` (issues,), NaN where the model makes none;
    for a model that gives a distribution, ``points`` and ``probs`` (issues, K): the
    support (NaN: no mass) and its probabilities."""

    name: str
    point: Array
    points: Array | None = None
    probs: Array | None = None


def _present(data: DeuData) -> NDArray[np.bool_]:
    """Actors with a position, a salience and a capability, per issue."""
    return ~(np.isnan(data.positions) | np.isnan(data.saliences) | np.isnan(data.capabilities))


def _groups(
    have: NDArray[np.bool_], minimum: int = 1
) -> list[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """(rows, columns) per number n >= ``minimum`` of present actors: the issues with n
    actors and, per issue, the columns of those actors in file order, (rows, n)."""
    count = have.sum(axis=1)
    out = []
    for n in np.unique(count):
        if n < minimum:
            continue
        rows = np.flatnonzero(count == n)
        cols = np.argsort(~have[rows], axis=1, kind="stable")[:, :n]
        out.append((rows.astype(np.int64), cols.astype(np.int64)))
    return out


def _take(a: Array, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> Array:
    """The present actors' values, (rows, n), from an issues x actors array."""
    return np.asarray(np.take_along_axis(a[rows], cols, axis=1), dtype=np.float64)


def _eum(data: DeuData, variant: str) -> ModelForecast:
    """The expected-utility model's median after its rounds (``variant``: an EUM preset,
    docs/models/eum.md), run deterministically; what ``summitry forecast`` reports as the
    EUM settlement."""
    from summitry.engines import eum
    from summitry.engines.eum.options import resolve_options

    opts = resolve_options(variant)
    out = np.full(len(data), np.nan)
    for rows, cols in _groups(_present(data)):
        c = _take(data.capabilities, rows, cols)
        x = _take(data.positions, rows, cols)
        s = _take(data.saliences, rows, cols)
        out[rows] = eum.simulate(c, x, s, opts).median[:, -1]
    return ModelForecast(f"eum-{variant}" if variant != "default" else "eum", out)


def _smp(data: DeuData) -> ModelForecast:
    """The SMP's reported outcome: the probability that each distinct final position
    prevails, averaged over the actors' estimates; the point forecast is its mean
    sum_p P(p) theta_p (docs/models/smp.md, "Reported outcome")."""
    from summitry.engines import smp
    from summitry.engines.smp.options import SMPOptions
    from summitry.engines.smp.report import unique_positions

    n_issues, n_actors = data.positions.shape
    point = np.full(n_issues, np.nan)
    points = np.full((n_issues, n_actors), np.nan)
    probs = np.zeros((n_issues, n_actors))
    opts = SMPOptions()
    for rows, cols in _groups(_present(data), SMP_MIN_ACTORS):
        cap = _take(data.capabilities, rows, cols)
        cap = np.maximum(cap, FLOOR * np.maximum(cap.max(axis=1, keepdims=True), FLOOR))
        pos = _take(data.positions, rows, cols)[:, :, None] / 100.0
        sal = _take(data.saliences, rows, cols)[:, :, None]
        sal = np.where(sal > 0, sal, FLOOR)
        res = smp.simulate(cap, pos, sal, opts, path=False)
        final = res.positions[:, -1]  # (m, n, 1)
        is_rep, _ = unique_positions(final)
        p = res.prob[:, -1].mean(axis=1) * is_rep
        p = p / p.sum(axis=1, keepdims=True)
        z = np.where(is_rep, 100.0 * final[:, :, 0], np.nan)
        n = cols.shape[1]
        points[rows, :n] = z
        probs[rows, :n] = p
        point[rows] = 100.0 * np.einsum("bn,bn->b", p, final[:, :, 0])
    return ModelForecast("smp", point, points, probs)


def _council_groups(data: DeuData) -> tuple[list[Group3], list[Group3]]:
    """The procedural model's requirements per issue as two sets of (members, weights,
    quota) groups; a change is acceptable when every group of either set accepts it
    (docs/benchmark-deu.md, "Models").

    First set: the Council under the rule in force on the introduction date (its weighted
    votes, or the population units of the Lisbon double majority, with the rule's quota on
    QMV issues and all of them on unanimity issues; the Lisbon rule's number of states),
    and the Parliament as a veto player under codecision. Second set: the Lisbon rule's
    alternative, so many states that fewer than ``blocking_min`` remain against (quota
    above the total, i.e. never, on other issues), and the same Parliament veto. An issue
    whose rule is unknown gets quota NaN in the first group.
    """
    from summitry.data import council

    rules = {r.name: r for r in council.RULES}
    actors = list(data.actors)
    shape = data.positions.shape
    m = np.zeros(shape, bool)
    votes, heads = np.zeros(shape), np.zeros(shape)
    q_votes, q_heads, q_crowd = np.zeros(shape[0]), np.zeros(shape[0]), np.zeros(shape[0])
    for i, name in enumerate(data.council_rules):
        rule = rules.get(str(name))
        if rule is None:
            q_votes[i] = np.nan
            continue
        for member, weight in zip(rule.members, rule.weights, strict=True):
            j = actors.index(member)
            m[i, j] = True
            votes[i, j], heads[i, j] = weight, 1.0
        n = len(rule.members)
        unanimous = data.voting_rules[i] == "Unan"
        q_votes[i] = float(sum(rule.weights)) if unanimous else float(rule.quota)
        q_heads[i] = float(rule.state_quota)
        q_crowd[i] = float(n + 1)  # more than every member: blocks every change
        if rule.kind == "double-majority" and not unanimous:
            q_crowd[i] = float(n - rule.blocking_min + 1)
    ep = np.zeros(shape, bool)
    ep[:, actors.index("ep")] = data.procedures == "COD"
    veto = (ep, ep.astype(float), ep.any(axis=1).astype(float))
    return [(m, votes, q_votes), (m, heads, q_heads), veto], [(m, heads, q_crowd), veto]


def _procedural(data: DeuData) -> ModelForecast:
    """The compromise projected onto the set of points the voting rule's coalitions accept
    against the reference point (docs/models/procedural.md). Acceptance counts the actors
    with a position and a salience > 0, as :func:`summitry.engines.procedural.procedural`
    does; the acceptable set is the union of the two group sets' intervals (each an
    interval around rp, so the union is one too)."""
    from summitry.engines.compromise import compromise
    from summitry.engines.procedural import acceptable_interval, project

    main, crowd = _council_groups(data)
    known = ~np.isnan(main[0][2])
    main[0] = (main[0][0], main[0][1], np.where(known, main[0][2], 0.0))
    s = data.saliences
    caring = np.where(~np.isnan(s) & (s > 0), data.positions, np.nan)
    lo_a, hi_a = acceptable_interval(caring, data.reference_points, main)
    lo_b, hi_b = acceptable_interval(caring, data.reference_points, crowd)
    point = compromise(data.positions, s, data.capabilities)
    x = project(point, np.minimum(lo_a, lo_b), np.maximum(hi_a, hi_b))
    return ModelForecast("procedural", np.where(known, x, np.nan))


def _closed_form(name: str) -> Callable[[DeuData], ModelForecast]:
    def run(data: DeuData) -> ModelForecast:
        from summitry.engines.compromise import compromise, mean_position, weighted_median
        from summitry.engines.nbs import nbs

        x, s, c = data.positions, data.saliences, data.capabilities
        if name == "compromise":
            point = compromise(x, s, c)
        elif name == "nbs":
            point = nbs(x, s, c, data.reference_points)
        elif name == "weighted-median":
            point = weighted_median(x, s, c)
        elif name == "mean":
            point = mean_position(x)
        elif name == "commission":
            point = np.array(x[:, list(data.actors).index("com")], dtype=np.float64)
        else:  # reference-point
            point = np.array(data.reference_points, dtype=np.float64)
        return ModelForecast(name, np.asarray(point, dtype=np.float64))

    return run


_RUNNERS: dict[str, Callable[[DeuData], ModelForecast]] = {
    "eum": lambda d: _eum(d, "default"),
    "eum-scholz-code": lambda d: _eum(d, "scholz-code"),
    "smp": _smp,
    "procedural": _procedural,
    **{
        n: _closed_form(n)
        for n in ("compromise", "nbs", "weighted-median", "mean", "commission", "reference-point")
    },
}


def forecast_all(data: DeuData, models: Sequence[str]) -> dict[str, ModelForecast]:
    """Each named model's forecast of every issue of ``data`` (a model's point is NaN on an
    issue it cannot forecast: no reference point for NBS, procedural and the reference
    point, no Commission position, fewer than three actors for the SMP)."""
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown model {unknown[0]!r}; choose from {', '.join(MODELS)}")
    return {m: _RUNNERS[m](data) for m in models}
