"""The expected-utility model on a scenario's draws (docs/models/eum.md).

Every issue of every sample runs :func:`summitry.engines.eum.simulate_issues` with each
actor's capability on that issue (:func:`summitry.sampling.issue_capability`), the sampled
positions and saliences, and, with stochastic conflict, per-sample uniforms from stream 0 of
the sample's own seed (so a sample's run does not depend on its chunk). Outputs:
``eum.settlement.<issue>`` (the median after the last round), ``eum.mean.<issue>`` (the
weighted mean after it) and ``eum.shift.<issue>`` (settlement minus the initial median).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.engines import eum
from summitry.engines.eum.options import EUMOptions, resolve_options
from summitry.forecasting.adapter import Settings, Unavailable, concat_rows, per_issue
from summitry.sampling import Draws, issue_capability
from summitry.scenario import Scenario


def scenario_options(
    scenario: Scenario, *, variant: str | None = None, rounds: int | None = None
) -> EUMOptions:
    """The scenario's EUM options, with a preset and round count from the caller on top."""
    options = scenario.model.eum.options()
    if variant is not None:
        options = resolve_options(variant, rounds=options.rounds)
    if rounds is not None:
        options = options.with_overrides(rounds=rounds)
    return options


def uniforms(
    draws: Draws, mode: str, shape: tuple[int, ...], stream: int
) -> NDArray[np.float64] | None:
    """Per-sample uniforms (B, *shape) for an engine's random choices, or None when ``mode``
    is not ``"stochastic"``. Sample b's draws come from stream ``stream`` of its own seed,
    so they do not depend on which chunk the sample is in."""
    if mode != "stochastic":
        return None
    out = np.empty((draws.samples, *shape))  # filled in place: no list of copies to stack
    for b, s in enumerate(draws.engine_seeds):
        seq = np.random.SeedSequence(int(s), spawn_key=(stream,))
        np.random.Generator(np.random.PCG64(seq)).random(out=out[b])
    return out


def eum_shape(scenario: Scenario, options: EUMOptions) -> tuple[int, int, int, int]:
    """Per-sample shape of the expected-utility engine's uniforms: (D, R, n, n)."""
    n = len(scenario.actors)
    return (len(scenario.issues), options.rounds, n, n)


def run_eum(scenario: Scenario, draws: Draws, options: EUMOptions) -> eum.EUMResult:
    """The expected-utility engine on every issue of every row of ``draws``."""
    return eum.simulate_issues(
        issue_capability(scenario, draws),
        draws.position,
        draws.salience,
        options,
        uniforms(draws, options.conflict, eum_shape(scenario, options), 0),
    )


def ends(r: eum.EUMResult) -> eum.EUMResult:
    """Only the rows a sampled run keeps (docs/limits.md): rows 0 and R of the trajectories
    ``median``, ``mean`` and ``positions``, no per-round ``counts`` or ``risk``."""
    rows = [0, -1]
    b, d = r.counts.shape[:2]
    return eum.EUMResult(
        positions=r.positions[:, :, rows],
        median=r.median[:, :, rows],
        mean=r.mean[:, :, rows],
        counts=np.empty((b, d, 0, r.counts.shape[3]), dtype=r.counts.dtype),
        risk=np.empty((b, d, 0, r.risk.shape[3]), dtype=r.risk.dtype),
        rounds_run=r.rounds_run.copy(),
        cycled=r.cycled.copy(),
    )


class EUMAdapter:
    """The expected-utility model: always available, always run by the forecast."""

    name = "eum"
    scored: str | None = "eum.settlement.{}"

    def unavailable(self, scenario: Scenario) -> Unavailable | None:
        return None

    def run(self, scenario: Scenario, draws: Draws, settings: Settings) -> eum.EUMResult:
        return run_eum(scenario, draws, settings.eum)

    def outputs(
        self, scenario: Scenario, draws: Draws, result: eum.EUMResult
    ) -> dict[str, NDArray[np.float64]]:
        out: dict[str, NDArray[np.float64]] = {}
        for k, issue in enumerate(scenario.issue_ids):
            out[f"eum.settlement.{issue}"] = result.median[:, k, -1]
            out[f"eum.mean.{issue}"] = result.mean[:, k, -1]
            out[f"eum.shift.{issue}"] = result.median[:, k, -1] - result.median[:, k, 0]
        return out

    def output_names(self, scenario: Scenario) -> tuple[str, ...]:
        return tuple(
            f"eum.{what}.{issue}"
            for issue in scenario.issue_ids
            for what in ("settlement", "mean", "shift")
        )

    def summary(self, scenario: Scenario, result: eum.EUMResult) -> dict[str, Any] | None:
        return {"settlement": per_issue(scenario, result.median[:, :, -1])}

    def concat(self, parts: Sequence[eum.EUMResult]) -> eum.EUMResult:
        return concat_rows(parts)


ADAPTER = EUMAdapter()
