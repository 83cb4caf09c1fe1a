"""Run the engines on a scenario and summarise the result (the ensemble view).

``forecast(scenario, samples, seed)`` draws the scenario's inputs (:mod:`summitry.sampling`),
runs the expected-utility engine on every issue of every sample
(:func:`summitry.engines.eum.simulate_issues`, with each actor's capability on that issue:
:func:`summitry.sampling.issue_capability`) and, unless told otherwise, the Spatial Model
of Politics on all issues at once (:mod:`summitry.forecast_smp`), in chunks, and returns a
:class:`Forecast`: per-sample outputs, quantile summaries per issue, and a pandas view. The
same seed gives bit-identical numbers whatever the chunk size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from summitry import forecast_bargaining as fb
from summitry.engines import eum
from summitry.engines.bargaining import NashSolution, PrivateInformation
from summitry.engines.eum_options import EUMOptions, resolve_options
from summitry.engines.options import OptionsResult, summarise
from summitry.engines.options_payoffs import OPTIONS
from summitry.engines.smp_options import SMPOptions
from summitry.forecast_smp import MIN_ACTORS, SMPRun, run_smp
from summitry.sampling import Draws, central, draw, issue_capability
from summitry.scenario import Scenario, load

if TYPE_CHECKING:
    import pandas as pd

QUANTILES = (0.1, 0.5, 0.9)
DEFAULT_CHUNK = 4096
ENGINES = ("eum", "smp", "bargaining")
"""The engines :func:`forecast` can run; the expected-utility model always runs."""


@dataclass(frozen=True)
class Forecast:
    """The forecast of every issue, over ``samples`` draws of the inputs.

    ``result`` holds the expected-utility engine's per-sample arrays with a leading
    (samples, issues) shape: ``median`` and ``mean`` are (B, D, R+1) trajectories (row 0 the
    initial state), ``positions`` (B, D, R+1, n), ``counts`` (B, D, R, 3) proposals
    [conflict, compromise, capitulation] per round. ``smp`` holds the spatial model's
    results when it ran, ``bargaining`` the bargaining model's per-sample solution when the
    scenario has a bargaining section; ``notes`` says why an engine did not run.
    """

    scenario: Scenario
    options: EUMOptions
    seed: int
    point: bool
    draws: Draws
    result: eum.EUMResult
    smp: SMPRun | None = None
    smp_options: SMPOptions | None = None
    bargaining: NashSolution | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def engines(self) -> tuple[str, ...]:
        """The engines whose results this forecast holds."""
        ran = {"smp": self.smp is not None, "bargaining": self.bargaining is not None}
        return ("eum", *(e for e in ENGINES[1:] if ran[e]))

    @cached_property
    def private(self) -> PrivateInformation | None:
        """A's best offer when B's reservation is known only through the samples' d_B
        (computed once over the whole run; None without the bargaining model)."""
        if self.bargaining is None:
            return None
        return fb.private_offer(self.scenario, central(self.scenario), self.bargaining.d_b)

    @cached_property
    def options_game(self) -> OptionsResult | None:
        """The options game of every sample (needs the bargaining model and an options
        section; computed once, since it uses the whole run's P(deal))."""
        if self.bargaining is None or self.scenario.options is None or self.private is None:
            return None
        from summitry.forecast_options import run_options

        return run_options(self.scenario, self.draws, self.bargaining, self.private.p_deal)

    def options_summary(self) -> dict[str, Any] | None:
        """Share of samples on each subgame-perfect path and mean QRE probabilities."""
        game = self.options_game
        return None if game is None else summarise(game)

    def deal_summary(self) -> dict[str, Any] | None:
        """P(zone of agreement), P(deal) and the terms under private information, the
        complete-information deal terms per issue (over the ``n_zopa`` of ``samples`` samples
        with a zone), and surpluses."""
        sol, pi = self.bargaining, self.private
        if sol is None or pi is None:
            return None
        bg = self.scenario.bargaining
        assert bg is not None
        zopa = sol.zopa_exists
        terms = fb.to_scale(self.scenario, sol.z)
        issues = {}
        for k, issue in enumerate(self.scenario.issues):
            q = _quantiles(terms[zopa, k]) if zopa.any() else None
            anchor = issue.nearest_anchor(q["p50"]) if q else None
            issues[issue.id] = {
                "terms": q,
                "nearest_anchor": None if anchor is None else {"at": anchor[0], "label": anchor[1]},
            }
        offer = fb.to_scale(self.scenario, pi.z[None])[0] if pi.offer else None
        return {
            "channel": bg.channel,
            "principals": {"a": bg.active().a, "b": bg.principals["b"]},
            "ratifiers": list(bg.active().ratifiers),
            "p_zopa": float(zopa.mean()),
            "n_zopa": int(zopa.sum()),
            "samples": int(zopa.size),
            "p_zopa_without_ratifiers": float(sol.zopa_without_ratifiers.mean()),
            "alpha_a": _quantiles(sol.alpha_a),
            "surplus_a": _quantiles(sol.surplus_a[zopa]) if zopa.any() else None,
            "surplus_b": _quantiles(sol.surplus_b[zopa]) if zopa.any() else None,
            "issues": issues,
            "private_information": {
                "offer": pi.offer,
                "p_deal": pi.p_deal,
                "p_breakdown": pi.p_breakdown,
                "terms": None
                if offer is None
                else {i: float(x) for i, x in zip(self.scenario.issue_ids, offer, strict=True)},
            },
        }

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
            if self.smp is not None:
                smp_final = _quantiles(self.smp.settlement[:, k])
                smp_anchor = issue.nearest_anchor(smp_final["p50"])
                row["smp"] = {
                    "initial": _quantiles(self.smp.initial[:, k]),
                    "settlement": smp_final,
                    "nearest_anchor": None
                    if smp_anchor is None
                    else {"at": smp_anchor[0], "label": smp_anchor[1]},
                }
            if self.samples == 1:
                row["trajectory"] = {
                    "median": r.median[0, k].tolist(),
                    "mean": r.mean[0, k].tolist(),
                    "counts": r.counts[0, k].tolist(),
                }
            rows.append(row)
        return rows

    def outputs(self) -> dict[str, NDArray[np.float64]]:
        """Every per-sample scalar output by name, each (B,): the quantities that
        sensitivity analysis, comparisons and the store work on.

        ``eum.settlement.<issue>``: the median after the last round;
        ``eum.mean.<issue>``: the weighted mean after the last round;
        ``eum.shift.<issue>``: settlement minus the initial median;
        ``smp.settlement.<issue>``: the spatial model's expected outcome (when it ran);
        ``bargaining.zopa`` (1 where a zone of agreement exists, else 0),
        ``bargaining.terms.<issue>`` (the Nash deal, NaN without a zone),
        ``bargaining.outcome.<issue>`` (where the issue stands after the talks: the Nash deal
        where a zone exists, else the status quo),
        ``bargaining.surplus_a``/``surplus_b`` and ``bargaining.d_b`` (when it ran);
        ``options.engage``/``pressure``/``strike``: 1 where the options game's
        subgame-perfect choice is that option (with an options section; the game uses the
        whole run's P(deal), so these depend on the other samples of the run).
        """
        r = self.result
        out: dict[str, NDArray[np.float64]] = {}
        for k, issue in enumerate(self.scenario.issue_ids):
            out[f"eum.settlement.{issue}"] = r.median[:, k, -1]
            out[f"eum.mean.{issue}"] = r.mean[:, k, -1]
            out[f"eum.shift.{issue}"] = r.median[:, k, -1] - r.median[:, k, 0]
            if self.smp is not None:
                out[f"smp.settlement.{issue}"] = self.smp.settlement[:, k]
        if self.bargaining is not None:
            sol = self.bargaining
            out["bargaining.zopa"] = sol.zopa_exists.astype(float)
            out["bargaining.surplus_a"] = sol.surplus_a
            out["bargaining.surplus_b"] = sol.surplus_b
            out["bargaining.d_b"] = sol.d_b
            terms = fb.to_scale(self.scenario, sol.z)
            for k, issue in enumerate(self.scenario.issue_ids):
                out[f"bargaining.terms.{issue}"] = terms[:, k]
            status_quo = self.draws.status_quo
            for k, issue in enumerate(self.scenario.issue_ids):
                out[f"bargaining.outcome.{issue}"] = np.where(
                    sol.zopa_exists, terms[:, k], status_quo[:, k]
                )
        game = self.options_game
        if game is not None:
            for j, option in enumerate(OPTIONS):
                out[f"options.{option.lower()}"] = (game.choice == j).astype(float)
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record of the run and its per-issue summary."""
        return {
            "scenario": self.scenario.name,
            "title": self.scenario.title,
            "samples": self.samples,
            "seed": self.seed,
            "point": self.point,
            "engines": list(self.engines),
            "options": asdict(self.options),
            "smp_options": None if self.smp_options is None else asdict(self.smp_options),
            "notes": list(self.notes),
            "issues": self.summary(),
            "deal": self.deal_summary(),
            "options_game": self.options_summary(),
        }

    def trace(self, sample: int = 0) -> dict[str, list[Any]]:
        """Who proposed what to whom in ``sample``, per issue (the reference engine's trace)."""
        from summitry.engines.reference.eum import simulate_one

        if not 0 <= sample < self.samples:
            raise ValueError(f"sample must be in 0..{self.samples - 1}, got {sample}")
        out: dict[str, list[Any]] = {}
        uniforms = _uniforms(
            self.draws, self.options.conflict, _eum_shape(self.scenario, self.options), 0
        )
        capability = issue_capability(self.scenario, self.draws)
        for k, issue_id in enumerate(self.scenario.issue_ids):
            run = simulate_one(
                capability[sample, :, k],
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
    start: int = 0,
    variant: str | None = None,
    rounds: int | None = None,
    engines: Sequence[str] = ENGINES,
    point: bool = False,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> Forecast:
    """Forecast every issue of ``scenario``.

    Uses rows ``start .. start + samples - 1`` of the seed's draws (so a sweep can split
    one run into pieces). ``variant``/``rounds`` override the scenario's ``model.eum``
    settings. ``engines`` lists the engines to run beyond the always-run expected-utility
    model (``"smp"``; see :func:`forecast_draws`). ``point=True`` runs once on the central
    value of every input instead of sampling. ``progress`` is called with the number of
    samples finished after each chunk.
    """
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    options = scenario_options(sc, variant=variant, rounds=rounds)
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    if point:
        fc = forecast_draws(sc, central(sc), options, seed=seed, point=True, engines=engines)
        if progress:
            progress(1)
        return fc
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    parts: list[Forecast] = []
    for offset in range(0, samples, chunk):
        size = min(chunk, samples - offset)
        d = draw(sc, size, seed, start=start + offset)
        parts.append(forecast_draws(sc, d, options, seed, engines=engines))
        if progress:
            progress(size)
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    return Forecast(
        sc,
        options,
        seed,
        False,
        _concat_draws([p.draws for p in parts]),
        _concat_results([p.result for p in parts]),
        None if first.smp is None else SMPRun.concat([p.smp for p in parts if p.smp]),
        first.smp_options,
        None
        if first.bargaining is None
        else fb.concat([p.bargaining for p in parts if p.bargaining]),
        first.notes,
    )


def forecast_draws(
    scenario: Scenario,
    draws: Draws,
    options: EUMOptions,
    seed: int = 0,
    point: bool = False,
    engines: Sequence[str] = ENGINES,
) -> Forecast:
    """Run the engines on given draws (from :func:`summitry.sampling.draw` or a design).

    The expected-utility model always runs. ``"smp"`` in ``engines`` adds the spatial model
    and ``"bargaining"`` the bargaining model, where the scenario allows them; when
    ``engines`` names a single engine the scenario cannot run (the spatial model needs three
    actors, the bargaining model a bargaining section) that is an error, otherwise the
    reason it was skipped is kept in ``Forecast.notes``.
    """
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        raise ValueError(
            f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES)}"
        )
    result = eum.simulate_issues(
        issue_capability(scenario, draws),
        draws.position,
        draws.salience,
        options,
        _uniforms(draws, options.conflict, _eum_shape(scenario, options), 0),
    )
    smp_run, smp_opts, deal, notes = None, None, None, list[str]()
    explicit = len(engines) == 1
    if "smp" in engines:
        if len(scenario.actors) >= MIN_ACTORS:
            smp_opts = scenario.model.smp.options()
            shape = (smp_opts.max_turns, len(scenario.actors))
            u = _uniforms(draws, smp_opts.resolution, shape, 1)
            smp_run = run_smp(scenario, draws, smp_opts, u)
        elif explicit:
            raise ValueError(f"the spatial model needs at least {MIN_ACTORS} actors")
        else:
            notes.append(f"smp: not run (it needs at least {MIN_ACTORS} actors)")
    if "bargaining" in engines:
        if scenario.bargaining is not None:
            deal = fb.solve_draws(scenario, draws)
        elif explicit:
            raise ValueError(f"scenario '{scenario.name}' has no bargaining section")
        else:
            notes.append("bargaining: not run (the scenario has no bargaining section)")
    return Forecast(
        scenario, options, seed, point, draws, result, smp_run, smp_opts, deal, tuple(notes)
    )


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


def _uniforms(
    draws: Draws, mode: str, shape: tuple[int, ...], stream: int
) -> NDArray[np.float64] | None:
    """Per-sample uniforms (B, *shape) for an engine's random choices, or None when ``mode``
    is not ``"stochastic"``. Sample b's draws come from stream ``stream`` of its own seed,
    so they do not depend on which chunk the sample is in."""
    if mode != "stochastic":
        return None
    return np.stack(
        [
            np.random.Generator(
                np.random.PCG64(np.random.SeedSequence(int(s), spawn_key=(stream,)))
            ).random(shape)
            for s in draws.engine_seeds
        ]
    )


def _eum_shape(scenario: Scenario, options: EUMOptions) -> tuple[int, int, int, int]:
    """Per-sample shape of the expected-utility engine's uniforms: (D, R, n, n)."""
    n = len(scenario.actors)
    return (len(scenario.issues), options.rounds, n, n)


def _quantiles(x: NDArray[np.float64]) -> dict[str, float]:
    q = np.quantile(x, QUANTILES)
    return {f"p{round(p * 100)}": float(v) for p, v in zip(QUANTILES, q, strict=True)}


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
