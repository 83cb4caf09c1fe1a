"""The memory check every command runs before it allocates (docs/limits.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from summitry.cli.app import fail

if TYPE_CHECKING:
    from summitry.scenario import Scenario
    from summitry.sweep import SweepSpec

SWEEP_HINT = "use `summitry sweep`, which streams any number of samples to the store"
"""What ``forecast`` and ``report`` suggest when a run does not fit in memory."""


def check_memory(
    request: str,
    estimate: Callable[[ModuleType], int],
    hint: str = "",
    *,
    scenarios: Sequence[Scenario] = (),
) -> None:
    """Exit 2 with one line when ``estimate(summitry.budget)`` bytes are above the memory
    limit (or the limit's environment variable is malformed); ``request`` names what was
    asked for, e.g. ``--samples 10,000,000``. A scenario of ``scenarios`` too big for even
    one sample is named first, with its size (:func:`summitry.budget.check_scenario`)."""
    from summitry import budget

    try:
        for scenario in scenarios:
            budget.check_scenario(scenario)
        budget.check(request, estimate(budget), hint)
    except budget.MemoryLimitError as err:
        fail(str(err))


def out_of_memory(request: str) -> str:
    """The line for a run that hit a MemoryError although its estimate fitted."""
    from summitry import budget

    return (
        f"{request}: ran out of memory although the estimate fitted the limit; ask for "
        f"less, or lower {budget.ENV} (docs/limits.md)"
    )


def check_sweep(spec: SweepSpec, chunk: int, workers: int | None, scheduler: str | None) -> None:
    """The memory check of ``summitry sweep``: local workers (``workers``, default one per
    CPU) each with a chunk in hand; with ``scheduler`` the workers are elsewhere and only
    this process's share (the chunks it stores) counts."""
    from summitry.sweep import default_workers

    if scheduler is not None:
        request, n, worker = f"--chunk {chunk:,}", 1, False
    else:
        n = default_workers() if workers is None else workers
        request, worker = f"--workers {n:,} with --chunk {chunk:,}", True
    check_memory(
        request,
        lambda b: b.sweep_bytes(spec.scenario, spec.samples, chunk, n, spec.engines, local=worker),
        scenarios=[spec.scenario],
    )
