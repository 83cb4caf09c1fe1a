"""The DEU benchmark: every model on every valid issue of a DEU file, scored against the
coded outcomes (docs/benchmark-deu.md).

    from summitry.benchmark import benchmark_deu
    from summitry.data import load_deu
    result = benchmark_deu(load_deu(), seed=0)  # capabilities largest-member-both (default)
    result.to_dict()

Per model: issues scored, MAE, RMSE, median absolute error, mean CRPS (a point forecast's
CRPS is its absolute error, so its mean CRPS is its MAE), 80% interval coverage for a
model that gives a distribution, the paired difference of absolute errors to the
compromise model, d_i = |f_i - y_i| - |c_i - y_i| over the issues both forecast, with a
percentile interval from a bootstrap that resamples proposals
(:class:`summitry.benchmark.scores.ClusterBootstrap`), and the MAE by procedure (COD, CNS)
and by Council voting rule (QMV, Unan). Deterministic: the same data and seed give the
same numbers, bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.benchmark.models import MODELS, YARDSTICK, ModelForecast, forecast_all
from summitry.benchmark.scores import (
    ClusterBootstrap,
    crps_discrete,
    discrete_quantile,
    error_summary,
)
from summitry.data.deu import DeuData, DeuReport

__all__ = [
    "BREAKDOWNS",
    "INTERVAL",
    "DeuBenchmark",
    "ModelScore",
    "benchmark_deu",
    "proposal_keys",
]

Array = NDArray[np.float64]

INTERVAL = 0.8
"""The central interval whose coverage is reported (10th to 90th percentile)."""
BREAKDOWNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "procedure": ("procedures", ("COD", "CNS")),
    "voting_rule": ("voting_rules", ("QMV", "Unan")),
}
"""Breakdown name -> (DeuData field, its values)."""


@dataclass(frozen=True)
class ModelScore:
    """One model's scores (docs/benchmark-deu.md, "Scores"); errors on DEU's 0-100 scale.

    ``crps`` is the mean CRPS: of the model's distribution when ``distribution``, else the
    MAE (the CRPS of a point forecast is its absolute error). ``covered`` counts the issues
    whose outcome lies in the distribution's central 80% interval (None for point
    forecasts). ``diff`` is the paired mean difference of absolute errors to the
    compromise model and its bootstrap interval; ``by`` the MAE per breakdown value.
    """

    name: str
    label: str
    issues: int
    mae: float | None
    rmse: float | None
    median_ae: float | None
    crps: float | None
    distribution: bool
    covered: int | None
    diff: dict[str, Any]
    by: dict[str, dict[str, dict[str, Any]]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "label": self.label,
            "issues": self.issues,
            "mae": self.mae,
            "rmse": self.rmse,
            "median_ae": self.median_ae,
            "crps": self.crps,
            "distribution": self.distribution,
            "covered_80": self.covered,
            "diff_vs_compromise": self.diff,
            "by": self.by,
        }


@dataclass(frozen=True)
class DeuBenchmark:
    """The benchmark's result: the data it ran on, the scores of every model (in
    :data:`~summitry.benchmark.models.MODELS` order) and every forecast per issue."""

    file: str
    report: DeuReport
    institutions: str
    unanimity: str
    seed: int
    resamples: int
    level: float
    proposals: int
    scores: tuple[ModelScore, ...]
    issues: list[dict[str, Any]] = field(repr=False)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def score(self, model: str) -> ModelScore:
        """The scores of ``model`` (KeyError if it did not run)."""
        for s in self.scores:
            if s.name == model:
                return s
        raise KeyError(model)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: settings, the data's bad-row report, scores, issues."""
        return {
            "benchmark": "deu",
            "file": self.file,
            "issues_read": self.report.rows,
            "issues_valid": self.report.valid,
            "bad_rows": [
                {"line": b.line, "issue": b.issue, "class": b.kind, "message": b.message}
                for b in self.report.bad
            ],
            "notes": list(self.report.notes),
            "institutions": self.institutions,
            "unanimity": self.unanimity,
            "seed": self.seed,
            "resamples": self.resamples,
            "level": self.level,
            "interval": INTERVAL,
            "proposals": self.proposals,
            "counts": self.counts,
            "models": [s.to_dict() for s in self.scores],
            "issues": self.issues,
        }


def proposal_keys(data: DeuData) -> list[str]:
    """The cluster of each issue: its proposal code (``prnr``), else its numeric proposal
    id (``prnrnmc``), else the issue alone (a file without proposal columns)."""
    keys = []
    for i in range(len(data)):
        code = str(data.proposal_codes[i])
        pid = int(data.proposal_ids[i])
        keys.append(code if code else f"#{pid}" if pid >= 0 else f"issue:{i}")
    return keys


def _num(x: float | np.floating[Any]) -> float | None:
    v = float(x)
    return None if np.isnan(v) else v


def _score(
    fc: ModelForecast,
    data: DeuData,
    yard: Array,
    boot: ClusterBootstrap,
    level: float,
) -> ModelScore:
    y = data.outcomes
    err = np.abs(fc.point - y)
    have = ~np.isnan(err)
    summary = error_summary(err)
    crps: float | None = summary["mae"]
    covered: int | None = None
    distribution = fc.points is not None and fc.probs is not None
    if distribution and have.any():
        assert fc.points is not None and fc.probs is not None
        z, p = fc.points[have], fc.probs[have]
        crps = float(np.mean(crps_discrete(z, p, y[have])))
        lo = discrete_quantile(z, p, (1.0 - INTERVAL) / 2.0)
        hi = discrete_quantile(z, p, 1.0 - (1.0 - INTERVAL) / 2.0)
        covered = int(np.count_nonzero((lo <= y[have]) & (y[have] <= hi)))
    d = err - np.abs(yard - y)
    paired = ~np.isnan(d)
    low, high = boot.interval(d, level) if paired.any() else (np.nan, np.nan)
    diff = {
        "issues": int(paired.sum()),
        "proposals": len(set(boot.clusters[paired].tolist())),
        "mean": _num(np.mean(d[paired])) if paired.any() else None,
        "low": _num(low),
        "high": _num(high),
    }
    by: dict[str, dict[str, dict[str, Any]]] = {}
    for name, (attr, values) in BREAKDOWNS.items():
        column = np.asarray(getattr(data, attr))
        by[name] = {}
        for v in values:
            part = error_summary(err[column == v])
            by[name][v] = {"issues": part["issues"], "mae": part["mae"]}
    return ModelScore(
        name=fc.name,
        label=MODELS[fc.name],
        issues=int(summary["issues"] or 0),
        mae=summary["mae"],
        rmse=summary["rmse"],
        median_ae=summary["median_ae"],
        crps=crps,
        distribution=distribution,
        covered=covered,
        diff=diff,
        by=by,
    )


def benchmark_deu(
    data: DeuData,
    models: Sequence[str] | None = None,
    *,
    seed: int = 0,
    resamples: int = 10_000,
    level: float = 0.95,
) -> DeuBenchmark:
    """Run ``models`` (default: every model of :data:`MODELS`; the compromise model always
    runs, as the yardstick) on the valid issues of ``data`` and score them.

    ``resamples`` bootstrap resamples of the proposals drawn from ``seed`` give the
    ``level`` interval of each paired difference. Raises ValueError for an unknown model
    name, a data set without a valid issue, ``resamples`` < 1 or ``level`` outside (0, 1).
    """
    chosen = list(MODELS) if not models else list(dict.fromkeys(models))
    unknown = [m for m in chosen if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown model {unknown[0]!r}; choose from {', '.join(MODELS)}")
    if resamples < 1:
        raise ValueError(f"resamples: {resamples} is below 1")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level: {level} is not between 0 and 1")
    ok = data.select(data.valid)
    if len(ok) == 0:
        raise ValueError(f"{data.file}: no valid issue to score (see the bad-row report)")
    run = [m for m in MODELS if m in chosen or m == YARDSTICK]
    forecasts = forecast_all(ok, run)
    keys = proposal_keys(ok)
    boot = ClusterBootstrap.draw(keys, seed, resamples)
    yard = forecasts[YARDSTICK].point
    scores = tuple(_score(forecasts[m], ok, yard, boot, level) for m in run)
    issues = [
        {
            "issue": str(ok.issue_codes[i]),
            "line": int(ok.lines[i]),
            "proposal": keys[i],
            "procedure": str(ok.procedures[i]),
            "voting_rule": str(ok.voting_rules[i]),
            "outcome": float(ok.outcomes[i]),
            "forecasts": {m: _num(forecasts[m].point[i]) for m in run},
        }
        for i in range(len(ok))
    ]
    counts = {
        name: {v: int(np.count_nonzero(np.asarray(getattr(ok, attr)) == v)) for v in values}
        for name, (attr, values) in BREAKDOWNS.items()
    }
    return DeuBenchmark(
        file=data.file,
        report=data.report,
        institutions=data.institutions,
        unanimity=data.unanimity,
        seed=seed,
        resamples=resamples,
        level=level,
        proposals=boot.n_clusters,
        scores=scores,
        issues=issues,
        counts=counts,
    )
