"""Check a forecast request against its scenario, run it, and build the JSON answer.

The answer holds the forecast's own summary (:meth:`Forecast.to_dict`: per-issue
settlements, the deal, the options game), the figures of :mod:`summitry.report.figures` as
plotly JSON, and the command line that reproduces the numbers. The same request always
gives the same bytes (the engines are seeded), so answers are cached.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from summitry.jsonready import json_ready
from summitry.reproduce import reproduce_command
from summitry.scenario import Scenario, ScenarioError
from summitry.scenario.checks import suggest
from summitry.scenario.quantities import fmt
from summitry.web.catalog import Catalog
from summitry.web.errors import RequestError
from summitry.web.models import ForecastRequest

CHANNEL_PATH = "bargaining.channel"


@dataclass(frozen=True)
class Prepared:
    """A checked request: the scenario with every change applied and how to name it."""

    name: str
    scenario: Scenario
    samples: int
    seed: int
    channel: str | None
    overrides: tuple[tuple[str, float], ...]
    command: str
    engine: str = "default"

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.name, self.samples, self.seed, self.channel, self.overrides, self.engine)


def _check_override(
    sc: Scenario, ranges: dict[str, tuple[float, float]], path: str, x: float
) -> None:
    """Raise :class:`RequestError` unless ``path`` is an input of ``sc`` and ``x`` lies in
    its legal range."""
    field = f"overrides.{path}"
    if path == CHANNEL_PATH:
        raise RequestError(field, "set the bargaining channel with the 'channel' field")
    if path not in ranges:
        hint = suggest(path, list(ranges))
        raise RequestError(field, f"no input at this path in scenario '{sc.name}'{hint}")
    lo, hi = ranges[path]
    if x < lo or x > hi:
        side = "below" if x < lo else "above"
        top = "no upper limit" if math.isinf(hi) else fmt(hi)
        raise RequestError(field, f"{fmt(x)} is {side} the legal range [{fmt(lo)}, {top}]")


def prepare(req: ForecastRequest, catalog: Catalog, samples: int, seed: int) -> Prepared:
    """Check ``req`` against its scenario and apply its changes; ``samples``/``seed`` are the
    server's defaults. Raises :class:`RequestError` naming the field at fault."""
    try:
        base = catalog.get(req.scenario)
    except KeyError:
        names = catalog.names()
        hint = suggest(req.scenario, names)
        raise RequestError(
            "scenario", f"unknown scenario '{req.scenario}'{hint} (choose from {', '.join(names)})"
        ) from None
    ranges = {path: legal for path, _, legal in base.quantities()}
    for path, x in req.overrides.items():
        _check_override(base, ranges, path, x)
    changes: dict[str, Any] = dict(sorted(req.overrides.items()))
    channel = req.channel
    if channel is not None:
        if base.bargaining is None:
            raise RequestError("channel", f"scenario '{base.name}' has no bargaining section")
        if channel != base.bargaining.channel:
            changes[CHANNEL_PATH] = channel
    try:
        sc = base.with_values(changes) if changes else base
    except ScenarioError as err:
        first = err.errors[0]
        raise RequestError(
            f"overrides.{first.path}" if first.path else "overrides", first.message
        ) from None
    n = samples if req.samples is None else req.samples
    s = seed if req.seed is None else req.seed
    _check_memory(sc, n)
    return Prepared(
        name=req.scenario,
        scenario=sc,
        samples=n,
        seed=s,
        channel=None if base.bargaining is None else channel or base.bargaining.channel,
        overrides=tuple(sorted(req.overrides.items())),
        command=command_line(catalog.command_arg(req.scenario), n, s, changes, req.engine),
        engine=req.engine,
    )


def _check_memory(sc: Scenario, samples: int) -> None:
    """Refuse (422, field ``samples``) a forecast whose estimated memory is above the limit
    (docs/limits.md), before a worker allocates anything."""
    from summitry import budget

    try:
        budget.check_scenario(sc)
        need = budget.forecast_bytes(sc, samples, stored=False)
        budget.check(f"{samples:,} samples of scenario '{sc.name}'", need)
    except budget.MemoryLimitError as err:
        raise RequestError("samples", str(err)) from None


def command_line(
    scenario_arg: str,
    samples: int,
    seed: int,
    changes: dict[str, Any],
    engine: str = "default",
) -> str:
    """The ``summitry`` command that prints the same numbers: ``forecast`` without changes,
    else ``compare`` of the scenario against itself with each change as ``--set``; with
    ``--engine all`` when the request asked for every engine."""
    verb = "forecast" if not changes else "compare"
    flags = [] if engine == "default" else ["--engine", engine]
    return reproduce_command(verb, scenario_arg, seed, samples, changes, flags)


def _figures(fc: Any) -> dict[str, Any]:
    """The report's plotly figures as JSON data (None where a figure does not apply)."""
    from summitry.report import figures

    made = {
        "settlement": figures.settlement_figure(fc),
        "deal": figures.deal_figure(fc),
        "options": figures.options_figure(fc),
    }
    return {k: None if f is None else json_ready(json.loads(f.to_json())) for k, f in made.items()}


def compute(p: Prepared) -> bytes:
    """Run the forecast of ``p`` and encode the answer as JSON bytes."""
    from summitry.forecast import forecast
    from summitry.forecasting.registry import resolve

    try:
        fc = forecast(p.scenario, p.samples, p.seed, engines=resolve(p.engine))
    except ValueError as err:
        raise RequestError("", str(err), status=400) from None
    answer = {
        "request": {
            "scenario": p.name,
            "samples": p.samples,
            "seed": p.seed,
            "channel": p.channel,
            "overrides": dict(p.overrides),
            **({} if p.engine == "default" else {"engine": p.engine}),
        },
        "command": p.command,
        "forecast": json_ready(fc.to_dict()),
        "integrated": _integrated(fc) if p.engine in ("default", "all") else None,
        "figures": _figures(fc),
    }
    return json.dumps(answer, allow_nan=False, separators=(",", ":")).encode()


def _integrated(fc: Any) -> dict[str, Any]:
    """The integrated forecast's record (docs/integrated.md); a scenario it cannot cover
    is a 400 with the reason."""
    from summitry.integrated.record import headline

    try:
        return dict(json_ready(headline(fc)))
    except ValueError as err:
        raise RequestError("", f"integrated forecast: {err}", status=400) from None


class AnswerCache:
    """The last ``size`` answers by request key (thread-safe; the engines are seeded, so an
    answer never goes stale)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, p: Prepared, run: Callable[[Prepared], bytes] = compute) -> bytes:
        """The answer to ``p``, computed by ``run(p)`` on a miss (the server passes its
        :class:`~summitry.web.load.Computations`, so a cached answer needs no slot)."""
        with self._lock:
            if p.key in self._items:
                self._items.move_to_end(p.key)
                return self._items[p.key]
        data = run(p)
        with self._lock:
            self._items[p.key] = data
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return data
