"""The Spatial Model of Politics on a scenario's draws: scenario -> arrays -> summary.

Mapping (docs/models/smp.md, "From a scenario to the SMP"): every issue is a dimension,
positions are rescaled from the issue's scale to [0, 1]; an actor's per-issue saliences
(each in [0, 1]) are used as they are when they add up to at most 1, and scaled down in
proportion to add up to exactly 1 otherwise (KTAB requires totals in (0, 1]; a scenario
imported from KTAB therefore runs on KTAB's own numbers). Numerical floors keep
KTAB's strict inequalities: a zero capability becomes 1e-12 of the largest, and an actor with
no salience at all gets 1e-12 on every issue (both leave it without practical weight).

The reported settlement of issue d is the expected outcome sum_p P(p) theta_pd over the
distinct final positions p, where P(p) is the probability that p prevails averaged over every
actor's estimate (the SMP's reported outcome, docs/models/smp.md, "Reported outcome").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.engines import smp
from summitry.engines.smp.options import SMPOptions
from summitry.engines.smp.report import unique_positions
from summitry.forecasting.adapter import Settings, Unavailable, per_issue, quantiles
from summitry.sampling import Draws
from summitry.scenario import Scenario

Array = NDArray[np.float64]
FLOOR = 1e-12
MIN_ACTORS = 3
SLICE = 4096
"""Most samples per engine call. The engine keeps no trajectories here (``path=False``);
one call per forecast chunk pays its per-turn overhead once."""
SLICE_ELEMENTS = 1 << 22
"""Fewer samples per call for large scenarios: a call's (samples, n, n, issues) blocks, such
as the distances to every bargain, hold at most about this many numbers."""


@dataclass(frozen=True)
class SMPRun:
    """Per-sample SMP results on the scenario's scales.

    ``initial``/``settlement``: (B, D) expected outcome before the first and after the last
    turn; ``positions``: (B, n, D) final positions; ``turns_run``: (B,) turns the model ran
    (``max_turns`` where it never met its stopping rule); ``converged``: (B,) whether the
    stopping rule fired; ``period``: (B,) the length of the exact cycle a run that reached the
    cap repeats, 0 if none (docs/models/smp.md, "Runs that reach the turn cap").
    """

    initial: Array
    settlement: Array
    positions: Array
    turns_run: NDArray[np.int64]
    converged: NDArray[np.bool_]
    period: NDArray[np.int64]

    @property
    def capped(self) -> NDArray[np.bool_]:
        """(B,) runs that reached the turn cap without meeting the stopping rule."""
        return ~self.converged

    @staticmethod
    def concat(parts: list[SMPRun]) -> SMPRun:
        return SMPRun(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))


_FIELDS = ("initial", "settlement", "positions", "turns_run", "converged", "period")


def accommodation_matrix(scenario: Scenario) -> Array | None:
    """The scenario's accommodation rows as an (n, n) matrix (None: the identity)."""
    rows = scenario.model.smp.accommodation
    if not rows:
        return None
    ids = scenario.actor_ids
    acc = np.eye(len(ids))  # actors without a row: the ideal point follows the position
    for actor, row in rows.items():
        i = ids.index(actor)
        acc[i] = 0.0
        for other, weight in row.items():
            acc[i, ids.index(other)] = weight
    return acc


def engine_inputs(scenario: Scenario, draws: Draws) -> tuple[Array, Array, Array, Array | None]:
    """(capability (B, n), position (B, n, D), salience (B, n, D), accommodation) as the
    engine takes them (see the module docstring for the mapping)."""
    lo = np.array([i.scale[0] for i in scenario.issues])
    width = np.array([i.scale[1] - i.scale[0] for i in scenario.issues])
    position = np.clip((draws.position - lo) / width, 0.0, 1.0)
    cap = draws.capability
    cap = np.maximum(cap, FLOOR * np.maximum(cap.max(axis=1, keepdims=True), FLOOR))
    sal = draws.salience / np.maximum(draws.salience.sum(axis=2, keepdims=True), 1.0)
    sal = np.where(sal.sum(axis=2, keepdims=True) > 0, sal, FLOOR)
    return cap, position, sal, accommodation_matrix(scenario)


def run_smp(
    scenario: Scenario, draws: Draws, options: SMPOptions, uniforms: Array | None = None
) -> SMPRun:
    """Run the SMP on every sample of ``draws`` (see the module docstring for the mapping)."""
    n = len(scenario.actors)
    if n < MIN_ACTORS:
        raise ValueError(f"the spatial model needs at least {MIN_ACTORS} actors, got {n}")
    lo = np.array([i.scale[0] for i in scenario.issues])
    width = np.array([i.scale[1] - i.scale[0] for i in scenario.issues])
    cap, position, sal, acc = engine_inputs(scenario, draws)
    parts = []
    size = max(1, min(SLICE, SLICE_ELEMENTS // (n * n * len(scenario.issues))))
    for s in range(0, cap.shape[0], size):
        rows = slice(s, s + size)
        u = None if uniforms is None else uniforms[rows]
        res = smp.simulate(cap[rows], position[rows], sal[rows], options, acc, u, path=False)
        final = res.positions[:, -1]  # the state at the stopping turn (or the cap)
        parts.append(
            SMPRun(
                initial=lo + _expected_outcome(res.positions[:, 0], res.prob[:, 0]) * width,
                settlement=lo + _expected_outcome(final, res.prob[:, -1]) * width,
                positions=lo + final * width,
                turns_run=res.turns_run,
                converged=res.converged,
                period=res.period,
            )
        )
    return SMPRun.concat(parts)


def _expected_outcome(theta: Array, prob: Array) -> Array:
    """sum over distinct positions of P(p) theta_p, P averaged over estimators: (B, K)."""
    is_rep, _ = unique_positions(theta)
    p = prob.mean(axis=1) * is_rep
    p = p / p.sum(axis=1, keepdims=True)
    return np.einsum("bn,bnk->bk", p, theta)


def run_on_draws(scenario: Scenario, draws: Draws) -> SMPRun:
    """The SMP with the scenario's ``model.smp`` options and, in stochastic resolution,
    per-sample uniforms (max_turns, n) from stream 1 of each sample's seed."""
    from summitry.forecasting.eum import uniforms

    options = scenario.model.smp.options()
    shape = (options.max_turns, len(scenario.actors))
    return run_smp(scenario, draws, options, uniforms(draws, options.resolution, shape, 1))


class SMPAdapter:
    """The Spatial Model of Politics: needs at least three actors."""

    name = "smp"
    scored: str | None = "smp.settlement.{}"

    def unavailable(self, scenario: Scenario) -> Unavailable | None:
        if len(scenario.actors) >= MIN_ACTORS:
            return None
        return Unavailable(
            f"it needs at least {MIN_ACTORS} actors",
            f"the spatial model needs at least {MIN_ACTORS} actors",
        )

    def run(self, scenario: Scenario, draws: Draws, settings: Settings) -> SMPRun:
        return run_on_draws(scenario, draws)

    def outputs(self, scenario: Scenario, draws: Draws, result: SMPRun) -> dict[str, Array]:
        out = {
            f"smp.settlement.{i}": result.settlement[:, k] for k, i in enumerate(scenario.issue_ids)
        }
        out["smp.turns"] = result.turns_run.astype(float)
        out["smp.capped"] = result.capped.astype(float)
        return out

    def output_names(self, scenario: Scenario) -> tuple[str, ...]:
        return (*(f"smp.settlement.{i}" for i in scenario.issue_ids), "smp.turns", "smp.capped")

    def summary(self, scenario: Scenario, result: SMPRun) -> dict[str, Any] | None:
        return {
            "settlement": per_issue(scenario, result.settlement),
            "turns": quantiles(result.turns_run.astype(float)),
            "share_capped": float(result.capped.mean()),
        }

    def concat(self, parts: Sequence[SMPRun]) -> SMPRun:
        return SMPRun.concat(list(parts))


ADAPTER = SMPAdapter()
