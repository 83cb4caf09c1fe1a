"""Run the engines on a scenario and summarise the result (the ensemble view).

``forecast(scenario, samples, seed)`` draws the scenario's inputs (:mod:`summitry.sampling`),
runs the engines of the registry (:mod:`summitry.forecasting.registry`) through their
adapters, in chunks: the expected-utility model always (:mod:`summitry.forecasting.eum`),
and by default the Spatial Model of Politics and the bargaining model where the scenario
allows them; the compromise model when asked for. It returns a :class:`Forecast`:
per-sample outputs, quantile summaries per issue, and a pandas view. The same seed gives
bit-identical numbers whatever the chunk size (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from summitry.engines import eum
from summitry.engines.bargaining import NashSolution, PrivateInformation
from summitry.engines.eum.options import EUMOptions
from summitry.engines.options_game import OptionsResult, summarise
from summitry.engines.options_game.payoffs import OPTIONS
from summitry.engines.smp.options import SMPOptions
from summitry.forecasting import bargaining as fb
from summitry.forecasting import registry
from summitry.forecasting.adapter import Settings, quantiles
from summitry.forecasting.eum import ends as _ends
from summitry.forecasting.eum import eum_shape as _eum_shape
from summitry.forecasting.eum import run_eum, scenario_options
from summitry.forecasting.eum import uniforms as _uniforms
from summitry.forecasting.smp import SMPRun
from summitry.sampling import Draws, central, draw, issue_capability
from summitry.scenario import Scenario, load

if TYPE_CHECKING:
    import pandas as pd

    from summitry.integrated import Integrated

DEFAULT_CHUNK = 4096
ENGINES = registry.DEFAULT
"""The default engine set (:data:`summitry.forecasting.registry.DEFAULT`); the
expected-utility model always runs. Every engine: :data:`ALL_ENGINES`."""
ALL_ENGINES = registry.NAMES
"""Every registered engine (:data:`summitry.forecasting.registry.NAMES`)."""


@dataclass(frozen=True)
class Forecast:
    """The forecast of every issue, over ``samples`` draws of the inputs.

    ``result`` holds the expected-utility engine's per-sample arrays with a leading
    (samples, issues) shape: ``median`` and ``mean`` are (B, D, T) trajectories (row 0 the
    initial state, row -1 the final one), ``positions`` (B, D, T, n), ``counts`` (B, D, T-1,
    3) proposals [conflict, compromise, capitulation] per round. A single sample (``point``,
    or ``samples=1``) keeps every round (T = R+1); a run of more samples keeps only the
    initial and final rows (T = 2, no counts), so its memory does not grow with the rounds
    (docs/limits.md). ``smp`` holds the spatial model's
    results when it ran, ``bargaining`` the bargaining model's per-sample solution when the
    scenario has a bargaining section; ``runs`` the results of the other registered engines
    that ran (by name; e.g. ``compromise``); ``notes`` says why an engine did not run.
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
    runs: dict[str, Any] = field(default_factory=dict)

    @property
    def engines(self) -> tuple[str, ...]:
        """The engines whose results this forecast holds, in registry order."""
        ran = {"eum", *self.runs}
        ran |= {"smp"} if self.smp is not None else set()
        ran |= {"bargaining"} if self.bargaining is not None else set()
        return tuple(e for e in registry.NAMES if e in ran)

    @cached_property
    def private(self) -> PrivateInformation | None:
        """A's best offer when B's reservation is known only through the samples' d_B
        (computed once over the whole run; None without the bargaining model)."""
        if self.bargaining is None:
            return None
        return fb.private_offer(self.scenario, central(self.scenario), self.bargaining.d_b)

    @cached_property
    def integrated(self) -> Integrated:
        """The integrated forecast: one headline per issue (docs/integrated.md)."""
        from summitry.integrated import integrate

        return integrate(self)

    @cached_property
    def options_p_deal(self) -> float | None:
        """The options game's p: P(deal) against the d_B of a fixed pilot of the seed's draws,
        not of this run (:func:`summitry.forecasting.options_game.game_p_deal`); None without the
        game (it needs the bargaining model and an options section)."""
        if self.bargaining is None or self.scenario.options is None:
            return None
        from summitry.forecasting.options_game import game_p_deal

        return game_p_deal(self.scenario, self.seed, self.bargaining, point=self.point)

    @cached_property
    def options_game(self) -> OptionsResult | None:
        """The options game of every sample; each sample's game depends only on the seed
        and the sample (docs/models/options.md)."""
        p = self.options_p_deal
        if self.bargaining is None or p is None:
            return None
        from summitry.forecasting.options_game import run_options

        return run_options(self.scenario, self.draws, self.bargaining, p)

    def options_summary(self) -> dict[str, Any] | None:
        """Share of samples on each subgame-perfect path and mean QRE probabilities, and
        the game's ``p_deal``."""
        game = self.options_game
        return None if game is None else {**summarise(game), "p_deal": self.options_p_deal}

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
            "consent": {
                i.id: [c.actor for c in i.consent] for i in self.scenario.issues if i.consent
            },
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

    def smp_summary(self) -> dict[str, Any] | None:
        """How the spatial model's runs ended (None if it did not run): ``turns`` p10/p50/p90
        and mean, ``capped`` runs that reached ``max_turns`` without meeting the stopping
        rule (and their ``share_capped``), ``cycling`` those of them caught in an exact cycle
        (docs/models/smp.md, "Runs that reach the turn cap")."""
        if self.smp is None or self.smp_options is None:
            return None
        turns = self.smp.turns_run.astype(float)
        capped = self.smp.capped
        return {
            "max_turns": self.smp_options.max_turns,
            "samples": int(turns.size),
            "turns": {**_quantiles(turns), "mean": float(turns.mean())},
            "capped": int(capped.sum()),
            "share_capped": float(capped.mean()),
            "cycling": int((self.smp.period > 0).sum()),
        }

    def outputs(self) -> dict[str, NDArray[np.float64]]:
        """Every per-sample scalar output by name, each (B,): the quantities that
        sensitivity analysis, comparisons and the store work on.

        ``eum.settlement.<issue>``: the median after the last round;
        ``eum.mean.<issue>``: the weighted mean after the last round;
        ``eum.shift.<issue>``: settlement minus the initial median;
        ``smp.settlement.<issue>``: the spatial model's expected outcome (when it ran);
        ``smp.turns``: the turns it ran, ``smp.capped``: 1 where it reached its turn cap
        without meeting its stopping rule (docs/models/smp.md, "Runs that reach the turn cap");
        ``bargaining.zopa`` (1 where a zone of agreement exists, else 0),
        ``bargaining.terms.<issue>`` (the Nash deal, NaN without a zone),
        ``bargaining.outcome.<issue>`` (where the issue stands after the talks: the Nash deal
        where a zone exists, else the status quo),
        ``bargaining.surplus_a``/``surplus_b`` and ``bargaining.d_b`` (when it ran);
        ``options.engage``/``pressure``/``strike``: 1 where the options game's
        subgame-perfect choice is that option (with an options section; the game's P(deal)
        comes from a fixed pilot of the seed's draws, so these too depend only on the seed
        and the sample); then the outputs of the other engines in ``runs``
        (``compromise.settlement.<issue>``), from their adapters.
        """
        sc, draws = self.scenario, self.draws
        first = registry.get("eum").outputs(sc, draws, self.result)
        if self.smp is not None:  # the spatial model's outputs, issue by issue with the EUM's
            first |= registry.get("smp").outputs(sc, draws, self.smp)
        out: dict[str, NDArray[np.float64]] = {}
        for issue in sc.issue_ids:
            out |= {k: v for k, v in first.items() if k.split(".", 2)[2:] == [issue]}
        out |= first
        if self.bargaining is not None:
            out |= registry.get("bargaining").outputs(sc, draws, self.bargaining)
        game = self.options_game
        if game is not None:
            for j, option in enumerate(OPTIONS):
                out[f"options.{option.lower()}"] = (game.choice == j).astype(float)
        for name, run in self.runs.items():
            out |= registry.get(name).outputs(sc, draws, run)
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
            "smp": self.smp_summary(),
            "deal": self.deal_summary(),
            "options_game": self.options_summary(),
            **{
                name: registry.get(name).summary(self.scenario, run)
                for name, run in self.runs.items()
            },
        }

    def trace(self, sample: int = 0) -> dict[str, list[Any]]:
        """Who proposed what to whom in ``sample``, per issue (the reference engine's trace)."""
        from summitry.engines.eum.reference import simulate_one

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
    model (registry names, default :data:`ENGINES`; see :func:`forecast_draws`).
    ``point=True`` runs once on the central value of every input instead of sampling.
    ``progress`` is called with the number of samples finished after each chunk. A run of
    more than one sample keeps only the initial and final rows of the expected-utility
    trajectories (see :class:`Forecast`); its memory is estimated by
    :func:`summitry.budget.forecast_bytes` (docs/limits.md).
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
    whole: Forecast | None = None
    for offset in range(0, samples, chunk):
        size = min(chunk, samples - offset)
        d = draw(sc, size, seed, start=start + offset)
        part = forecast_draws(sc, d, options, seed, engines=engines)
        if samples > 1:
            part = replace(part, result=_ends(part.result))
        whole = part if size == samples else _place(whole, part, offset, samples)
        del d, part  # the chunk is in ``whole`` now: free it before computing the next
        if progress:
            progress(size)
    assert whole is not None
    return whole


def forecast_draws(
    scenario: Scenario,
    draws: Draws,
    options: EUMOptions,
    seed: int = 0,
    point: bool = False,
    engines: Sequence[str] = ENGINES,
) -> Forecast:
    """Run the engines on given draws (from :func:`summitry.sampling.draw` or a design).

    The expected-utility model always runs; every other engine named in ``engines``
    (registry names: ``"smp"``, ``"bargaining"``, ``"compromise"``) runs through its
    adapter, in registry order, where the scenario allows it; when ``engines`` names a
    single engine the scenario cannot run (the spatial model needs three actors, the
    bargaining model a bargaining section) that is an error, otherwise the reason it was
    skipped is kept in ``Forecast.notes``. Unknown names are a ValueError.
    """
    chosen = registry.ordered(list(engines))
    settings = Settings(options, seed, point)
    result = run_eum(scenario, draws, options)
    smp_opts = scenario.model.smp.options() if "smp" in chosen else None
    ran: dict[str, Any] = {}
    notes: list[str] = []
    explicit = len(chosen) == 1
    for name in chosen:
        if name == "eum":
            continue
        adapter = registry.get(name)
        why = adapter.unavailable(scenario)
        if why is None:
            ran[name] = adapter.run(scenario, draws, settings)
        elif explicit:
            raise ValueError(why.error)
        else:
            notes.append(f"{name}: not run ({why.note})")
    smp_run, deal = ran.pop("smp", None), ran.pop("bargaining", None)
    return Forecast(
        scenario,
        options,
        seed,
        point,
        draws,
        result,
        smp_run,
        smp_opts if smp_run is not None else None,
        deal,
        tuple(notes),
        ran,
    )


_quantiles = quantiles


def _place(whole: Forecast | None, part: Forecast, offset: int, total: int) -> Forecast:
    """Copy chunk ``part`` into rows ``offset ..`` of ``whole``, a run of ``total`` samples
    whose arrays are allocated once, from the first chunk's shapes (no concatenation: the
    peak is the run plus one chunk)."""
    if whole is None:
        whole = replace(
            part,
            draws=_rows_like(part.draws, total),
            result=_rows_like(part.result, total),
            smp=None if part.smp is None else _rows_like(part.smp, total),
            bargaining=None if part.bargaining is None else _rows_like(part.bargaining, total),
            runs={name: _rows_like(run, total) for name, run in part.runs.items()},
        )
    pairs = [(whole.draws, part.draws), (whole.result, part.result)]
    if whole.smp is not None and part.smp is not None:
        pairs.append((whole.smp, part.smp))
    if whole.bargaining is not None and part.bargaining is not None:
        pairs.append((whole.bargaining, part.bargaining))
    pairs += [(whole.runs[name], run) for name, run in part.runs.items()]
    for dest, src in pairs:
        for a, b in _arrays(dest, src):
            a[offset : offset + b.shape[0]] = b
    return whole


_T = TypeVar("_T")


def _rows_like(obj: _T, total: int) -> _T:
    """A dataclass like ``obj`` whose arrays (also in a dict field) have ``total`` rows."""

    def new(a: NDArray[Any]) -> NDArray[Any]:
        return np.empty((total, *a.shape[1:]), dtype=a.dtype)

    values = {
        f.name: {k: new(v) for k, v in x.items()} if isinstance(x, dict) else new(x)
        for f in fields(obj)  # type: ignore[arg-type]
        for x in [getattr(obj, f.name)]
    }
    return type(obj)(**values)


def _arrays(dest: object, src: object) -> list[tuple[NDArray[Any], NDArray[Any]]]:
    """Matching arrays of two dataclasses of one type (dict fields entry by entry)."""
    out = []
    for f in fields(src):  # type: ignore[arg-type]
        a, b = getattr(dest, f.name), getattr(src, f.name)
        out += [(a[k], v) for k, v in b.items()] if isinstance(b, dict) else [(a, b)]
    return out
