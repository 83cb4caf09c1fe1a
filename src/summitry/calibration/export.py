"""A calibration fitted on all data, as a small JSON document; loading and applying it.

    cal = fit_calibration(forecasts, outcomes, groups, models, source={...})
    save_calibration(cal, "calibration.json")          # refuses to replace a file
    cal = load_calibration("calibration.json")         # CalibrationError: one line
    out = add_model_error(settlement_samples, cal, np.random.default_rng(7), lo=0, hi=10)

docs/calibration.md, "Exported calibration", documents every field.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from summitry.calibration.errormodel import ErrorModel, fit_error_model
from summitry.calibration.evaluate import group_folds
from summitry.calibration.predictive import Array
from summitry.calibration.stacking import combine, fit_weights

__all__ = [
    "FORMAT",
    "VERSION",
    "Calibration",
    "CalibrationError",
    "PredictiveSamples",
    "add_model_error",
    "calibration_from_dict",
    "fit_calibration",
    "load_calibration",
    "save_calibration",
]

FORMAT = "summitry-calibration"
VERSION = 1
DEU_NOTE = "learned on EU legislation (DEU 1996-2000)"
WEIGHT_TOL = 1e-6


class CalibrationError(ValueError):
    """An invalid calibration document; the message is one line naming the file and field."""


@dataclass(frozen=True)
class Calibration:
    """Stacking weights per model, the error law and where they were learned."""

    models: tuple[str, ...]
    weights: tuple[float, ...]
    error: ErrorModel
    created: str
    note: str
    source: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (docs/calibration.md, "Exported calibration")."""
        e = self.error
        return {
            "format": FORMAT,
            "version": VERSION,
            "created": self.created,
            "note": self.note,
            "source": self.source,
            "scale": {"lo": e.lo, "hi": e.hi},
            "ensemble": {
                "method": "stacking, min MAE, weights >= 0 summing to 1",
                "weights": dict(zip(self.models, self.weights, strict=True)),
            },
            "error_model": {
                "family": "logistic truncated to (lo, hi), point masses at lo and hi",
                "scale": e.scale,
                "mass_lo": {"intercept": e.a_lo, "slope": e.b_lo},
                "mass_hi": {"intercept": e.a_hi, "slope": e.b_hi},
            },
        }

    def combine(self, forecasts: ArrayLike) -> Array:
        """The stacked forecast from (issues, models) forecasts in ``models`` order."""
        return combine(forecasts, np.asarray(self.weights))


def fit_calibration(
    forecasts: ArrayLike,
    outcomes: ArrayLike,
    groups: ArrayLike,
    models: Sequence[str],
    *,
    lo: float = 0.0,
    hi: float = 100.0,
    note: str = DEU_NOTE,
    source: Mapping[str, Any] | None = None,
    created: str | None = None,
    inner_folds: int | None = None,
) -> Calibration:
    """Fit on all issues: stacking weights on everything, the error law on out-of-fold
    ensemble forecasts (one group left out, or ``inner_folds`` group folds), as in
    :func:`summitry.calibration.evaluate` without the outer loop. ``created`` defaults to
    today's date (ISO)."""
    f = np.asarray(forecasts, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    g = np.asarray(groups)
    if f.ndim != 2 or f.shape[1] != len(models) or not y.shape == g.shape == f.shape[:1]:
        raise ValueError(f"forecasts {f.shape}, outcomes {y.shape}, groups {g.shape}: mismatch")
    keep = ~np.isnan(y)
    f, y, g = f[keep], y[keep], g[keep]
    folds = group_folds(g, inner_folds)
    m_oof = np.full(y.size, np.nan)
    for j in range(int(folds.max()) + 1):
        test = folds == j
        m_oof[test] = combine(f[test], fit_weights(f[~test], y[~test]))
    error = fit_error_model(m_oof, y, lo, hi)
    w = fit_weights(f, y)
    return Calibration(
        tuple(models),
        tuple(float(v) for v in w),
        error,
        created or dt.date.today().isoformat(),
        note,
        dict(source or {}),
    )


def save_calibration(cal: Calibration, path: str | Path, overwrite: bool = False) -> Path:
    """Write the JSON document; FileExistsError (one line) if ``path`` exists, unless
    ``overwrite``."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p}: exists; not replaced (pass overwrite=True to replace it)")
    p.write_text(json.dumps(cal.to_dict(), indent=2) + "\n", encoding="utf-8")
    return p


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration document; CalibrationError names file and field."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        why = getattr(err, "strerror", None) or "not UTF-8 text"
        raise CalibrationError(f"{p}: cannot read the file ({why})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise CalibrationError(f"{p}:{err.lineno}: not valid JSON ({err.msg})") from None
    return calibration_from_dict(doc, str(p))


def _get(doc: Any, key: str, where: str, file: str) -> Any:
    if not isinstance(doc, dict):
        raise CalibrationError(f"{file}: {where or 'document'}: not a JSON object")
    if key not in doc:
        raise CalibrationError(f"{file}: {_join(where, key)}: missing")
    return doc[key]


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _number(doc: Any, key: str, where: str, file: str) -> float:
    v = _get(doc, key, where, file)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise CalibrationError(f"{file}: {_join(where, key)}: {v!r} is not a finite number")
    return float(v)


def _text(doc: Any, key: str, where: str, file: str) -> str:
    v = _get(doc, key, where, file)
    if not isinstance(v, str) or not v.strip():
        raise CalibrationError(f"{file}: {_join(where, key)}: {v!r} is not a non-empty text")
    return v


def calibration_from_dict(doc: Any, file: str = "<calibration>") -> Calibration:
    """Validate a parsed document (as :meth:`Calibration.to_dict` writes it)."""
    fmt = _get(doc, "format", "", file)
    if fmt != FORMAT:
        raise CalibrationError(f"{file}: format: {fmt!r} is not {FORMAT!r}")
    version = _get(doc, "version", "", file)
    if version != VERSION:
        raise CalibrationError(f"{file}: version: {version!r} is not supported (only {VERSION})")
    created = _text(doc, "created", "", file)
    try:
        dt.date.fromisoformat(created)
    except ValueError:
        raise CalibrationError(f"{file}: created: {created!r} is not a date YYYY-MM-DD") from None
    note = _text(doc, "note", "", file)
    source = _get(doc, "source", "", file)
    if not isinstance(source, dict):
        raise CalibrationError(f"{file}: source: not a JSON object")
    lo = _number(_get(doc, "scale", "", file), "lo", "scale", file)
    hi = _number(doc["scale"], "hi", "scale", file)
    if not lo < hi:
        raise CalibrationError(f"{file}: scale: lo {lo} is not below hi {hi}")
    weights = _get(_get(doc, "ensemble", "", file), "weights", "ensemble", file)
    if not isinstance(weights, dict) or not weights:
        raise CalibrationError(f"{file}: ensemble.weights: not a non-empty object")
    w = [_number(weights, k, "ensemble.weights", file) for k in weights]
    for k, v in zip(weights, w, strict=True):
        if v < 0:
            raise CalibrationError(f"{file}: ensemble.weights.{k}: {v} is negative")
    if abs(sum(w) - 1.0) > WEIGHT_TOL:
        raise CalibrationError(f"{file}: ensemble.weights: sum to {sum(w):.6g}, not 1")
    err = _get(doc, "error_model", "", file)
    scale = _number(err, "scale", "error_model", file)
    if scale <= 0:
        raise CalibrationError(f"{file}: error_model.scale: {scale} is not above 0")
    coef = [
        _number(_get(err, end, "error_model", file), part, f"error_model.{end}", file)
        for end in ("mass_lo", "mass_hi")
        for part in ("intercept", "slope")
    ]
    error = ErrorModel(scale, coef[0], coef[1], coef[2], coef[3], lo, hi)
    return Calibration(tuple(weights), tuple(w), error, created, note, source)


@dataclass(frozen=True)
class PredictiveSamples:
    """Draws of the outcome including model error, on the forecast's own scale [lo, hi]."""

    values: Array
    lo: float
    hi: float
    label: str


def add_model_error(
    samples_or_point: ArrayLike,
    calibration: Calibration,
    rng: np.random.Generator,
    *,
    lo: float | None = None,
    hi: float | None = None,
    draws: int = 1,
) -> PredictiveSamples:
    """Turn settlement samples (or one point) into predictive samples with model error.

    Each value x on [lo, hi] (default: the calibration's scale) is rescaled to the
    calibration's scale, a draw Y ~ F(. | x) of the error law is taken by inversion of
    one uniform from ``rng``, and Y is mapped back: values have shape (draws, *x.shape)
    (x.shape when ``draws`` is 1). Deterministic given the generator's state. ValueError
    (one line) for a value outside [lo, hi] or NaN. docs/calibration.md.
    """
    e = calibration.error
    a = e.lo if lo is None else float(lo)
    b = e.hi if hi is None else float(hi)
    if not a < b:
        raise ValueError(f"scale: lo {a} is not below hi {b}")
    if draws < 1:
        raise ValueError(f"draws: {draws} is not at least 1")
    x = np.asarray(samples_or_point, dtype=float)
    if np.isnan(x).any():
        raise ValueError("samples: NaN value (no settlement to add model error to)")
    if np.any((x < a) | (x > b)):
        raise ValueError(f"samples: values outside the scale [{a:g}, {b:g}]")
    m = e.lo + (x - a) / (b - a) * (e.hi - e.lo)
    y = e.predictive(m).sample(rng, draws)
    out = a + (y - e.lo) / (e.hi - e.lo) * (b - a)
    if draws == 1:
        out = out[0]
    label = f"settlement + model error ({calibration.note})"
    return PredictiveSamples(np.asarray(out, dtype=float), a, b, label)
