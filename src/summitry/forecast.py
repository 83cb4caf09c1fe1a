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
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from summitry import forecast_bargaining as fb
from summitry.engines import eum
from summitry.engines.bargaining import NashSolution, PrivateInformation
from summitry.engines.eum.options import EUMOptions, resolve_options
from summitry.engines.options_game import OptionsResult, summarise
from summitry.engines.options_game.payoffs import OPTIONS
from summitry.engines.smp.options import SMPOptions
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
    (samples, issues) shape: ``median`` and ``mean`` are (B, D, T) trajectories (row 0 the
    initial state, row -1 the final one), ``positions`` (B, D, T, n), ``counts`` (B, D, T-1,
    3) proposals [conflict, compromise, capitulation] per round. A single sample (``point``,
    or ``samples=1``) keeps every round (T = R+1); a run of more samples keeps only the
    initial and final rows (T = 2, no counts), so its memory does not grow with the rounds
    (docs/limits.md). ``smp`` holds the spatial model's
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
    def options_p_deal(self) -> float | None:
        """The options game's p: P(deal) against the d_B of a fixed pilot of the seed's draws,
        not of this run (:func:`summitry.forecast_options.game_p_deal`); None without the
        game (it needs the bargaining model and an options section)."""
        if self.bargaining is None or self.scenario.options is None:
            return None
        from summitry.forecast_options import game_p_deal

        return game_p_deal(self.scenario, self.seed, self.bargaining, point=self.point)

    @cached_property
    def options_game(self) -> OptionsResult | None:
        """The options game of every sample; each sample's game depends only on the seed
        and the sample (docs/models/options.md)."""
        p = self.options_p_deal
        if self.bargaining is None or p is None:
            return None
        from summitry.forecast_options import run_options

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
        and the sample).
        """
        r = self.result
        out: dict[str, NDArray[np.float64]] = {}
        for k, issue in enumerate(self.scenario.issue_ids):
            out[f"eum.settlement.{issue}"] = r.median[:, k, -1]
            out[f"eum.mean.{issue}"] = r.mean[:, k, -1]
            out[f"eum.shift.{issue}"] = r.median[:, k, -1] - r.median[:, k, 0]
            if self.smp is not None:
                out[f"smp.settlement.{issue}"] = self.smp.settlement[:, k]
        if self.smp is not None:
            out["smp.turns"] = self.smp.turns_run.astype(float)
            out["smp.capped"] = self.smp.capped.astype(float)
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
            "smp": self.smp_summary(),
            "deal": self.deal_summary(),
            "options_game": self.options_summary(),
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
    model (``"smp"``; see :func:`forecast_draws`). ``point=True`` runs once on the central
    value of every input instead of sampling. ``progress`` is called with the number of
    samples finished after each chunk. A run of more than one sample keeps only the initial
    and final rows of the expected-utility trajectories (see :class:`Forecast`); its memory
    is estimated by :func:`summitry.budget.forecast_bytes` (docs/limits.md).
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
    out = np.empty((draws.samples, *shape))  # filled in place: no list of copies to stack
    for b, s in enumerate(draws.engine_seeds):
        seq = np.random.SeedSequence(int(s), spawn_key=(stream,))
        np.random.Generator(np.random.PCG64(seq)).random(out=out[b])
    return out


def _eum_shape(scenario: Scenario, options: EUMOptions) -> tuple[int, int, int, int]:
    """Per-sample shape of the expected-utility engine's uniforms: (D, R, n, n)."""
    n = len(scenario.actors)
    return (len(scenario.issues), options.rounds, n, n)


def _quantiles(x: NDArray[np.float64]) -> dict[str, float]:
    q = np.quantile(x, QUANTILES)
    return {f"p{round(p * 100)}": float(v) for p, v in zip(QUANTILES, q, strict=True)}


def _ends(r: eum.EUMResult) -> eum.EUMResult:
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
        )
    pairs = [(whole.draws, part.draws), (whole.result, part.result)]
    if whole.smp is not None and part.smp is not None:
        pairs.append((whole.smp, part.smp))
    if whole.bargaining is not None and part.bargaining is not None:
        pairs.append((whole.bargaining, part.bargaining))
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
