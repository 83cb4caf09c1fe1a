"""The run records a store returns, and the per-sample values and statistics it keeps
(docs/store.md)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from summitry.store.schema import StoreError

STAT_QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class RunInfo:
    """One run as listed: ``status`` as stored, ``state`` as shown (a ``running`` run whose
    writing process is gone shows as ``interrupted``); ``done`` samples are committed."""

    run_id: int
    kind: str
    status: str
    state: str
    scenario_name: str | None
    scenario_hash: str | None
    samples: int | None
    done: int
    chunks: int
    seed: int | None
    package_version: str
    started_at: dt.datetime
    finished_at: dt.datetime | None

    @property
    def complete(self) -> bool:
        return self.status == "complete"


@dataclass(frozen=True)
class RunRecord:
    """Everything stored about one run except its per-sample values."""

    info: RunInfo
    scenario: dict[str, Any] | None
    options: dict[str, Any]
    summary: Any
    extra: dict[str, Any]
    chunk_size: int | None
    outputs: list[str]
    chunk_ranges: list[tuple[int, int]]
    stats: dict[str, dict[str, float | int | None]]
    owner: str | None
    message: str | None

    @property
    def run_id(self) -> int:
        return self.info.run_id

    def missing(self) -> list[tuple[int, int]]:
        """The sample ranges ``[start, stop)`` not yet committed."""
        return gaps(self.chunk_ranges, self.info.samples or 0)


# -- helpers -------------------------------------------------------------------------------


def gaps(ranges: Sequence[tuple[int, int]], total: int) -> list[tuple[int, int]]:
    """The parts of ``[0, total)`` that no range in ``ranges`` covers, in order."""
    out: list[tuple[int, int]] = []
    at = 0
    for start, stop in sorted(ranges):
        if start > at:
            out.append((at, start))
        at = max(at, stop)
    if at < total:
        out.append((at, total))
    return out


def output_stats(values: NDArray[np.float64]) -> dict[str, float | int | None]:
    """n (finite values), mean, sd (ddof 1), min, p10, p50, p90, max over the finite values."""
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return {"n": 0, **dict.fromkeys(("mean", "sd", "min", "p10", "p50", "p90", "max"))}
    q = np.quantile(x, STAT_QUANTILES)
    return {
        "n": n,
        "mean": float(np.mean(x)),
        "sd": float(np.std(x, ddof=1)) if n > 1 else None,
        "min": float(np.min(x)),
        **{f"p{round(p * 100)}": float(v) for p, v in zip(STAT_QUANTILES, q, strict=True)},
        "max": float(np.max(x)),
    }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _with_nan(column: Any) -> NDArray[np.float64]:
    """A fetched DOUBLE column as float64, NULL (how NaN is stored) back to NaN."""
    if isinstance(column, np.ma.MaskedArray):
        return np.ma.filled(column.astype(np.float64), np.nan)
    return np.asarray(column, dtype=np.float64)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _as_outputs(outputs: Mapping[str, ArrayLike]) -> dict[str, NDArray[np.float64]]:
    arrays = {str(k): np.ascontiguousarray(v, dtype=np.float64) for k, v in outputs.items()}
    sizes = {a.shape for a in arrays.values()}
    if any(len(s) != 1 for s in sizes):
        raise StoreError("every output must be one value per sample (a 1-D array)")
    if len(sizes) > 1:
        raise StoreError("every output must have one value per sample (lengths differ)")
    return arrays
