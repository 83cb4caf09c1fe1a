"""How much memory a request needs, estimated before anything is allocated, and the limit.

Every command that takes a sample count (``forecast``, ``compare``, ``sensitivity``,
``backtest``, ``report``, ``sweep``) calls one of the ``*_bytes`` estimators below with the
scenario's sizes and :func:`check`, which raises :class:`MemoryLimitError` (one line naming
the request, the estimate and the limit) when the estimate is above :func:`memory_limit`.

The estimate of a forecast of B samples in chunks of C is (docs/limits.md)

    fixed + B * kept + min(B, C) * working

with ``kept`` the bytes each sample keeps until the run is summarised (its inputs, each
engine's per-sample results, the options game, the outputs and the rows written to the
store) and ``working`` the bytes each sample of the chunk being computed needs on top
(each engine's full trajectories and scratch arrays). Both are functions of the number of
actors n, issues D, uncertain quantities Q, rounds R and the engines run; docs/limits.md
lists them, and ``tests/budget/test_budget.py`` keeps them an upper bound of a real run's peak
allocation (tracemalloc) within a small factor.

The limit is ``SUMMITRY_MEMORY_LIMIT`` (a size such as ``2GB`` or ``512MiB``) when set, else
half of the memory this process can still get: the system's available memory
(psutil), lowered by a cgroup limit and by an address-space rlimit when there is one.
"""

from __future__ import annotations

import math
import os
import re
import resource
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from summitry.forecasting.registry import DEFAULT

if TYPE_CHECKING:
    from summitry.scenario import Scenario

ENV = "SUMMITRY_MEMORY_LIMIT"
"""Environment variable that sets the memory limit (e.g. ``2GB``, ``512MiB``, ``1e9``)."""
FRACTION = 0.5
"""Share of the available memory one request may plan to use when ``ENV`` is not set."""
FLOAT = 8
"""Bytes per number (float64, int64, uint64)."""
ENGINE_NAMES = DEFAULT
"""The default engine set (:data:`summitry.forecasting.registry.DEFAULT`)."""
FORECAST_CHUNK = 4096
"""Samples per chunk of :func:`summitry.forecast.forecast` (its ``DEFAULT_CHUNK``)."""
SWEEP_WORKER = 256 * 2**20
"""Bytes a local Dask worker process needs before its first chunk (interpreter, imports)."""
LAMBDAS = 8
"""Precision values of the options game's logit QRE (``engines.options_game.DEFAULT_LAMBDAS``)."""
SENSITIVITY_FIXED = 64 * 2**20
"""Bytes SALib and the libraries it imports take when an analysis starts."""
REPORT_FIXED = 128 * 2**20
"""Bytes the report's chart libraries (plotly, matplotlib) take to draw."""
PILOT = 10_000
"""Rows of draws behind the options game's P(deal) (``forecasting.options_game.PILOT``)."""

EUM_SLICE_CELLS = 1 << 17
"""The expected-utility engine cuts its batch into slices of ``max(EUM_SLICE_MIN,
EUM_SLICE_CELLS // (n^2 (n-1) / 2))`` elements (``engines.eum.model._SLICE_CELLS``)."""
EUM_SLICE_MIN = 64
"""The fewest elements in a slice, however many actors (``engines.eum.model``)."""


def eum_votes(n: int, all_pairs: bool = False) -> int:
    """Bytes of the votes of one slice of the expected-utility engine: three arrays of
    (n, n(n-1)/2, slice) floats (the votes, a scratch buffer and a temporary), and with
    ``probability: all-pairs`` one of (n, n, n, slice) - n^3 growth that dominates for
    large n (about 96 TB for 5,003 actors)."""
    cells = n * n * max(n - 1, 1) // 2
    step = max(EUM_SLICE_MIN, EUM_SLICE_CELLS // max(cells, 1))
    return FLOAT * step * (3 * cells + (n**3 if all_pairs else 0))


class MemoryLimitError(ValueError):
    """A request whose estimated memory is above the limit; the message is one line."""


@dataclass(frozen=True)
class Sizes:
    """The sizes an estimate depends on: actors n, issues D, quantities Q (every input of the
    scenario), EUM rounds R, SMP turn cap T, ratifiers of the active bargaining channel r,
    and whether each engine draws uniforms of its own (stochastic resolution)."""

    n: int
    d: int
    q: int
    rounds: int
    turns: int
    ratifiers: int
    bargaining: bool
    options: bool
    eum_stochastic: bool
    smp_stochastic: bool
    eum_all_pairs: bool = False

    @classmethod
    def of(cls, scenario: Scenario, rounds: int | None = None) -> Sizes:
        eum = scenario.model.eum.options()
        smp = scenario.model.smp.options()
        bg = scenario.bargaining
        return cls(
            n=len(scenario.actors),
            d=len(scenario.issues),
            q=len(scenario.quantities()),
            rounds=eum.rounds if rounds is None else rounds,
            turns=smp.max_turns,
            ratifiers=0 if bg is None else len(bg.active().ratifiers),
            bargaining=bg is not None,
            options=bg is not None and scenario.options is not None,
            eum_stochastic=eum.conflict == "stochastic",
            smp_stochastic=smp.resolution == "stochastic",
            eum_all_pairs=eum.probability == "all-pairs",
        )


@dataclass(frozen=True)
class Footprint:
    """Bytes of one forecast: ``fixed``, ``kept`` per sample of the run, ``working`` per
    sample of the chunk being computed (see the module docstring)."""

    fixed: int
    kept: int
    working: int

    def total(self, samples: int, chunk: int = FORECAST_CHUNK) -> int:
        return self.fixed + samples * self.kept + min(samples, chunk) * self.working


SETTLEMENT_ONLY = {"compromise": 8, "nbs": 16, "procedural": 16}
"""Opt-in engines with one output per issue (their (B, D) settlement): the (B, D, n) arrays
each holds while running."""


def outputs_count(s: Sizes, engines: Sequence[str]) -> int:
    """Per-sample outputs of :meth:`Forecast.outputs`: 3D for the EUM, D + 2 for the SMP,
    4 + 2D for the bargaining model, 3 for the options game, D for each of the compromise,
    NBS and procedural models."""
    count = 3 * s.d
    if "smp" in engines and s.n >= 3:
        count += s.d + 2
    if "bargaining" in engines and s.bargaining:
        count += 4 + 2 * s.d + (3 if s.options else 0)
    count += s.d * sum(e in engines for e in SETTLEMENT_ONLY)
    return count


def footprint(s: Sizes, engines: Sequence[str] = ENGINE_NAMES, *, stored: bool = True) -> Footprint:
    """The bytes of a forecast of ``s`` with ``engines`` (docs/limits.md, "The estimate").

    ``stored``: the per-sample outputs are also written to the store (the commands do).
    """
    n, d, q, r, f = s.n, s.d, s.q, s.rounds, FLOAT
    # Inputs: every quantity, the status quo and an engine seed per sample; the sampler
    # makes them in blocks of 1,024 rows (uniforms and values) and the EUM gets a copy of
    # the capabilities per issue.
    kept = f * (q + d + 1)
    working = f * (2 * q + n * d)
    fixed = 3 * 1024 * f * q
    # Expected-utility model: a sampled run keeps rows 0 and R of median, mean, positions.
    kept += d * (f * (2 * n + 5) + 1)
    working += f * d * (2 * (r + 1) * n + 3 * r + 2 * (r + 1) + 2)
    if s.eum_stochastic:
        working += 2 * f * d * r * n * n
    fixed += 2048 * f * d * (4 * n * n + 20 * n)  # the engine works on slices of ~1,000 runs
    fixed += eum_votes(n, s.eum_all_pairs)  # the (n, n(n-1)/2, slice) votes of the slice in hand
    if "smp" in engines and n >= 3:
        kept += f * (2 * d + n * d + 3)
        working += 36 * f * (n * n + n * d)
        if s.smp_stochastic:
            working += 2 * f * s.turns * n
    if "bargaining" in engines and s.bargaining:
        rat = s.ratifiers
        kept += f * (10 + d + 2 * rat) + 3 + rat
        working += f * (40 + 8 * d + 8 * rat)
        if s.options:
            # the game of every sample is solved at once after the run: its result
            # (11 L + 19 numbers) and as much again while solving; the pilot's draws.
            kept += 3 * f * (11 * LAMBDAS + 19)
            fixed += PILOT * f * (3 * q + 4 * d + 20)
    for name, arrays in SETTLEMENT_ONLY.items():
        if name in engines:
            # its (B, D) settlement; while running, the transposed inputs, the weights and
            # (NBS, procedural) the bisection's or the acceptable interval's (B, D, n) arrays
            kept += f * d
            working += arrays * f * n * d
    outputs = outputs_count(s, engines)
    kept += f * outputs  # Forecast.outputs()
    if stored:
        kept += 8 * f * outputs  # the store's rows: run, output, sample, value (and a copy)
    return Footprint(fixed=fixed, kept=kept, working=working)


def forecast_bytes(
    scenario: Scenario,
    samples: int,
    engines: Sequence[str] = ENGINE_NAMES,
    *,
    rounds: int | None = None,
    chunk: int = FORECAST_CHUNK,
    stored: bool = True,
) -> int:
    """Estimated peak bytes of ``forecast(scenario, samples)`` and its outputs."""
    return footprint(Sizes.of(scenario, rounds), engines, stored=stored).total(samples, chunk)


def compare_bytes(
    a: Scenario,
    b: Scenario,
    samples: int,
    *,
    stored: bool = True,
    engines: Sequence[str] = ENGINE_NAMES,
) -> int:
    """Two forecasts kept side by side, and the bootstrap of each output (blocks of 64
    resamples: indices for a and b, the resampled values and a sorting copy of each)."""
    both = forecast_bytes(a, samples, engines, stored=stored)
    both += forecast_bytes(b, samples, engines, stored=stored)
    return both + 64 * samples * 6 * FLOAT


def sensitivity_bytes(
    scenario: Scenario,
    method: str,
    n: int,
    factors: int,
    *,
    second_order: bool = False,
    engines: Sequence[str] = ENGINE_NAMES,
) -> int:
    """Sobol' (``n`` (k+2) runs, ``n`` (2k+2) with second order) or Morris (``n`` (k+1)
    runs) over ``factors`` = k inputs: SALib and its imports, the design (k levels per run;
    Morris builds it with about one copy more), one chunk of forecasts at a time, one
    output per run, and the analysis (Sobol': about 105 n k numbers for the bootstrap of
    100 resamples, twice that with second order; Morris: about 4 runs k numbers)."""
    k = factors
    per = (2 * k + 2 if second_order else k + 2) if method == "sobol" else k + 1
    runs = n * per
    one_chunk = footprint(Sizes.of(scenario), engines, stored=False).total(
        min(runs, FORECAST_CHUNK)
    )
    if method == "sobol":
        design = runs * k * FLOAT * 6 // 5
        analysis = 105 * n * k * FLOAT * (2 if second_order else 1) + 2 * runs * FLOAT
    else:
        design = 2 * runs * k * FLOAT
        analysis = 4 * runs * k * FLOAT + 4 * runs * FLOAT
    return SENSITIVITY_FIXED + design + one_chunk + analysis


def report_bytes(
    scenario: Scenario,
    samples: int,
    *,
    sensitivity: bool = True,
    engines: Sequence[str] = ENGINE_NAMES,
) -> int:
    """The report's forecast (kept while the rest is made), its Morris screen of the first
    issue's settlement (20 trajectories over every uncertain input) and the charts."""
    from summitry.scenario import Fixed

    need = REPORT_FIXED + forecast_bytes(scenario, samples, engines)
    if sensitivity:
        k = sum(not isinstance(q, Fixed) for _, q, _ in scenario.quantities())
        if k:
            need += sensitivity_bytes(scenario, "morris", 20, k, engines=("eum",))
    return need


def backtest_bytes(
    episodes: Sequence[Scenario], samples: int, engines: Sequence[str] = ENGINE_NAMES
) -> int:
    """Episodes run one after the other; each keeps its scored outputs for the store."""
    run = ("eum", *(e for e in engines if e != "eum"))
    peak = max(forecast_bytes(sc, samples, run, stored=False) for sc in episodes)
    kept = sum(samples * 9 * FLOAT * outputs_count(Sizes.of(sc), run) for sc in episodes)
    return peak + kept


def sweep_bytes(
    scenario: Scenario,
    samples: int,
    chunk: int,
    workers: int,
    engines: Sequence[str] = ENGINE_NAMES,
    *,
    local: bool = True,
) -> int:
    """``workers`` local worker processes each computing a chunk (in sub-chunks of 4,096)
    and this process holding the outputs of up to two chunks per worker before it stores
    them; with ``local=False`` (a cluster elsewhere) only this process's share."""
    size = min(chunk, samples)
    fp = footprint(Sizes.of(scenario), engines, stored=True)
    held = 2 * size * 9 * FLOAT * outputs_count(Sizes.of(scenario), engines)
    if not local:
        return workers * held
    per_worker = SWEEP_WORKER + fp.fixed + size * fp.kept + min(size, FORECAST_CHUNK) * fp.working
    return workers * (per_worker + held)


# -- the limit ---------------------------------------------------------------------------

_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kmgt]?)(i?)b?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``2GB``, ``1.5 GiB``, ``512M``, ``1e9`` -> bytes (ValueError on anything else)."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(text)
    unit = m.group(2).lower()
    scale = 1024 ** "kmgt".index(unit) * 1024 if unit and m.group(3) else _UNITS[unit]
    value = float(m.group(1)) * scale
    if not math.isfinite(value) or value < 1:
        raise ValueError(text)
    return int(value)


def format_size(nbytes: float) -> str:
    """Bytes in the largest decimal unit that keeps at least 1, one decimal: ``6.9 GB``."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            return f"{nbytes / scale:,.1f} {unit}"
    return f"{int(nbytes)} B"


def available_memory() -> int:
    """Bytes this process can still allocate: the system's available memory (psutil),
    at most a cgroup's limit minus its usage and the address-space rlimit minus this
    process's virtual size."""
    import psutil

    avail = int(psutil.virtual_memory().available)
    cgroup = _cgroup_headroom()
    if cgroup is not None:
        avail = min(avail, cgroup)
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        avail = min(avail, max(0, soft - int(psutil.Process().memory_info().vms)))
    return avail


def _cgroup_headroom() -> int | None:
    """A cgroup v2 (or v1) memory limit minus the cgroup's usage, or None without one."""
    pairs = (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    )
    for limit_file, usage_file in pairs:
        try:
            limit = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 2**60:
            return max(0, int(limit) - usage)
    return None


def memory_limit() -> tuple[int, str]:
    """The limit in bytes and where it comes from (for the message)."""
    text = os.environ.get(ENV, "").strip()
    if text:
        try:
            return parse_size(text), ENV
        except ValueError:
            raise MemoryLimitError(
                f"{ENV}: {text!r} is not a size such as 2GB, 512MiB or 1e9"
            ) from None
    return int(FRACTION * available_memory()), f"half the free memory; {ENV} sets it"


def check_scenario(scenario: Scenario) -> None:
    """Raise :class:`MemoryLimitError` when a single sample of ``scenario`` with the
    expected-utility model alone (the least any command runs) is above the limit: one line
    naming the scenario's size, the estimate and the limit. More samples cannot help then,
    and fewer cannot either, so the message says so instead of pointing at ``--samples``."""
    need = forecast_bytes(scenario, 1, ("eum",), stored=False)
    limit, source = memory_limit()
    if need > limit:
        s = Sizes.of(scenario)
        actors = f"{s.n:,} actor{'s' if s.n != 1 else ''}"
        issues = f"{s.d:,} issue{'s' if s.d != 1 else ''}"
        raise MemoryLimitError(
            f"scenario '{scenario.name}' ({actors}, {issues}): a single sample needs about "
            f"{format_size(need)} of memory, above the limit of {format_size(limit)} "
            f"({source}); the expected-utility model's memory grows with the cube of the "
            "number of actors (docs/limits.md)"
        )


def check(request: str, need: int, hint: str = "") -> None:
    """Raise :class:`MemoryLimitError` when ``need`` bytes are above the limit: one line
    with the request (e.g. ``--samples 10,000,000``), the estimate, the limit and ``hint``."""
    limit, source = memory_limit()
    if need > limit:
        tail = f"; {hint}" if hint else ""
        raise MemoryLimitError(
            f"{request}: needs about {format_size(need)} of memory, above the limit of "
            f"{format_size(limit)} ({source}){tail}"
        )


# -- sweep workers -----------------------------------------------------------------------

WORKERS_PER_CPU = 4
"""A sweep's local workers are single-threaded processes: more than one per CPU only share
the CPUs (and each costs :data:`SWEEP_WORKER` and its chunk in memory), so ``--workers``
is refused above this many per usable CPU, before any process starts (docs/limits.md)."""


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, else the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def max_workers() -> int:
    """The most local sweep workers allowed: :data:`WORKERS_PER_CPU` per usable CPU (the
    memory they need is checked separately, :func:`sweep_bytes`)."""
    return WORKERS_PER_CPU * usable_cpus()


class WorkerLimitError(ValueError):
    """More local workers than :func:`max_workers`; the message is one line."""


def check_workers(workers: int) -> None:
    """Raise :class:`WorkerLimitError` (one line) when ``workers`` is above
    :func:`max_workers`."""
    most = max_workers()
    if workers > most:
        cpus = usable_cpus()
        raise WorkerLimitError(
            f"--workers {workers:,}: at most {most} local workers on this machine "
            f"({WORKERS_PER_CPU} per CPU, {cpus} CPU{'' if cpus == 1 else 's'}); each worker "
            "is a process of its own (docs/limits.md)"
        )
