"""The bargaining model on a scenario's draws: scenario -> BargainingProblem -> summary.

Mapping (docs/models/bargaining.md, "From a scenario to the bargaining model"): issues are
rescaled from their scales to [0, 1]; the ideal points of principal A (the actor the active
channel names), principal B and each of the channel's ratifiers are their positions, their
salience weights their saliences divided by their sum (equal weights if all are zero); the
no-deal point z0 is the status quo; ``bargaining.ideals`` replaces an actor's position by
its ideal point where the scenario says the stated position is an offer; o_A, o_B, tau,
delta and the ratifiers' offsets are the ``bargaining`` section's quantities, and in a
channel with an override cost that cost is added to o_A (overriding the dropped
ratifiers makes any deal dearer to the leader). The issues' consenters bound the deal terms
to the box of :func:`summitry.forecasting.consent.consent_box`, rescaled like the issues, in
every channel (docs/models/bargaining.md, "Issue-specific consent").

The complete-information solution is per sample (and so chunkable); the private-information
offer needs the distribution of d_B over all samples and is computed once, on the whole run,
from the central-value problem (docs/models/bargaining.md, "Private information").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.engines.bargaining import (
    BargainingProblem,
    NashSolution,
    PrivateInformation,
    private_information,
    solve,
)
from summitry.forecasting.adapter import Settings, Unavailable, quantiles
from summitry.forecasting.consent import consent_box
from summitry.sampling import Draws
from summitry.scenario import Scenario

Array = NDArray[np.float64]


def build_problem(scenario: Scenario, draws: Draws) -> BargainingProblem:
    """The batch of bargaining problems of ``draws`` (see the module docstring)."""
    bg = scenario.bargaining
    if bg is None:
        raise ValueError(f"scenario '{scenario.name}' has no bargaining section")
    lo, width = _scale(scenario)
    pos = (draws.position - lo) / width
    ids = scenario.actor_ids
    channel = bg.active()
    extra = draws.extra

    def profile(actor: str) -> tuple[Array, Array]:
        k = ids.index(actor)
        sal = draws.salience[:, k]
        total = sal.sum(axis=1, keepdims=True)
        weights = np.where(total > 0, sal / np.where(total > 0, total, 1.0), 1.0 / sal.shape[1])
        ideal = pos[:, k].copy()
        for d, issue in enumerate(scenario.issue_ids):
            key = f"bargaining.ideals.{actor}.{issue}"
            if key in extra:
                ideal[:, d] = (extra[key] - lo[d]) / width[d]
        return np.clip(ideal, 0.0, 1.0), weights

    a, w_a = profile(channel.a)
    b, w_b = profile(bg.principals["b"])
    o_a = extra["bargaining.outside_options.a"].copy()
    cost = f"bargaining.channels.{bg.channel}.override_cost"
    if cost in extra:
        o_a = o_a + extra[cost]
    size = draws.samples
    ratifiers = [profile(r) for r in channel.ratifiers]
    v = len(ratifiers)
    r_ideal = np.stack([r[0] for r in ratifiers], axis=1) if v else np.zeros((size, 0, a.shape[1]))
    r_weight = np.stack([r[1] for r in ratifiers], axis=1) if v else np.zeros((size, 0, a.shape[1]))
    r_offset = (
        np.stack([extra[f"bargaining.ratifiers.{r}.outside_option"] for r in channel.ratifiers], 1)
        if v
        else np.zeros((size, 0))
    )
    z0 = np.clip((draws.status_quo - lo) / width, 0.0, 1.0)
    box = consent_box(scenario, draws)
    box_lo = box_hi = None
    if box is not None:  # rounding is monotone, so box_lo <= z0 <= box_hi still holds
        box_lo = np.clip((box[0] - lo) / width, 0.0, 1.0)
        box_hi = np.clip((box[1] - lo) / width, 0.0, 1.0)
    return BargainingProblem.build(
        a=a,
        b=b,
        w_a=w_a,
        w_b=w_b,
        z0=z0,
        o_a=o_a,
        o_b=extra["bargaining.outside_options.b"],
        tau_a=extra["bargaining.credibility.a"],
        tau_b=extra["bargaining.credibility.b"],
        delta_a=extra["bargaining.patience.a"],
        delta_b=extra["bargaining.patience.b"],
        ratifier_ideal=r_ideal,
        ratifier_weight=r_weight,
        ratifier_offset=r_offset,
        form=bg.utility,
        size=size,
        box_lo=box_lo,
        box_hi=box_hi,
    )


def solve_draws(scenario: Scenario, draws: Draws) -> NashSolution:
    """Zone of agreement and asymmetric Nash deal of every sample."""
    return solve(build_problem(scenario, draws))


def private_offer(scenario: Scenario, central: Draws, d_b: Array) -> PrivateInformation:
    """A's optimal offer when it knows B's reservation only through the samples ``d_b``."""
    return private_information(build_problem(scenario, central), d_b)


def to_scale(scenario: Scenario, z: Array) -> Array:
    """Packages z on [0, 1]^D mapped back to the issues' scales."""
    lo, width = _scale(scenario)
    return lo + z * width


def concat(parts: list[NashSolution]) -> NashSolution:
    """Solutions of consecutive chunks as one."""
    if len(parts) == 1:
        return parts[0]
    return NashSolution(
        **{
            f.name: np.concatenate([getattr(p, f.name) for p in parts])
            for f in fields(NashSolution)
        }
    )


def _scale(scenario: Scenario) -> tuple[Array, Array]:
    lo = np.array([i.scale[0] for i in scenario.issues])
    hi = np.array([i.scale[1] for i in scenario.issues])
    return lo, hi - lo


class BargainingAdapter:
    """The bargaining model (complete information, per sample): needs a bargaining section.
    The private-information offer and the options game need the whole run and stay with
    :class:`summitry.forecast.Forecast`."""

    name = "bargaining"
    scored: str | None = "bargaining.outcome.{}"

    def unavailable(self, scenario: Scenario) -> Unavailable | None:
        if scenario.bargaining is not None:
            return None
        return Unavailable(
            "the scenario has no bargaining section",
            f"scenario '{scenario.name}' has no bargaining section",
        )

    def run(self, scenario: Scenario, draws: Draws, settings: Settings) -> NashSolution:
        return solve_draws(scenario, draws)

    def outputs(self, scenario: Scenario, draws: Draws, result: NashSolution) -> dict[str, Array]:
        out = {
            "bargaining.zopa": result.zopa_exists.astype(float),
            "bargaining.surplus_a": result.surplus_a,
            "bargaining.surplus_b": result.surplus_b,
            "bargaining.d_b": result.d_b,
        }
        terms = to_scale(scenario, result.z)
        for k, issue in enumerate(scenario.issue_ids):
            out[f"bargaining.terms.{issue}"] = terms[:, k]
        for k, issue in enumerate(scenario.issue_ids):
            out[f"bargaining.outcome.{issue}"] = np.where(
                result.zopa_exists, terms[:, k], draws.status_quo[:, k]
            )
        return out

    def output_names(self, scenario: Scenario) -> tuple[str, ...]:
        ids = scenario.issue_ids
        return (
            "bargaining.zopa",
            "bargaining.surplus_a",
            "bargaining.surplus_b",
            "bargaining.d_b",
            *(f"bargaining.terms.{i}" for i in ids),
            *(f"bargaining.outcome.{i}" for i in ids),
        )

    def summary(self, scenario: Scenario, result: NashSolution) -> dict[str, Any] | None:
        return {"p_zopa": float(result.zopa_exists.mean()), "d_b": quantiles(result.d_b)}

    def concat(self, parts: Sequence[NashSolution]) -> NashSolution:
        return concat(list(parts))


ADAPTER = BargainingAdapter()
