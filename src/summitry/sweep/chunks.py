"""Sweep chunks: what a sweep computes (:class:`SweepSpec`, pickled to the workers as
canonical JSON), how its missing samples are cut into chunks, and the pure computation of
one chunk on a worker (docs/store.md, "Seeding" and "Sweeps and resuming")."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from summitry.forecast import ENGINES
from summitry.store import canonical_json, kill_hook, scenario_data, scenario_from_data

if TYPE_CHECKING:
    from summitry.forecast import Forecast
    from summitry.scenario import Scenario

DEFAULT_CHUNK = 10_000
FIRST_CHUNK = 2_000
"""Size of a sweep's first chunk: chunks then double up to the chunk size
(:func:`plan_chunks`), so the first results, and with them a rate and an ETA, come within
seconds however large the chunks are."""
SUBCHUNK = 4096
"""Samples a worker runs at once inside a chunk (bounds a worker's memory)."""


class SweepError(Exception):
    """A sweep cannot start or continue; the message is one line for the user."""


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep computes: ``samples`` draws of ``scenario`` from ``seed``, with the
    engines and expected-utility overrides of :func:`summitry.forecast.forecast`."""

    scenario: Scenario
    samples: int
    seed: int = 0
    engines: tuple[str, ...] = ENGINES
    variant: str | None = None
    rounds: int | None = None

    def params(self) -> dict[str, Any]:
        """The run parameters as stored (``options`` adds the resolved engine options)."""
        return {"engines": list(self.engines), "variant": self.variant, "rounds": self.rounds}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the scenario as its canonical JSON text, not as a pydantic object, so a
        worker rebuilds it with its own summitry (once per worker, see :func:`_rebuild`)."""
        text = canonical_json(scenario_data(self.scenario))
        args = (text, self.samples, self.seed, self.engines, self.variant, self.rounds)
        return (_rebuild, args)


_SCENARIOS: dict[str, Scenario] = {}
"""Scenarios rebuilt in this process, by their JSON text (workers see few of them)."""


def _rebuild(
    text: str,
    samples: int,
    seed: int,
    engines: tuple[str, ...],
    variant: str | None,
    rounds: int | None,
) -> SweepSpec:
    if text not in _SCENARIOS:
        if len(_SCENARIOS) > 8:
            _SCENARIOS.clear()
        _SCENARIOS[text] = scenario_from_data(json.loads(text), "<scenario of a sweep>")
    return SweepSpec(_SCENARIOS[text], samples, seed, engines, variant, rounds)


@dataclass(frozen=True)
class ChunkResult:
    """One computed chunk: samples ``start .. stop - 1`` of every output."""

    start: int
    stop: int
    outputs: dict[str, NDArray[np.float64]]
    seconds: float
    worker: str


def compute_chunk(spec: SweepSpec, start: int, stop: int) -> ChunkResult:
    """Samples ``[start, stop)`` of ``spec`` (runs on a worker; pure, no store access).

    Runs :func:`summitry.forecast.forecast` on pieces of at most :data:`SUBCHUNK` samples
    and keeps only the per-sample outputs, so a worker's memory does not grow with the
    chunk."""
    kill_hook(start, "compute")
    t0 = time.perf_counter()
    parts = []
    for a in range(start, stop, SUBCHUNK):
        b = min(a + SUBCHUNK, stop)
        parts.append(_forecast(spec, a, b - a).outputs())
    outputs = {k: np.ascontiguousarray(np.concatenate([p[k] for p in parts])) for k in parts[0]}
    return ChunkResult(start, stop, outputs, time.perf_counter() - t0, _worker_name())


def _forecast(spec: SweepSpec, start: int, size: int) -> Forecast:
    from summitry.forecast import forecast as run_forecast

    return run_forecast(
        spec.scenario,
        size,
        spec.seed,
        start=start,
        engines=spec.engines,
        variant=spec.variant,
        rounds=spec.rounds,
        chunk=SUBCHUNK,
    )


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def plan_chunks(
    missing: Sequence[tuple[int, int]], chunk: int, first: int | None = None
) -> list[tuple[int, int]]:
    """Cut every missing range ``[a, b)``, in order, into chunks of ``chunk`` samples from
    ``a``; with ``first``, the plan's first chunk has ``min(first, chunk)`` samples and
    each next one twice the last, up to ``chunk`` (a chunk is also cut where a range ends).
    Which chunk a sample lands in never changes its values (docs/store.md, "Seeding")."""
    if chunk < 1:
        raise SweepError(f"--chunk must be at least 1, got {chunk}")
    size = chunk if first is None else max(1, min(first, chunk))
    plan: list[tuple[int, int]] = []
    for a, b in missing:
        s = a
        while s < b:
            plan.append((s, min(s + size, b)))
            s = plan[-1][1]
            size = min(2 * size, chunk)
    return plan


def engine_options(fc: Forecast) -> dict[str, Any]:
    """Every engine's resolved options in a forecast: ``eum`` and, for each further engine
    whose options :meth:`Forecast.to_dict` reports as ``<engine>_options``, ``<engine>``."""
    record = fc.to_dict()
    out: dict[str, Any] = {"eum": record.get("options")}
    for key, value in record.items():
        if key.endswith("_options"):
            out[key.removesuffix("_options")] = value
    return out


def resolved_options(spec: SweepSpec, probe: Forecast) -> dict[str, Any]:
    """Run parameters plus the engine options they resolve to (what the store keeps)."""
    return {**spec.params(), **engine_options(probe)}
