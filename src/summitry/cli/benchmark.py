"""``summitry benchmark deu``: every model on the DEU issues, scored (docs/benchmark-deu.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from summitry.cli.app import app, console, fail
from summitry.cli.tables import Col, WideOption, emit, fitted, prose
from summitry.data.conventions import (
    DEFAULT_INSTITUTIONS,
    DEFAULT_UNANIMITY,
    INSTITUTIONS,
    UNANIMITY,
)

if TYPE_CHECKING:
    from summitry.benchmark import DeuBenchmark

ENGINES = (
    "compromise",
    "eum",
    "eum-scholz-code",
    "smp",
    "nbs",
    "procedural",
    "weighted-median",
    "mean",
    "commission",
    "reference-point",
)
"""The names ``--engine`` takes (summitry.benchmark.MODELS, kept here so that the command
line loads no numerical library until a command runs; a test checks they agree)."""

benchmark_app = typer.Typer(
    name="benchmark",
    help="Score every model on public data sets of past collective decisions.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(benchmark_app, name="benchmark")


@benchmark_app.command("deu")
def deu_command(
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="A DEU issue file (TSV or CSV in DEU's column layout; default: the bundled "
            "1996-2000 file).",
            show_default=False,
        ),
    ] = None,
    engine: Annotated[
        list[str] | None,
        typer.Option(
            "--engine",
            help=f"A model to score (repeat for several; default: all): {', '.join(ENGINES)}. "
            "The compromise model always runs: it is the yardstick.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    seed: Annotated[
        int, typer.Option(min=0, max=2**63 - 1, help="Seed of the bootstrap resamples.")
    ] = 0,
    resamples: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="Bootstrap resamples of the proposals.")
    ] = 10_000,
    institutions: Annotated[
        str,
        typer.Option(
            help="Capability of the Commission and the Parliament: "
            f"{', '.join(INSTITUTIONS)} (docs/data-deu.md)."
        ),
    ] = DEFAULT_INSTITUTIONS,
    unanimity: Annotated[
        str,
        typer.Option(
            help=f"Member states' capability on unanimity issues: {', '.join(UNANIMITY)}."
        ),
    ] = DEFAULT_UNANIMITY,
    wide: WideOption = False,
) -> None:
    """How well does each model forecast EU legislative decisions? Run every model on
    every valid issue of a DEU file and score it against the coded outcomes
    (docs/benchmark-deu.md)."""
    for name in engine or []:
        if name not in ENGINES:
            fail(f"--engine: unknown engine {name!r}; choose from {', '.join(ENGINES)}")
    if institutions not in INSTITUTIONS:
        fail(
            f"--institutions: unknown option {institutions!r}; choose from "
            f"{', '.join(INSTITUTIONS)}"
        )
    if unanimity not in UNANIMITY:
        fail(f"--unanimity: unknown option {unanimity!r}; choose from {', '.join(UNANIMITY)}")
    from summitry.benchmark import benchmark_deu
    from summitry.data import DeuError, load_deu

    try:
        deu = load_deu(data, institutions=institutions, unanimity=unanimity)  # type: ignore[arg-type]
        result = benchmark_deu(deu, engine or None, seed=seed, resamples=resamples)
    except (DeuError, ValueError) as err:
        fail(str(err).splitlines()[0] if str(err) else repr(err))
    if as_json:
        console.print_json(json.dumps(result.to_dict()))
        return
    _print(result, wide)


def _f(x: float | None, digits: int = 1, sign: bool = False) -> str:
    if x is None:
        return "-"
    return f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"


def _diff(s: dict[str, Any]) -> str:
    if s["mean"] is None:
        return "-"
    return f"{_f(s['mean'], sign=True)} [{_f(s['low'], sign=True)}, {_f(s['high'], sign=True)}]"


MAIN_COLUMNS = (
    Col("Model", min_width=10),
    Col("Issues", numeric=True),
    Col("MAE", numeric=True),
    Col("RMSE", numeric=True, drop=2),
    Col("MdAE", numeric=True, drop=1),
    Col("CRPS", numeric=True),
    Col("vs compromise [95%]", numeric=True),
)
"""The scores table; on a narrow terminal MdAE, then RMSE, are left out."""


def _print(result: DeuBenchmark, wide: bool) -> None:
    """The data's bad-row summary, the scores table, the coverage of the intervals and
    the breakdowns by procedure and voting rule."""
    prose(escape(result.report.summary()))
    console.print()
    rows = []
    for s in result.scores:
        diff = "yardstick" if s.name == "compromise" else _diff(s.diff)
        rows.append(
            [
                s.label,
                str(s.issues),
                _f(s.mae, 2),
                _f(s.rmse),
                _f(s.median_ae),
                _f(s.crps, 2) + ("" if s.distribution else "*"),
                escape(diff),
            ]
        )
    level = round(100 * result.level)
    title = (
        f"DEU benchmark: {Path(result.file).name}, {result.report.valid} valid issues in "
        f"{result.proposals} proposals; capabilities {result.institutions}"
        + (f", unanimity {result.unanimity}" if result.unanimity != "qmv" else "")
    )
    caption = (
        "Errors on DEU's 0-100 scale against the coded outcomes. MdAE: median absolute "
        "error. CRPS*: a point forecast's CRPS is its absolute error, so it equals the MAE. "
        "vs compromise: mean of |error| - |compromise's error| over the issues both "
        f"forecast (below 0: better), with a {level}% interval from {result.resamples:,} "
        f"bootstrap resamples of the proposals (seed {result.seed})."
    )
    emit(fitted(MAIN_COLUMNS, rows, wide=wide, title=escape(title), caption=caption), wide=wide)
    for s in result.scores:
        if s.covered is not None:
            prose(
                f"{s.label}: the 80% interval of its distribution over the final positions "
                f"(10th to 90th percentile) holds the outcome on {s.covered} of {s.issues} "
                "issues."
            )
    console.print()
    counts = result.counts
    keys = [(b, v) for b in ("procedure", "voting_rule") for v in counts[b]]
    columns = [Col("Model", min_width=10)] + [
        Col(f"{v} ({counts[b][v]})", numeric=True) for b, v in keys
    ]
    brows = []
    for s in result.scores:
        cells = [s.label]
        for b, v in keys:
            part = s.by[b][v]
            cell = _f(part["mae"])
            if part["issues"] != counts[b][v]:
                cell += f" ({part['issues']})"
            cells.append(cell)
        brows.append(cells)
    table = fitted(
        columns,
        brows,
        wide=wide,
        title="MAE by procedure and by Council voting rule",
        caption="COD: codecision, CNS: consultation. (n): issues; a model that scores "
        "fewer shows its own count.",
    )
    emit(table, wide=wide)


__all__ = ["ENGINES", "benchmark_app", "deu_command"]
