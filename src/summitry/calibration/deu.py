"""Calibration on the public DEU file: the models' forecasts, the evaluation, the export.

    ev = evaluate_deu()              # leave-one-proposal-out, against the compromise model
    cal = calibrate_deu()            # fitted on all 171 valid issues of the bundled file

The default models are the compromise model, the weighted median, the unweighted mean and
the reference point (NaN where not coded); any other name of
:data:`summitry.benchmark.MODELS` is taken from :func:`summitry.benchmark.forecast_all`.
docs/calibration.md, "Results on the public DEU file".
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np

from summitry.calibration.evaluate import Evaluation, evaluate
from summitry.calibration.export import DEU_NOTE, Calibration, fit_calibration
from summitry.calibration.predictive import Array
from summitry.data.deu import BUNDLED, DeuData, load_deu
from summitry.engines.compromise import compromise, mean_position, weighted_median

__all__ = ["BASELINE", "DEFAULT_MODELS", "calibrate_deu", "deu_forecasts", "evaluate_deu"]

DEFAULT_MODELS: tuple[str, ...] = ("compromise", "weighted-median", "mean", "reference-point")
BASELINE = "compromise"


def deu_forecasts(data: DeuData, models: Sequence[str] = DEFAULT_MODELS) -> Array:
    """(issues, models) point forecasts on DEU's 0-100 scale, NaN where a model has none."""
    own = {
        "compromise": lambda: compromise(data.positions, data.saliences, data.capabilities),
        "weighted-median": lambda: weighted_median(
            data.positions, data.saliences, data.capabilities
        ),
        "mean": lambda: mean_position(data.positions),
        "reference-point": lambda: np.asarray(data.reference_points, dtype=float),
    }
    others = [m for m in models if m not in own]
    extra: dict[str, Any] = {}
    if others:
        from summitry.benchmark import forecast_all  # the DEU benchmark's model runners

        extra = {k: v.point for k, v in forecast_all(data, others).items()}
    cols = [own[m]() if m in own else extra[m] for m in models]
    return np.column_stack([np.asarray(c, dtype=float) for c in cols])


def _valid(data: DeuData | None) -> DeuData:
    d = load_deu() if data is None else data
    return d.select(d.valid)


def evaluate_deu(
    data: DeuData | None = None,
    models: Sequence[str] = DEFAULT_MODELS,
    *,
    outer_folds: int | None = None,
    inner_folds: int | None = None,
    n_boot: int = 10_000,
    seed: int = 0,
) -> Evaluation:
    """Nested evaluation on the valid issues of ``data`` (the bundled file by default),
    leaving one proposal out at both levels unless ``outer_folds``/``inner_folds`` name a
    number of proposal folds, paired against the compromise model."""
    v = _valid(data)
    return evaluate(
        deu_forecasts(v, models), v.outcomes, v.proposal_ids, models, BASELINE,
        outer_folds=outer_folds, inner_folds=inner_folds, n_boot=n_boot, seed=seed,
    )  # fmt: skip


def calibrate_deu(
    data: DeuData | None = None,
    models: Sequence[str] = DEFAULT_MODELS,
    *,
    created: str | None = None,
) -> Calibration:
    """The calibration fitted on every valid issue of ``data`` (the bundled file by
    default), with the data's provenance in ``source``."""
    v = _valid(data)
    source: dict[str, Any] = {
        "data": "DEU I (1996-2000) as contained in DEU III; CC BY 4.0",
        "file": v.file,
        "issues": len(v),
        "proposals": int(np.unique(v.proposal_ids).size),
        "institutions": v.institutions,
        "unanimity": v.unanimity,
    }
    if data is None:
        raw = resources.files("summitry.data").joinpath(BUNDLED).read_bytes()
        source["sha256"] = hashlib.sha256(raw).hexdigest()
    return fit_calibration(
        deu_forecasts(v, models), v.outcomes, v.proposal_ids, models,
        note=DEU_NOTE, source=source, created=created,
    )  # fmt: skip
