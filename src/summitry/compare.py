"""Two forecasts side by side: every per-sample output, and the difference with a
bootstrap interval.

``compare(a, b)`` takes two finished :class:`~summitry.forecast.Forecast` objects. For each
output both share (``Forecast.outputs()``), the statistic is the median over samples (the
mean for 0/1 outputs such as ``bargaining.zopa``, i.e. a probability), NaNs ignored. The
difference b - a gets a percentile bootstrap interval (Efron & Tibshirani 1993, ch. 13):
*paired* when both forecasts drew the same samples of the same inputs (one scenario against
itself with overrides: the sampler draws every quantity from its own stream, so unchanged
inputs are identical sample by sample), independent resampling otherwise.

Each row also counts the samples its statistic rests on in a and in b (``n_a``, ``n_b``):
the samples where the output is finite. That is every sample for most outputs, but only the
samples with a zone of agreement for the deal terms and surpluses (NaN elsewhere), so a
median can rest on a handful of samples; :data:`FEW_SAMPLES` is where the CLI warns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summitry.forecast import Forecast
from summitry.scenario.consent import is_tolerance_path

Array = NDArray[np.float64]
RESAMPLES = 1000
LEVEL = 0.9
FEW_SAMPLES = 100
"""Below this many finite samples a statistic (and its interval) is flagged as unreliable."""


@dataclass(frozen=True)
class Difference:
    """One output compared: the statistic in a and b, b - a, its bootstrap interval, and
    the number of samples with a finite value behind the statistic in a and in b."""

    output: str
    statistic: str
    a: float | None
    b: float | None
    diff: float | None
    low: float | None
    high: float | None
    n_a: int
    n_b: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def few(self, samples_a: int, samples_b: int) -> tuple[bool, bool]:
        """Whether a's and b's statistic rests on some but fewer than :data:`FEW_SAMPLES`
        of its run's samples; a run with fewer samples than that in all is not flagged,
        nor a statistic over no samples (it is None)."""
        return (
            0 < self.n_a < min(samples_a, FEW_SAMPLES),
            0 < self.n_b < min(samples_b, FEW_SAMPLES),
        )


def paired(a: Forecast, b: Forecast) -> bool:
    """Whether sample i of ``a`` and of ``b`` share their draws of every common input: the
    same seed and sample count, and one scenario's quantity paths a prefix of the other's
    (quantity ``i`` takes row ``i`` of the sampler's stream, so inputs appended at the end
    leave the others' draws unchanged), the consenters' tolerances, which have a stream of
    their own, compared among themselves."""

    def prefix(own: bool) -> bool:
        paths_a = [p for p, _, _ in a.scenario.quantities() if is_tolerance_path(p) == own]
        paths_b = [p for p, _, _ in b.scenario.quantities() if is_tolerance_path(p) == own]
        common = min(len(paths_a), len(paths_b))
        return paths_a[:common] == paths_b[:common]

    return (
        a.seed == b.seed
        and a.samples == b.samples
        and prefix(False)
        and prefix(True)
        and not a.point
    )


def compare(
    a: Forecast,
    b: Forecast,
    *,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = 0,
    integrated: bool = False,
) -> list[Difference]:
    """Every output common to ``a`` and ``b``, in ``a``'s order (see the module docstring);
    with ``integrated`` the integrated forecast's outputs first (``integrated.deal``,
    ``integrated.<issue>``; docs/integrated.md)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    outs_a, outs_b = a.outputs(), b.outputs()
    if integrated:
        outs_a = a.integrated.outputs() | outs_a
        outs_b = b.integrated.outputs() | outs_b
    pair = paired(a, b)
    tail = (1 - level) / 2
    rows: list[Difference] = []
    for name, xa in outs_a.items():
        if name not in outs_b:
            continue
        xb = outs_b[name]
        binary = bool(np.isin(xa, (0.0, 1.0)).all() and np.isin(xb, (0.0, 1.0)).all())
        stat = _mean if binary else _median
        sa, sb = stat(xa[None]), stat(xb[None])
        boot = _bootstrap(stat, xa, xb, pair, resamples, seed)
        finite = boot[np.isfinite(boot)]
        lo = hi = None
        if finite.size >= resamples // 2 and a.samples > 1 and b.samples > 1:
            lo, hi = (float(v) for v in np.quantile(finite, [tail, 1 - tail]))
        va, vb = _num(sa[0]), _num(sb[0])
        diff = None if va is None or vb is None else vb - va
        na, nb = int(np.isfinite(xa).sum()), int(np.isfinite(xb).sum())
        stat_name = "mean" if binary else "median"
        rows.append(Difference(name, stat_name, va, vb, diff, lo, hi, na, nb))
    return rows


BLOCK = 64
"""Resamples drawn at once (bounds memory at BLOCK x samples values per output)."""


def _bootstrap(stat: Any, xa: Array, xb: Array, pair: bool, resamples: int, seed: int) -> Array:
    """``resamples`` bootstrap replicates of stat(b) - stat(a); block k draws its indices
    from ``default_rng([seed, k])``, so every output sees the same resamples."""
    out = np.empty(resamples)
    for k, start in enumerate(range(0, resamples, BLOCK)):
        m = min(BLOCK, resamples - start)
        rng = np.random.default_rng([seed, k])
        ia = rng.integers(0, xa.size, size=(m, xa.size))
        ib = ia if pair else rng.integers(0, xb.size, size=(m, xb.size))
        out[start : start + m] = stat(xb[ib]) - stat(xa[ia])
    return out


def _median(x: Array) -> Array:
    with np.errstate(all="ignore"):
        valid = np.isfinite(x).any(axis=-1)
        out = np.full(x.shape[:-1], np.nan)
        if valid.any():
            out[valid] = np.nanmedian(x[valid], axis=-1)
    return out


def _mean(x: Array) -> Array:
    return np.asarray(x.mean(axis=-1), dtype=float)


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
