"""Backtests: how well did the models do on past episodes? (docs/backtest.md)

A scenario of a past episode may record its ``outcome`` (where each issue stood afterwards,
and whether the principals made a deal). :func:`backtest` forecasts each such scenario
exactly as ``summitry forecast`` would (the engines never see the outcome) and scores the
forecast against it:

- per engine and issue: median and 80% interval (p10-p90) of the engine's forecast of where
  the issue stands afterwards (the expected-utility and spatial settlements; for the
  bargaining model ``bargaining.outcome.<issue>``: the Nash deal where a zone of agreement
  exists, else the status quo), absolute error of the median
  (its distance to the observed coding band, 0 inside it), the sample CRPS at the observed
  value, whether the 80% interval reaches the band, and the PIT value; errors also in
  percent of the issue's scale width, so that they average across issues and episodes;
- two naive baselines, "the status quo persists" and "the initial weighted median of the
  positions", for the skill score 1 - MAE_model / MAE_baseline;
- the deal: the private-information P(deal) (and P(zone of agreement)) against whether a
  deal was made, by Brier and log score;
- the integrated forecast (docs/integrated.md) as the engine ``integrated``: its per-draw
  y (the terms where the deal happens, else the no-deal point) per issue, and its P(deal)
  by Brier and log score.

The scoring functions are pure numpy; :func:`backtest` is the runner.

References: T. Gneiting and A. E. Raftery, "Strictly proper scoring rules, prediction, and
estimation", JASA 102 (2007) 359-378 (CRPS, eq. 20-21; log score); G. W. Brier,
"Verification of forecasts expressed in terms of probability", Monthly Weather Review 78
(1950) 1-3; C. Czado, T. Gneiting and L. Held, "Predictive model assessment for count
data", Biometrics 65 (2009) 1254-1261 (the mid-point PIT for samples with ties).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from summitry.forecasting import registry
from summitry.jsonready import json_ready
from summitry.scenario import Scenario, bundled_names, load

if TYPE_CHECKING:
    import pandas as pd

    from summitry.forecast import Forecast

Array = NDArray[np.float64]

INTEGRATED = "integrated"
"""The integrated forecast, scored like an engine (it needs the bargaining model's run)."""
ENGINES = (INTEGRATED, *registry.DEFAULT)
"""The engines a backtest scores by default: the integrated forecast and the registry's
default set (the options game has no outcome to compare with). ``ALL_ENGINES`` adds the
opt-in ones (compromise, nbs, procedural)."""
OUTPUT = {n: out for n in registry.NAMES if (out := registry.get(n).scored) is not None}
"""Per engine, the per-sample forecast of an issue (``Forecast.outputs()`` name), from the
engine's adapter (``EngineAdapter.scored``)."""
ALL_ENGINES = (INTEGRATED, *OUTPUT)
"""Every engine a backtest can score: the integrated forecast, then the registered engines
that name a scored output."""
INTERVAL = (0.1, 0.9)
"""The central 80% interval: the 10th and 90th percentiles of the samples."""
CLIP = 1e-6
"""Probabilities are clipped to [CLIP, 1 - CLIP] before the log score."""
COIN_BRIER = 0.25
"""Brier score of always saying 0.5: the no-skill reference for the deal."""
COIN_LOG = math.log(2.0)
"""Log score of always saying 0.5."""


class NoOutcomeError(ValueError):
    """A scenario given to :func:`backtest` has no ``outcome`` section."""


# -- scoring: pure functions of samples and observations ----------------------------------


def crps_sample(samples: ArrayLike, y: float) -> float:
    """CRPS of the empirical distribution of ``samples`` at the observation ``y``.

    CRPS(F, y) = E|X - y| - 1/2 E|X - X'|, X and X' independent draws from F (Gneiting &
    Raftery 2007, eq. 21). For F the empirical distribution of x_1..x_n, sorted as
    x_(1) <= ... <= x_(n):

        E|X - y|  = (1/n) sum_i |x_i - y|
        E|X - X'| = (1/n^2) sum_i sum_j |x_i - x_j| = (2/n^2) sum_i (2i - n - 1) x_(i)

    which is exactly integral (F_n(t) - 1{t >= y})^2 dt, in O(n log n) for the sort.
    Non-negative, zero only for a point mass at ``y``, in the units of the samples.
    """
    x = np.sort(np.asarray(samples, dtype=np.float64).ravel())
    n = x.size
    if n == 0:
        raise ValueError("the CRPS needs at least one sample")
    if not (np.all(np.isfinite(x)) and math.isfinite(y)):
        raise ValueError("the CRPS needs finite samples and a finite observation")
    rank = np.arange(1, n + 1, dtype=np.float64)
    centred = x - x[n // 2]  # E|X - X'| ignores a shift; centring keeps the sum accurate
    spread = 2.0 * float(np.dot(2.0 * rank - n - 1.0, centred)) / (n * n)
    return max(float(np.mean(np.abs(x - y))) - 0.5 * spread, 0.0)


def pit(samples: ArrayLike, y: float) -> float:
    """The probability integral transform of ``y``: the share of samples below it, ties
    counted half (the mid-point PIT of Czado, Gneiting & Held 2009), so a point mass at
    ``y`` gives 0.5. Over many well-calibrated forecasts PIT values are uniform on [0, 1]."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    if x.size == 0:
        raise ValueError("the PIT needs at least one sample")
    below = np.count_nonzero(x < y)
    ties = np.count_nonzero(x == y)
    return float((below + 0.5 * ties) / x.size)


def band_error(point: float, low: float, high: float) -> float:
    """Distance from ``point`` to the band [low, high]: 0 inside it (|point - y| for a
    point observation, low = high = y)."""
    return float(max(low - point, point - high, 0.0))


def intervals_meet(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether the closed intervals ``a`` and ``b`` share a point (the forecast interval
    reaches the observation's coding band)."""
    return a[0] <= b[1] and b[0] <= a[1]


def brier(p: float, happened: bool) -> float:
    """Brier score (p - o)^2, o = 1 if the event happened (Brier 1950); 0 is perfect, 0.25
    is a coin flip, lower is better."""
    return (p - float(happened)) ** 2


def log_score(p: float, happened: bool, clip: float = CLIP) -> float:
    """Logarithmic score as a loss, -ln P(what happened), with p clipped to
    [clip, 1 - clip] so that a confident miss costs at most -ln(clip) (about 13.8 for 1e-6)
    (Gneiting & Raftery 2007, s.4.1); ln 2 for a coin flip, lower is better."""
    q = min(max(p, clip), 1.0 - clip)
    return -math.log(q if happened else 1.0 - q)


def skill(mae_model: float, mae_baseline: float) -> float | None:
    """Skill score 1 - MAE_model / MAE_baseline: 1 is perfect, 0 no better than the
    baseline, negative worse; None when the baseline is perfect (MAE 0)."""
    if mae_baseline <= 0:
        return None
    return 1.0 - mae_model / mae_baseline


def score_samples(
    samples: ArrayLike, value: float, low: float, high: float, scale: tuple[float, float]
) -> dict[str, float | bool]:
    """Every per-issue score of one engine's samples against one observation.

    ``value`` is the coded outcome and [low, high] its coding band (low = high = value
    without one). The error of the median is its distance to the band; the CRPS and PIT
    are taken at ``value``; the 80% interval covers the observation when it reaches the
    band. ``*_pct`` are in percent of the scale width.
    """
    x = np.asarray(samples, dtype=np.float64).ravel()
    p10, p50, p90 = (float(q) for q in np.quantile(x, (INTERVAL[0], 0.5, INTERVAL[1])))
    width = scale[1] - scale[0]
    err = band_error(p50, low, high)
    crps = crps_sample(x, value)
    return {
        "p10": p10,
        "p50": p50,
        "p90": p90,
        "abs_error": err,
        "abs_error_pct": 100.0 * err / width,
        "crps": crps,
        "crps_pct": 100.0 * crps / width,
        "covered": intervals_meet((p10, p90), (low, high)),
        "pit": pit(x, value),
    }


# -- the runner -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Backtest:
    """The scores of a backtest.

    ``scores``: one row per episode x engine x issue (see :func:`score_samples` for the
    columns, plus the observation, the baselines and their errors, and ``n``, the number
    of samples scored); ``deals``: one row per episode whose deal was scored; ``episodes``:
    per episode its name, title, dates, outcome summary, engines run, samples with a zone of
    agreement and notes; ``outputs``: the scored engines' per-sample outputs, named
    ``<episode>.<output>`` (``Forecast.outputs()`` names; what the results store keeps).
    """

    scores: pd.DataFrame
    deals: pd.DataFrame
    episodes: list[dict[str, Any]]
    samples: int
    seed: int
    engines: tuple[str, ...]
    outputs: dict[str, Array] = field(repr=False, default_factory=dict)

    def summary(self) -> list[dict[str, Any]]:
        """Per engine, over every episode: episodes and observations scored, MAE and mean
        CRPS in percent of scale, 80% coverage as k of n, skill against each baseline
        (over the observations that baseline exists for), and for the bargaining model the
        Brier and log scores of P(deal) and P(zone)."""
        return [aggregate(self.scores, self.deals, engine) for engine in self.engines]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record: parameters, episodes, every score row, deals, summary."""
        return {
            "samples": self.samples,
            "seed": self.seed,
            "engines": list(self.engines),
            "interval": "80% (p10-p90 of the samples)",
            "episodes": json_ready(self.episodes),
            "scores": _records(self.scores),
            "deals": _records(self.deals),
            "summary": json_ready(self.summary()),
            "baselines": {
                "status_quo": "the issue's central status quo persists",
                "initial_median": "the expected-utility model's initial weighted median of "
                "the positions (median over samples)",
            },
            "log_score_clip": CLIP,
            "coin_flip": {"brier": COIN_BRIER, "log_score": COIN_LOG},
        }


def episodes_with_outcome() -> list[str]:
    """The bundled scenarios that record an outcome, sorted by name (each is loaded, so a
    broken bundled file raises :class:`~summitry.scenario.ScenarioError`)."""
    return [name for name in bundled_names() if load(name).outcome is not None]


def backtest(
    scenarios: Sequence[Scenario | str | Path] | None = None,
    samples: int = 1000,
    seed: int = 0,
    engines: Sequence[str] = ENGINES,
    progress: Callable[[int], None] | None = None,
) -> Backtest:
    """Forecast every scenario (default: every bundled one with an outcome) with
    ``samples`` draws and ``seed`` and score ``engines`` against the recorded outcomes.

    Raises :class:`NoOutcomeError` for a scenario without an outcome and ``ValueError`` for
    an unknown engine; ``progress`` is called with the samples finished after each chunk.
    """
    import pandas as pd

    from summitry.forecast import forecast

    chosen = tuple(e for e in ALL_ENGINES if e in set(engines))
    unknown = sorted(set(engines) - set(ALL_ENGINES))
    if unknown or not chosen:
        raise ValueError(
            f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ALL_ENGINES)}"
        )
    names: Sequence[Scenario | str | Path] = (
        episodes_with_outcome() if scenarios is None else scenarios
    )
    loaded = [s if isinstance(s, Scenario) else load(s) for s in names]
    seen: set[str] = set()
    for sc in loaded:
        if sc.outcome is None:
            raise NoOutcomeError(f"{sc.source_file}: no outcome section, so nothing to score")
        if sc.name in seen:
            raise ValueError(f"scenario '{sc.name}' is given twice")
        seen.add(sc.name)
    run = ("eum", *(e for e in chosen if e not in ("eum", INTEGRATED)))
    if INTEGRATED in chosen and "bargaining" not in run:
        run = (*run, "bargaining")  # the integrated forecast rests on the bargaining model
    rows: list[dict[str, Any]] = []
    deals: list[dict[str, Any]] = []
    episodes: list[dict[str, Any]] = []
    outputs: dict[str, Array] = {}
    for sc in loaded:
        fc = forecast(sc, samples, seed, engines=run, progress=progress)
        ep_rows, deal, info = score_episode(fc, chosen)
        rows += ep_rows
        if deal is not None:
            deals.append(deal)
        episodes.append(info)
        produced = fc.outputs()
        if INTEGRATED in chosen:
            produced = fc.integrated.outputs() | produced
        for key, values in produced.items():
            if key.split(".")[0] in chosen:
                outputs[f"{sc.name}.{key}"] = values
    return Backtest(
        pd.DataFrame(rows, columns=list(SCORE_COLUMNS)),
        pd.DataFrame(deals, columns=list(DEAL_COLUMNS)),
        episodes,
        samples,
        seed,
        chosen,
        outputs,
    )


SCORE_COLUMNS = (
    "episode",
    "engine",
    "issue",
    "n",
    "p10",
    "p50",
    "p90",
    "observed",
    "low",
    "high",
    "abs_error",
    "abs_error_pct",
    "crps",
    "crps_pct",
    "covered",
    "pit",
    "status_quo",
    "status_quo_error_pct",
    "initial_median",
    "initial_median_error_pct",
    "scale_width",
)
DEAL_COLUMNS = (
    "episode",
    "deal",
    "p_deal",
    "p_zone",
    "brier",
    "log_score",
    "brier_zone",
    "log_score_zone",
    "p_deal_integrated",
    "brier_integrated",
    "log_score_integrated",
)


def score_episode(
    fc: Forecast, engines: Sequence[str]
) -> tuple[list[dict[str, Any]], dict[str, Any] | None, dict[str, Any]]:
    """The score rows, the deal row (None when the deal is not scored) and the episode's
    record, for one forecast of a scenario with an outcome."""
    sc = fc.scenario
    outcome = sc.outcome
    if outcome is None:
        raise NoOutcomeError(f"{sc.source_file}: no outcome section, so nothing to score")
    outputs = fc.outputs()
    notes = list(fc.notes)
    zone = outputs.get("bargaining.zopa")
    n_zone = None if zone is None else int(np.count_nonzero(zone == 1.0))
    rows: list[dict[str, Any]] = []
    ran = [*([INTEGRATED] if INTEGRATED in engines else []), *fc.engines]
    for engine in engines:
        if engine not in ran:
            continue
        for k, issue in enumerate(sc.issues):
            if issue.id in outcome.issues:
                if engine == INTEGRATED:
                    x = fc.integrated.y[:, k]
                else:
                    x = outputs[OUTPUT[engine].format(issue.id)]
                rows.append(_row(fc, engine, k, x))
    deal_row = None
    if {"bargaining", INTEGRATED} & set(engines) and outcome.deal is not None:
        summary = fc.deal_summary()
        if summary is None:
            notes.append("deal: not scored (the bargaining model did not run)")
        else:
            deal_row = _deal_row(
                sc.name,
                outcome.deal.value,
                float(summary["private_information"]["p_deal"]),
                float(summary["p_zopa"]),
                fc.integrated.p_deal,
            )
    info = {
        "episode": sc.name,
        "title": sc.title,
        "date": None if sc.date is None else sc.date.isoformat(),
        "outcome_date": outcome.date.isoformat(),
        "summary": outcome.summary,
        "engines": [e for e in engines if e in ran],
        "samples": fc.samples,
        "samples_with_zone": n_zone,
        "notes": notes,
    }
    return rows, deal_row, info


def _row(fc: Forecast, engine: str, k: int, x: Array) -> dict[str, Any]:
    """One score row: engine ``engine`` on issue ``k`` of ``fc``'s scenario, samples ``x``."""
    sc = fc.scenario
    issue = sc.issues[k]
    assert sc.outcome is not None
    obs = sc.outcome.issues[issue.id]
    low, high = obs.band
    width = issue.scale[1] - issue.scale[0]
    sq = None if issue.status_quo is None else float(issue.status_quo.central())
    start = float(np.median(fc.result.median[:, k, 0]))
    return {
        "episode": sc.name,
        "engine": engine,
        "issue": issue.id,
        "n": int(x.size),
        **score_samples(x, obs.value, low, high, issue.scale),
        "observed": obs.value,
        "low": low,
        "high": high,
        "status_quo": math.nan if sq is None else sq,
        "status_quo_error_pct": math.nan
        if sq is None
        else 100.0 * band_error(sq, low, high) / width,
        "initial_median": start,
        "initial_median_error_pct": 100.0 * band_error(start, low, high) / width,
        "scale_width": width,
    }


def _deal_row(
    episode: str, happened: bool, p_deal: float, p_zone: float, p_integrated: float | None
) -> dict[str, Any]:
    integrated = math.nan if p_integrated is None else p_integrated
    return {
        "episode": episode,
        "deal": happened,
        "p_deal": p_deal,
        "p_zone": p_zone,
        "brier": brier(p_deal, happened),
        "log_score": log_score(p_deal, happened),
        "brier_zone": brier(p_zone, happened),
        "log_score_zone": log_score(p_zone, happened),
        "p_deal_integrated": integrated,
        "brier_integrated": brier(integrated, happened),
        "log_score_integrated": math.nan
        if p_integrated is None
        else log_score(p_integrated, happened),
    }


def aggregate(scores: pd.DataFrame, deals: pd.DataFrame, engine: str) -> dict[str, Any]:
    """One engine's scores over every episode (see :meth:`Backtest.summary`)."""
    rows = scores[scores["engine"] == engine]
    out: dict[str, Any] = {
        "engine": engine,
        "episodes": int(rows["episode"].nunique()),
        "observations": len(rows),
        "mae_pct": _mean(rows["abs_error_pct"]),
        "crps_pct": _mean(rows["crps_pct"]),
        "covered": int(rows["covered"].sum()),
        "coverage": None if rows.empty else float(rows["covered"].mean()),
    }
    for base in ("status_quo", "initial_median"):
        have = rows[rows[f"{base}_error_pct"].notna()]
        model = _mean(have["abs_error_pct"])
        baseline = _mean(have[f"{base}_error_pct"])
        out[f"skill_{base}"] = {
            "observations": len(have),
            "mae_pct_model": model,
            "mae_pct_baseline": baseline,
            "skill": None if model is None or baseline is None else skill(model, baseline),
        }
    if engine == INTEGRATED:
        out["deal"] = {
            "episodes": len(deals),
            "brier": _mean(deals["brier_integrated"]),
            "log_score": _mean(deals["log_score_integrated"]),
            "brier_zone": _mean(deals["brier_zone"]),
            "log_score_zone": _mean(deals["log_score_zone"]),
        }
    if engine == "bargaining":
        out["deal"] = {
            "episodes": len(deals),
            "brier": _mean(deals["brier"]),
            "log_score": _mean(deals["log_score"]),
            "brier_zone": _mean(deals["brier_zone"]),
            "log_score_zone": _mean(deals["log_score_zone"]),
        }
    return out


def _mean(column: pd.Series[Any]) -> float | None:
    return None if column.empty else float(column.mean())


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [json_ready(r) for r in frame.to_dict(orient="records")]


__all__ = [
    "ALL_ENGINES",
    "ENGINES",
    "INTEGRATED",
    "Backtest",
    "NoOutcomeError",
    "aggregate",
    "backtest",
    "band_error",
    "brier",
    "crps_sample",
    "episodes_with_outcome",
    "intervals_meet",
    "log_score",
    "pit",
    "score_episode",
    "score_samples",
    "skill",
]
