"""``summitry report``: a forecast as one self-contained HTML page plus PNG charts."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from summitry.cli.app import app, console, err_console, fail, progress_bar
from summitry.cli.compare import parse_set
from summitry.cli.limits import check_memory, out_of_memory
from summitry.cli.runs import DEFAULT_DB, DbOption, NoStoreOption, save_and_report, writable_store
from summitry.defaults import DEFAULT_SCENARIO
from summitry.limits import MAX_SAMPLES

if TYPE_CHECKING:
    from summitry.forecast import Forecast
    from summitry.scenario import Scenario
    from summitry.sensitivity import Sensitivity
    from summitry.store import Store

DEFAULT_SAMPLES = 1000
MAX_SEED = 2**63 - 1
PROGRESS_FROM = 20_000
"""Show a progress bar from this many samples on."""


def _whole(option: str, text: str, low: int, high: int) -> int:
    """``text`` as a whole number in [low, high], or exit 2 with one line."""
    try:
        value = int(text)
    except ValueError:
        fail(f"{option}: {text!r} is not a whole number")
    if not low <= value <= high:
        fail(f"{option}: {value:,} is out of range; give {low:,} to {high:,}")
    return value


REPORT_FILES = (
    "report.html",
    "settlement.png",
    "deal.png",
    "options.png",
    "drivers.png",
    "reliability.png",
)
"""Every file a report can write; ``--force`` replaces those a previous report left and
touches nothing else (docs/report.md)."""


def _out_dir(out: Path, force: bool) -> Path:
    """Create ``out`` (and its parents) and check it can take files, or exit 2. A directory
    that already holds files is refused unless ``force``: a report never overwrites
    silently."""
    if out.is_dir():
        try:
            present = sorted(p.name for p in out.iterdir())
        except OSError as err:
            fail(f"--out {out}: cannot read it ({err.strerror})")
        if present and not force:
            shown = ", ".join(present[:3]) + (", ..." if len(present) > 3 else "")
            fail(
                f"--out {out}: already holds files ({shown}); use --force to replace the "
                "report there, or another --out"
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        fail(f"--out {out}: exists and is not a directory")
    except OSError as err:
        fail(f"--out {out}: cannot create it ({err.strerror})")
    if not os.access(out, os.W_OK | os.X_OK):
        fail(f"--out {out}: not writable")
    return out


def _remove_stale(target: Path, written: list[Path]) -> None:
    """Remove the report files of a previous report in ``target`` that this one did not
    write again (a PNG it no longer draws, all of them with --no-png); other files stay."""
    for name in REPORT_FILES:
        path = target / name
        if path not in written and path.is_file():
            try:
                path.unlink()
            except OSError as err:
                fail(f"--out {target}: cannot remove the previous {name} ({err.strerror})")


def _run(sc: Scenario, samples: int, seed: int, engines: tuple[str, ...]) -> Forecast:
    from summitry.forecast import forecast

    if samples < PROGRESS_FROM:
        return forecast(sc, samples, seed, engines=engines)
    with progress_bar() as bar:
        task = bar.add_task("sampling", total=samples)
        return forecast(sc, samples, seed, engines=engines, progress=lambda k: bar.advance(task, k))


def _screen(sc: Scenario, seed: int) -> Sensitivity | None:
    """A Morris screen of the scenario's main output, or None (with a note) when every
    input is fixed."""
    from summitry import sensitivity as sa

    if not sa.uncertain_inputs(sc):
        err_console.print(
            f"note: every input of '{sc.name}' is a fixed value: no sensitivity section",
            markup=False,
            highlight=False,
        )
        return None
    return sa.analyze(sc, method="morris", seed=seed)


@app.command("report")
def report_command(
    scenario: Annotated[
        str, typer.Argument(help="A bundled scenario name or a path to a scenario file.")
    ] = DEFAULT_SCENARIO,
    samples: Annotated[
        str,
        typer.Option(metavar="N", help=f"Monte Carlo draws of the inputs (1 to {MAX_SAMPLES:,})."),
    ] = str(DEFAULT_SAMPLES),
    seed: Annotated[str, typer.Option(metavar="S", help="Random seed (0 or more).")] = "0",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Directory for report.html and the PNGs [./report-SCENARIO]; it must be new "
            "or empty unless --force.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a directory that already holds files: replace the previous "
            "report's files (report.html and the PNGs), keep every other file.",
        ),
    ] = False,
    png: Annotated[
        bool, typer.Option("--png/--no-png", help="Also write the charts as PNG.")
    ] = True,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity/--no-sensitivity",
            help="Include a Morris screen of what drives the first issue's settlement.",
        ),
    ] = True,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="PATH=VALUE change to the scenario, as in `summitry compare`."),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="default (eum, smp, bargaining) or all (adds the compromise, NBS and "
            "procedural models' settlements)."
        ),
    ] = "default",
    db: DbOption = Path(DEFAULT_DB),
    no_store: NoStoreOption = False,
) -> None:
    """Write a report of SCENARIO that can be read and cited: the answers with their
    uncertainty, charts, what drives them, every input with its source, and the command
    that reproduces it. Prints the paths written."""
    from summitry.forecasting.registry import resolve
    from summitry.report.html import render_html
    from summitry.report.png import write_pngs
    from summitry.scenario import ScenarioError, load

    if engine not in ("default", "all"):
        fail(f"--engine: unknown choice {engine!r}; choose one of default, all")
    engines = resolve(engine)
    n = _whole("--samples", samples, 1, MAX_SAMPLES)
    s = _whole("--seed", seed, 0, MAX_SEED)
    try:
        overrides = parse_set(set_ or [])
    except ValueError as err:
        fail(str(err))
    try:
        base = load(scenario)
        sc = base.with_values(overrides) if overrides else base
    except ScenarioError as err:
        fail(str(err).splitlines())
    request = f"--samples {n:,}"
    check_memory(
        request,
        lambda m: m.report_bytes(sc, n, sensitivity=sensitivity, engines=engines),
        scenarios=[sc],
    )
    store = None if no_store else writable_store(db)  # before --out is created
    target = _out_dir(out if out is not None else Path(f"report-{sc.name}"), force)
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        fc = _run(sc, n, s, engines)
        drivers = _screen(sc, s) if sensitivity else None
    except ValueError as err:
        fail(str(err))
    except MemoryError:
        fail(out_of_memory(request))
    entries = _ledger(store)
    html = render_html(fc, drivers, target=scenario, overrides=overrides, ledger=entries)
    written = [target / "report.html"]
    try:
        written[0].write_text(html, encoding="utf-8")
        if png:
            written += write_pngs(fc, target, drivers)
            written += _reliability_png(entries, target)
    except OSError as err:
        fail(f"--out {target}: cannot write ({err.strerror})")
    _remove_stale(target, written)
    if store is not None:
        _save(store, db, fc, drivers, overrides, written, started_at)
    for path in written:  # the paths as given (--out), control characters shown visibly
        console.print(str(path), markup=False, highlight=False, soft_wrap=True)


def _ledger(store: Store | None) -> list[Any]:
    """The store's ledger entries for the report's section on dated questions (none without
    a store: --no-store)."""
    from summitry.store import StoreError
    from summitry.store.ledger import entries

    if store is None:
        return []
    try:
        return list(entries(store))
    except StoreError as err:
        fail(str(err))


def _reliability_png(items: list[Any], target: Path) -> list[Path]:
    """reliability.png of the real-time forecasts, else of the past episodes, if any are
    resolved (docs/questions.md, "Scores")."""
    from summitry.report.ledger import write_reliability_png
    from summitry.store.ledger import score

    for which in ("realtime", "retrospective"):
        path = write_reliability_png(score(items, which), target)
        if path is not None:
            return [path]
    return []


def _save(
    store: Store,
    db: Path,
    fc: Forecast,
    drivers: Sensitivity | None,
    overrides: dict[str, Any],
    written: list[Path],
    started_at: dt.datetime,
) -> None:
    """Keep the run like ``forecast`` does, as kind ``report``, with the files written."""
    from summitry.sweep import engine_options

    record = fc.to_dict()
    record["sensitivity"] = None if drivers is None else drivers.to_dict()
    options = {
        "samples": fc.samples,
        "engines": record["engines"],
        "overrides": overrides,
        "sensitivity": None if drivers is None else {"method": drivers.method, "n": drivers.n},
        **engine_options(fc),
    }
    extra = {"files": [str(p) for p in written], "notes": record["notes"]}
    save_and_report(
        store, db, "report", fc.scenario, fc.seed, options, fc.outputs(), record, started_at, extra
    )


__all__ = ["report_command"]
