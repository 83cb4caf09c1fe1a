"""Run the engines on a scenario and summarise the result (the ensemble view).

``forecast(scenario, samples, seed)`` draws the scenario's inputs (:mod:`summitry.sampling`),
runs the expected-utility engine on every issue of every sample
(:func:`summitry.engines.eum.simulate_issues`) in chunks, and returns a :class:`Forecast`:
per-sample outputs, quantile summaries per issue, and a pandas view. The same seed gives
bit-identical numbers whatever the chunk size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from summitry.engines import eum
from summitry.engines.eum_options import EUMOptions, resolve_options
from summitry.sampling import Draws, central, draw
from summitry.scenario import Scenario, load

if TYPE_CHECKING:
    import pandas as pd

QUANTILES = (0.1, 0.5, 0.9)
DEFAULT_CHUNK = 4096


@dataclass(frozen=True)
class Forecast:
    """Expected-utility forecast of every issue, over ``samples`` draws of the inputs.

    Per-sample arrays have a leading (samples, issues) shape: ``median`` and ``mean`` are
    (B, D, R+1) trajectories (row 0 the initial state), ``positions`` (B, D, R+1, n),
    ``counts`` (B, D, R, 3) proposals [conflict, compromise, capitulation] per round.
    """

    scenario: Scenario
    options: EUMOptions
    seed: int
    point: bool
    draws: Draws
    result: eum.EUMResult

    @property
    def samples(self) -> int:
        return self.draws.samples

    def settlement(self) -> NDArray[np.float64]:
        """The forecast settlement: the median after the last round, (B, D)."""
        return self.result.median[:, :, -1]

    def frame(self) -> pd.DataFrame:
        """One row per sample and issue: initial and final median and weighted mean."""
        import pandas as pd

        r = self.result
        b, d = r.median.shape[:2]
        return pd.DataFrame(
            {
                "sample": np.repeat(np.arange(b), d),
                "issue": np.tile(self.scenario.issue_ids, b),
                "initial_median": r.median[:, :, 0].ravel(),
                "final_median": r.median[:, :, -1].ravel(),
                "initial_mean": r.mean[:, :, 0].ravel(),
                "final_mean": r.mean[:, :, -1].ravel(),
                "rounds_run": r.rounds_run.ravel(),
                "cycled": r.cycled.ravel(),
            }
        )

    def summary(self) -> list[dict[str, Any]]:
        """Per issue: status quo, initial/final median and mean as p10/p50/p90, anchors."""
        r = self.result
        rows: list[dict[str, Any]] = []
        for k, issue in enumerate(self.scenario.issues):
            final = _quantiles(r.median[:, k, -1])
            anchor = issue.nearest_anchor(final["p50"])
            sq = issue.status_quo.central() if issue.status_quo is not None else None
            row: dict[str, Any] = {
                "issue": issue.id,
                "label": issue.label,
                "scale": list(issue.scale),
                "status_quo": sq,
                "initial_median": _quantiles(r.median[:, k, 0]),
                "final_median": final,
                "initial_mean": _quantiles(r.mean[:, k, 0]),
                "final_mean": _quantiles(r.mean[:, k, -1]),
                "nearest_anchor": None if anchor is None else {"at": anchor[0], "label": anchor[1]},
                "share_cycled": float(r.cycled[:, k].mean()),
                "mean_rounds_run": float(r.rounds_run[:, k].mean()),
            }
            if self.samples == 1:
                row["trajectory"] = {
                    "median": r.median[0, k].tolist(),
                    "mean": r.mean[0, k].tolist(),
                    "counts": r.counts[0, k].tolist(),
                }
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record of the run and its per-issue summary."""
        return {
            "scenario": self.scenario.name,
            "title": self.scenario.title,
            "samples": self.samples,
            "seed": self.seed,
            "point": self.point,
            "engine": "eum",
            "options": _options_dict(self.options),
            "issues": self.summary(),
        }

    def trace(self, sample: int = 0) -> dict[str, list[Any]]:
        """Who proposed what to whom in ``sample``, per issue (the reference engine's trace)."""
        from summitry.engines.reference.eum import simulate_one

        if not 0 <= sample < self.samples:
            raise ValueError(f"sample must be in 0..{self.samples - 1}, got {sample}")
        out: dict[str, list[Any]] = {}
        uniforms = _uniforms(self.draws, self.options, self.scenario)
        for k, issue_id in enumerate(self.scenario.issue_ids):
            run = simulate_one(
                self.draws.capability[sample],
                self.draws.position[sample, :, k],
                self.draws.salience[sample, :, k],
                self.options,
                None if uniforms is None else uniforms[sample, k],
            )
            out[issue_id] = list(run.trace)
        return out


def forecast(
    scenario: Scenario | str | Path,
    samples: int = 1000,
    seed: int = 0,
    *,
    variant: str | None = None,
    rounds: int | None = None,
    point: bool = False,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> Forecast:
    """Forecast every issue of ``scenario`` with the expected-utility model.

    ``variant``/``rounds`` override the scenario's ``model.eum`` settings. ``point=True``
    runs once on the central value of every input instead of sampling. ``progress`` is
    called with the number of samples finished after each chunk.
    """
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    options = scenario_options(sc, variant=variant, rounds=rounds)
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    if point:
        draws = central(sc)
        result = _run(draws, options, sc)
        if progress:
            progress(1)
        return Forecast(sc, options, seed, True, draws, result)
    parts_d: list[Draws] = []
    parts_r: list[eum.EUMResult] = []
    for start in range(0, samples, chunk):
        size = min(chunk, samples - start)
        d = draw(sc, size, seed, start=start)
        parts_d.append(d)
        parts_r.append(_run(d, options, sc))
        if progress:
            progress(size)
    if not parts_d:
        raise ValueError(f"samples must be >= 1, got {samples}")
    return Forecast(sc, options, seed, False, _concat_draws(parts_d), _concat_results(parts_r))


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


def _run(draws: Draws, options: EUMOptions, scenario: Scenario) -> eum.EUMResult:
    return eum.simulate_issues(
        draws.capability,
        draws.position,
        draws.salience,
        options,
        _uniforms(draws, options, scenario),
    )


def _uniforms(draws: Draws, options: EUMOptions, scenario: Scenario) -> NDArray[np.float64] | None:
    """Per-sample uniforms (B, D, R, n, n) for stochastic conflict, from each sample's seed."""
    if options.conflict != "stochastic":
        return None
    shape = (len(scenario.issues), options.rounds, len(scenario.actors), len(scenario.actors))
    return np.stack(
        [np.random.Generator(np.random.PCG64(int(s))).random(shape) for s in draws.engine_seeds]
    )


def _quantiles(x: NDArray[np.float64]) -> dict[str, float]:
    q = np.quantile(x, QUANTILES)
    return {f"p{round(p * 100)}": float(v) for p, v in zip(QUANTILES, q, strict=True)}


def _options_dict(options: EUMOptions) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(options)


def _concat_draws(parts: list[Draws]) -> Draws:
    if len(parts) == 1:
        return parts[0]
    return Draws(
        capability=np.concatenate([p.capability for p in parts]),
        position=np.concatenate([p.position for p in parts]),
        salience=np.concatenate([p.salience for p in parts]),
        status_quo=np.concatenate([p.status_quo for p in parts]),
        engine_seeds=np.concatenate([p.engine_seeds for p in parts]),
        extra={k: np.concatenate([p.extra[k] for p in parts]) for k in parts[0].extra},
    )


def _concat_results(parts: list[eum.EUMResult]) -> eum.EUMResult:
    if len(parts) == 1:
        return parts[0]
    fields = eum.EUMResult.__dataclass_fields__
    return eum.EUMResult(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})
