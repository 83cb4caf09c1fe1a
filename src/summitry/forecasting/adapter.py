"""The one contract every engine meets to run on a scenario (docs/adding-an-engine.md).

An adapter turns a scenario's draws (:class:`summitry.sampling.Draws`: B samples on the
leading axis) into the engine's inputs, runs the batched engine and names its per-sample
outputs. Its result depends only on the scenario, the draws' rows and the settings, row by
row: running on rows a..b and on b..c and joining the two with :meth:`EngineAdapter.concat`
gives exactly the result on a..c (the sample axis is independent; tests/forecasting/
test_contract.py holds every registered engine to this).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from summitry.engines.eum.options import EUMOptions
    from summitry.sampling import Draws
    from summitry.scenario import Scenario

R = TypeVar("R")


@dataclass(frozen=True)
class Settings:
    """What a run needs beyond the scenario and the draws: the expected-utility options
    (the scenario's ``model.eum`` with the caller's preset and rounds), the seed and
    whether this is a point run (one run on the central values)."""

    eum: EUMOptions
    seed: int = 0
    point: bool = False


@dataclass(frozen=True)
class Unavailable:
    """Why a scenario cannot run an engine: ``note`` completes "<engine>: not run (...)",
    ``error`` is the one-line error when the engine was asked for alone."""

    note: str
    error: str


class EngineAdapter(Protocol[R]):
    """An engine as the forecast sees it (the registry holds one per engine)."""

    name: str
    """The engine's name: ``--engine`` value and the first part of its output names (its
    description and whether it is in the default set are in the registry's table)."""
    scored: str | None
    """The output a backtest scores per issue (``<name>.<what>.{}``), None if not scored."""

    def unavailable(self, scenario: Scenario) -> Unavailable | None:
        """Why ``scenario`` cannot run the engine, or None when it can."""
        ...

    def run(self, scenario: Scenario, draws: Draws, settings: Settings) -> R:
        """The engine's result on every row of ``draws`` (rows on the leading axes)."""
        ...

    def outputs(
        self, scenario: Scenario, draws: Draws, result: R
    ) -> dict[str, NDArray[np.float64]]:
        """The named per-sample outputs (dotted names starting with ``name.``), each (B,)."""
        ...

    def output_names(self, scenario: Scenario) -> tuple[str, ...]:
        """The names :meth:`outputs` returns for ``scenario``, without running anything."""
        ...

    def summary(self, scenario: Scenario, result: R) -> dict[str, Any] | None:
        """A JSON-ready summary over the samples (None if the engine has none of its own)."""
        ...

    def concat(self, parts: Sequence[R]) -> R:
        """The result of consecutive chunks of rows, joined along the sample axis."""
        ...


_T = TypeVar("_T")


def concat_rows(parts: Sequence[_T]) -> _T:
    """Join dataclasses of arrays (a dict field entry by entry) along axis 0."""
    import numpy as np

    first = parts[0]
    values: dict[str, Any] = {}
    for f in fields(first):  # type: ignore[arg-type]
        xs = [getattr(p, f.name) for p in parts]
        if isinstance(xs[0], dict):
            values[f.name] = {k: np.concatenate([x[k] for x in xs]) for k in xs[0]}
        else:
            values[f.name] = np.concatenate(xs)
    return type(first)(**values)


QUANTILES = (0.1, 0.5, 0.9)
"""The quantiles every summary reports, as p10/p50/p90."""


def quantiles(x: NDArray[np.float64]) -> dict[str, float]:
    """p10, p50 and p90 of ``x``."""
    import numpy as np

    q = np.quantile(x, QUANTILES)
    return {f"p{round(p * 100)}": float(v) for p, v in zip(QUANTILES, q, strict=True)}


def per_issue(scenario: Scenario, values: NDArray[np.float64]) -> dict[str, dict[str, float]]:
    """Per issue id, the quantiles of column k of (B, D) ``values``."""
    return {i: quantiles(values[:, k]) for k, i in enumerate(scenario.issue_ids)}
