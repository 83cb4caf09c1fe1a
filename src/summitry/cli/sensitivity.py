"""``summitry sensitivity``: which uncertain inputs drive a forecast output (Sobol', Morris)."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from summitry.cli.app import app, console, err_console, fail, progress_bar
from summitry.cli.limits import check_memory, out_of_memory
from summitry.cli.runs import DEFAULT_DB, DbOption, NoStoreOption, save_and_report, writable_store
from summitry.cli.tables import Col, Dotted, WideOption, emit, fitted
from summitry.defaults import DEFAULT_SCENARIO
from summitry.engines.eum.options import PRESETS

if TYPE_CHECKING:
    from summitry.scenario import Scenario
    from summitry.sensitivity import Sensitivity

PROGRESS_FROM = 5_000
"""Show a progress bar from this many model runs on."""
DIST_MIN = 24
"""Narrowest width of the distribution column; below it the column is dropped."""


@app.command("sensitivity")
def sensitivity_command(
    scenario: Annotated[
        str, typer.Argument(help="A bundled scenario name or a path to a scenario file.")
    ] = DEFAULT_SCENARIO,
    method: Annotated[
        str, typer.Option(help="sobol (variance shares with intervals) or morris (screening).")
    ] = "sobol",
    n: Annotated[
        int | None,
        typer.Option(
            "--n",
            help="Sobol': base sample N (runs N(k+2)), best a power of 2, default 256. "
            "Morris: trajectories r (runs r(k+1)), default 20.",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(help="The forecast output to explain (default: eum.settlement.<issue 1>)."),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--inputs",
            help="Glob on dotted input paths, e.g. 'actors.dprk.*' (repeatable); other "
            "uncertain inputs are held at their central values.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Random seed.")] = 0,
    second_order: Annotated[
        bool, typer.Option("--second-order", help="Sobol' only: also pairwise indices S2.")
    ] = False,
    top: Annotated[
        int, typer.Option(min=0, help="Rows of the table (0: every input; JSON has all).")
    ] = 20,
    rounds: Annotated[
        int | None, typer.Option(min=1, max=1000, help="Bargaining rounds (default: scenario).")
    ] = None,
    variant: Annotated[
        str | None,
        typer.Option(help=f"Expected-utility preset: {', '.join(PRESETS)} (default: scenario)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    db: DbOption = Path(DEFAULT_DB),
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """Rank the uncertain inputs of SCENARIO by how much they drive one forecast output."""
    from summitry import sensitivity as sa
    from summitry.scenario import ScenarioError, load

    if method not in sa.METHODS:
        fail(f"--method: unknown method {method!r}; choose one of {', '.join(sa.METHODS)}")
    if n is not None and n < sa.MIN_N[method]:
        fail(f"--n: must be at least {sa.MIN_N[method]} for {method}, got {n}")
    if second_order and method != "sobol":
        fail("--second-order: only the sobol method has second-order indices")
    if variant is not None and variant not in PRESETS:
        fail(f"--variant: unknown preset {variant!r}; choose one of {', '.join(PRESETS)}")
    try:
        sc = load(scenario)
    except ScenarioError as err:
        fail(str(err).splitlines())
    size = sa.DEFAULT_N[method] if n is None else n
    try:
        k = sa.build_problem(sc, inputs).num_vars
    except ValueError as err:
        fail(str(err))
    engines = sa.engines_for(output or sa.default_output(sc))
    check_memory(
        f"--n {size:,}",
        lambda b: b.sensitivity_bytes(
            sc, method, size, k, second_order=second_order, engines=engines
        ),
        scenarios=[sc],
    )
    store = None if no_store else writable_store(db)
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        problem = sa.build_problem(sc, inputs)
        runs = sa.runs_needed(method, size, problem.num_vars, second_order)

        def run(progress: Callable[[int], None] | None = None) -> Sensitivity:
            return sa.analyze(
                sc,
                output,
                method=method,
                n=size,
                seed=seed,
                inputs=inputs,
                second_order=second_order,
                variant=variant,
                rounds=rounds,
                progress=progress,
            )

        if as_json or runs < PROGRESS_FROM:
            result = run()
        else:
            with progress_bar() as bar:
                task = bar.add_task(f"{method}: model runs", total=runs)
                result = run(lambda k: bar.advance(task, k))
    except ValueError as err:
        fail(str(err))
    except MemoryError:
        fail(out_of_memory(f"--n {size:,}"))
    for note in result.warnings:
        err_console.print(f"warning: {note}", markup=False, highlight=False)
    data = result.to_dict()
    for row in data["drivers"]:
        row["distribution"] = sc.quantity(row["input"]).describe()
    if store is not None:
        options = {
            "method": method,
            "n": size,
            "output": result.output,
            "inputs": inputs,
            "second_order": second_order,
            "variant": variant,
            "rounds": rounds,
        }
        save_and_report(store, db, "sensitivity", sc, seed, options, {}, data, started_at)
    if as_json:
        console.print_json(json.dumps(data))
        return
    _print_table(sc, result, top, wide)


def _cells(res: Sensitivity, row: dict[str, float]) -> list[str]:
    """The numeric cells of one ranked row: value ±half-width, then the rest."""
    if res.method == "sobol":
        return [f"{row[k]:.2f} ±{row[k + '_conf']:.2f}" for k in ("ST", "S1")]
    # Morris effects are in the output's units: one decimal for a 0-100 scale, more for
    # outputs that vary less (a probability, a 0/1 indicator).
    sd = res.output_sd
    d = 1 if sd >= 5 or sd == 0 else min(4, 2 - math.floor(math.log10(sd)))
    mu_star = f"{row['mu_star']:.{d}f} ±{row['mu_star_conf']:.{d}f}"
    return [mu_star, f"{row['mu']:.{d}f}", f"{row['sigma']:.{d}f}"]


def _caption(res: Sensitivity, rows: list[dict[str, Any]], shown: int) -> str:
    level = f"{res.conf_level:.0%}"
    if res.method == "sobol":
        text = (
            "ST: share of the output's variance in which the input plays a part, alone or "
            "with others; S1: the share it explains alone; ±: half-width of the "
            f"{level} bootstrap interval. Sum of S1 = {sum(r['S1'] for r in rows):.2f} "
            "(1 minus this is the share due to inputs acting together)."
        )
    else:
        text = (
            "mu*: mean absolute change of the output when the input moves across half of "
            "its probability mass, all else held; mu: the same with signs; sigma: spread "
            f"of those changes (nonlinearity, interactions); ±: {level} interval of mu*."
        )
    if shown < len(rows):
        text += f" Showing {shown} of {len(rows)} inputs (--top 0 for all)."
    if res.held:
        text += f" {len(res.held)} other uncertain inputs held at their central values."
    return text


def _print_table(sc: Scenario, res: Sensitivity, top: int, wide: bool) -> None:
    """The ranked inputs, then (Sobol' with --second-order) the strongest pairs. On a
    narrow terminal the distribution goes first, then the rank; input paths wrap after a
    dot only when even that is not enough (docs/cli.md)."""
    rows = res.ranked()
    shown = rows if top == 0 else rows[:top]
    if res.method == "sobol":
        head = f"Sobol' indices (N={res.n}, {res.evaluations:,} runs, seed {res.seed})"
        names = ["ST", "S1"]
    else:
        head = f"Morris screening (r={res.n}, {res.evaluations:,} runs, seed {res.seed})"
        names = ["mu*", "mu", "sigma"]
    columns = [
        Col("#", numeric=True, drop=2),
        Col("Input", whole=True),
        *(Col(name, numeric=True) for name in names),
        Col("Distribution", min_width=DIST_MIN, drop=1),
    ]
    cells = [
        [
            str(r["rank"]),
            Dotted(r["input"]),
            *_cells(res, r),
            escape(sc.quantity(r["input"]).describe()),
        ]
        for r in shown
    ]
    table = fitted(
        columns,
        cells,
        wide=wide,
        title=escape(
            f"{sc.title}\nWhat drives {res.output}? {head}\n"
            f"output mean {res.output_mean:.2f}, sd {res.output_sd:.2f}"
        ),
        caption=escape(_caption(res, rows, len(shown))),
    )
    emit(table, wide=wide)
    pairs = res.pairs()
    if pairs:
        pair_cells = [
            [Dotted(" x ".join(p["inputs"])), f"{p['S2']:.2f} ±{p['S2_conf']:.2f}"]
            for p in (pairs if top == 0 else pairs[:10])
        ]
        t2 = fitted(
            (Col("Inputs"), Col("S2", numeric=True)),
            pair_cells,
            wide=wide,
            title="Strongest pairwise interactions (S2)",
        )
        emit(t2, wide=wide)
