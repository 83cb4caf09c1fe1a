"""Calibrated predictive distributions: stacked point forecasts plus a learned error law.

    from summitry.calibration import evaluate, fit_calibration, add_model_error
    ev = evaluate(forecasts, outcomes, groups, models, baseline="compromise")
    ev.summary["mean_crps"], ev.summary["coverage_80"]
    cal = fit_calibration(forecasts, outcomes, groups, models)
    draws = add_model_error(settlement_samples, cal, np.random.default_rng(1), lo=0, hi=10)

Pure functions over arrays: ``forecasts`` (issues, models), ``outcomes`` and ``groups``
(issues,), groups being the units left out together (DEU: proposals). The predictive
distribution has point masses at the scale ends and a truncated logistic between them.
docs/calibration.md states the method, the equations and the results on DEU.
"""

from __future__ import annotations

from summitry.calibration.deu import calibrate_deu, deu_forecasts, evaluate_deu
from summitry.calibration.errormodel import ErrorModel, fit_error_model
from summitry.calibration.evaluate import Evaluation, cluster_bootstrap, evaluate, group_folds
from summitry.calibration.export import (
    Calibration,
    CalibrationError,
    PredictiveSamples,
    add_model_error,
    calibration_from_dict,
    fit_calibration,
    load_calibration,
    save_calibration,
)
from summitry.calibration.predictive import MixturePredictive
from summitry.calibration.scoring import crps_grid, crps_point, crps_samples
from summitry.calibration.stacking import combine, fit_weights

__all__ = [
    "Calibration",
    "CalibrationError",
    "ErrorModel",
    "Evaluation",
    "MixturePredictive",
    "PredictiveSamples",
    "add_model_error",
    "calibrate_deu",
    "calibration_from_dict",
    "cluster_bootstrap",
    "combine",
    "crps_grid",
    "crps_point",
    "crps_samples",
    "deu_forecasts",
    "evaluate",
    "evaluate_deu",
    "fit_calibration",
    "fit_error_model",
    "fit_weights",
    "group_folds",
    "load_calibration",
    "save_calibration",
]
