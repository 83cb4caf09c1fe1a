"""``summitry forecast``: the integrated forecast of a scenario (docs/integrated.md), then
each engine's results, as tables or JSON."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from summitry.cli.app import app, console, err_console, fail, progress_bar
from summitry.cli.forecast_view import (
    print_compromise,
    print_deal,
    print_nbs,
    print_options,
    print_procedural,
    print_settlements,
    print_trace,
)
from summitry.cli.limits import SWEEP_HINT, check_memory, out_of_memory
from summitry.cli.runs import DEFAULT_DB, DbOption, NoStoreOption, save_and_report, writable_store
from summitry.cli.tables import WideOption
from summitry.defaults import DEFAULT_SCENARIO
from summitry.engines.eum.options import PRESETS
from summitry.jsonready import json_text
from summitry.limits import MAX_SAMPLES

if TYPE_CHECKING:
    from summitry.forecast import Forecast
    from summitry.store import Store

PROGRESS_FROM = 20_000
"""Show a progress bar from this many samples on (smaller runs finish in a blink)."""


@app.command("forecast")
def forecast_command(
    scenario: Annotated[
        str, typer.Argument(help="A bundled scenario name or a path to a scenario file.")
    ] = DEFAULT_SCENARIO,
    samples: Annotated[
        int, typer.Option(min=1, max=MAX_SAMPLES, help="Monte Carlo draws of the inputs.")
    ] = 1000,
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Random seed.")] = 0,
    rounds: Annotated[
        int | None, typer.Option(min=1, max=1000, help="Bargaining rounds (default: scenario).")
    ] = None,
    variant: Annotated[
        str | None,
        typer.Option(help=f"Expected-utility preset: {', '.join(PRESETS)} (default: scenario)."),
    ] = None,
    point: Annotated[
        bool, typer.Option("--point", help="One run on every input's central value.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    trace: Annotated[
        bool, typer.Option("--trace", help="Show who proposed what to whom in the first sample.")
    ] = False,
    engine: Annotated[
        str,
        typer.Option(
            help="Engines to run and show: eum, smp, bargaining (with the options game), "
            "compromise, nbs, procedural, default (eum, smp, bargaining) or all."
        ),
    ] = "default",
    db: DbOption = Path(DEFAULT_DB),
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """Forecast SCENARIO: one answer per issue (the integrated forecast: P(deal) x terms,
    else the no-deal point, with model error apart), then each engine's answer: where each
    issue settles (expected-utility and spatial models), whether a deal is possible and on
    what terms (bargaining model), and which strategy pays (options game)."""
    from summitry.forecast import forecast
    from summitry.forecasting.registry import resolve
    from summitry.scenario import ScenarioError, load

    try:
        engines = resolve(engine)
    except ValueError as err:
        fail(f"--engine: {err}")

    if variant is not None and variant not in PRESETS:
        fail(f"--variant: unknown preset {variant!r}; choose one of {', '.join(PRESETS)}")
    try:
        sc = load(scenario)
    except ScenarioError as err:
        fail(str(err).splitlines())
    n = 1 if point else samples
    check_memory(
        f"--samples {n:,}",
        lambda b: b.forecast_bytes(sc, n, engines, rounds=rounds, stored=not no_store),
        SWEEP_HINT,
        scenarios=[sc],
    )
    store = None if no_store else writable_store(db)
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        if as_json or n < PROGRESS_FROM:
            fc = forecast(sc, n, seed, variant=variant, rounds=rounds, point=point, engines=engines)
        else:
            with progress_bar() as bar:
                task = bar.add_task("sampling", total=n)
                fc = forecast(
                    sc,
                    n,
                    seed,
                    variant=variant,
                    rounds=rounds,
                    point=point,
                    engines=engines,
                    progress=lambda k: bar.advance(task, k),
                )
    except ValueError as err:
        fail(str(err))
    except MemoryError:
        fail(out_of_memory(f"--samples {n:,}"))
    if store is not None:
        _save(store, fc, started_at, variant=variant, rounds=rounds, db=db)
    lead = engine in ("default", "all")  # the integrated headline (docs/integrated.md)
    if as_json:
        data = fc.to_dict()
        if lead:
            data["integrated"] = _integrated(fc)
        if trace:
            data["trace"] = _trace_records(fc)
        console.print_json(json_text(data))
        return
    if lead:
        from summitry.cli.integrated_view import print_integrated

        what = "central values" if fc.point else f"{fc.samples:,} samples, seed {fc.seed}"
        print_integrated(_integrated(fc), sc.title, what, wide=wide)
    shown = engines
    if {"eum", "smp"} & set(shown):
        print_settlements(fc, shown, wide=wide)
    if "bargaining" in shown:
        print_deal(fc, wide=wide)
        print_options(fc, wide=wide)
    if "compromise" in shown:
        print_compromise(fc, wide=wide)
    if "nbs" in shown:
        print_nbs(fc, wide=wide)
    if "procedural" in shown:
        print_procedural(fc, wide=wide)
    for note in fc.notes:
        err_console.print(f"note: {note}", markup=False)
    if trace:
        print_trace(_trace_records(fc), wide=wide)


def _save(
    store: Store,
    fc: Forecast,
    started_at: dt.datetime,
    *,
    variant: str | None,
    rounds: int | None,
    db: Path,
) -> None:
    """Keep the run in the results store; say where on stderr (stdout stays the result)."""
    from summitry.sweep import engine_options

    record = fc.to_dict()
    options = {
        "engines": record.get("engines"),
        "variant": variant,
        "rounds": rounds,
        "point": fc.point,
        **engine_options(fc),
    }
    save_and_report(
        store,
        db,
        "forecast",
        fc.scenario,
        fc.seed,
        options,
        fc.outputs(),
        record,
        started_at,
        {"notes": record.get("notes", [])},
    )


def _integrated(fc: Forecast) -> dict[str, Any]:
    """The integrated record of ``fc``; a scenario it cannot cover fails with one line."""
    from summitry.integrated.record import headline

    try:
        return headline(fc)
    except ValueError as err:
        fail(f"integrated forecast: {err}")


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def _trace_records(fc: Forecast) -> dict[str, list[dict[str, Any]]]:
    actors = fc.scenario.actor_ids
    out: dict[str, list[dict[str, Any]]] = {}
    for issue, records in fc.trace().items():
        rows = []
        for rec in records:
            d = dataclasses.asdict(rec)
            d["sender"] = actors[d["sender"]]
            d["target"] = actors[d["target"]]
            rows.append(d)
        out[issue] = rows
    return out
