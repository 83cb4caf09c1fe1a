"""``summitry runs list|show|export``: the runs kept in the results store (docs/store.md).

Also the ``--db``/``--no-store`` options that every storing command shares.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from summitry.cli.app import app, console, err_console, fail
from summitry.cli.tables import Col, Dotted, WideOption, emit, fitted, prose

if TYPE_CHECKING:
    from summitry.store import RunInfo, RunRecord, Store

DEFAULT_DB = "summitry.duckdb"
DB_ENVVAR = "SUMMITRY_DB"

DbOption = Annotated[
    Path,
    typer.Option(
        "--db",
        envvar=DB_ENVVAR,
        help="The results store (a DuckDB file).",
        show_default=True,
    ),
]
NoStoreOption = Annotated[
    bool, typer.Option("--no-store", help="Do not save this run in the results store.")
]

runs_app = typer.Typer(
    name="runs",
    help="List, show and export the runs kept in the results store.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(runs_app, name="runs")

RunId = Annotated[int, typer.Argument(help="The run's id (see `summitry runs list`).")]


def writable_store(db: Path, *, create: bool = True) -> Store:
    """The store at ``db``, checked before any work is done (:meth:`Store.check`: opened
    once for writing, created if missing and ``create``, its directory writable), or exit
    2 with one line."""
    from summitry.store import Store, StoreError

    store = Store(db, create=create)
    try:
        store.check()
    except StoreError as err:
        fail(str(err))
    return store


def _after_the_result(line: str, code: int) -> None:
    """Print ``line`` on stderr and exit with ``code`` once the running command has
    printed its result (when its context closes)."""
    import importlib

    def finish() -> None:
        fail(line, code)

    ctx = None
    # recent typer runs commands in its own copy of click; older typer uses click itself
    for name in ("typer._click.globals", "click.globals"):
        try:
            ctx = importlib.import_module(name).get_current_context(silent=True)
        except ImportError:
            continue
        if ctx is not None:
            break
    if ctx is None:  # not inside a command (a direct call from Python): at once
        finish()
    else:
        ctx.call_on_close(finish)


def _reader(db: Path) -> Store:
    from summitry.store import Store

    return Store(db)


def _when(t: dt.datetime | None, seconds: bool = True) -> str:
    if t is None:
        return "-"
    return t.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _short_state(info: RunInfo) -> str:
    """``RUNNING 40%``: an incomplete run in capitals, with the share of samples stored."""
    share = info.done / info.samples if info.samples else 0.0
    return f"{info.state.upper()} {share:.0%}"


def _took(info: RunInfo) -> str:
    if info.finished_at is None:
        return "-"
    seconds = (info.finished_at - info.started_at).total_seconds()
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _state(info: RunInfo) -> str:
    """The run's state, with how much of it is stored when it is not complete."""
    if info.complete:
        return "complete"
    total = f"{info.samples:,}" if info.samples is not None else "?"
    return f"{info.state.upper()} ({info.done:,}/{total} samples)"


def _info_dict(info: RunInfo) -> dict[str, Any]:
    return {
        "run_id": info.run_id,
        "kind": info.kind,
        "state": info.state,
        "status": info.status,
        "complete": info.complete,
        "scenario": info.scenario_name,
        "scenario_hash": info.scenario_hash,
        "samples": info.samples,
        "samples_stored": info.done,
        "chunks": info.chunks,
        "seed": info.seed,
        "package_version": info.package_version,
        "started_at": None if info.started_at is None else info.started_at.isoformat(),
        "finished_at": None if info.finished_at is None else info.finished_at.isoformat(),
    }


@runs_app.command("list")
def list_command(
    db: DbOption = Path(DEFAULT_DB),
    kind: Annotated[str | None, typer.Option(help="Only runs of this kind (sweep, ...).")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many (newest first).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    wide: WideOption = False,
) -> None:
    """Every stored run, newest first; incomplete runs are marked in capitals."""
    from summitry.store import StoreError

    if limit is not None and limit < 1:
        fail(f"--limit must be at least 1, got {limit}")
    if not db.exists():
        err_console.print(f"no runs: {db} does not exist yet", markup=False, highlight=False)
        if as_json:
            console.print_json("[]")
        return
    try:
        runs = _reader(db).runs(kind=kind, limit=limit)
    except StoreError as err:
        fail(str(err))
    if as_json:
        console.print_json(json.dumps([_info_dict(r) for r in runs]))
        return
    rows = [
        [
            str(r.run_id),
            escape(r.kind),
            escape(r.scenario_name or "-"),
            "complete" if r.complete else f"[bold red]{escape(_short_state(r))}",
            "-" if r.samples is None else f"{r.samples:,}",
            _when(r.started_at, seconds=False),
        ]
        for r in runs
    ]
    table = fitted(LIST_COLUMNS, rows, wide=wide, title=f"Runs in {escape(str(db))}")
    emit(table, wide=wide)


LIST_COLUMNS = (
    Col("ID", numeric=True),
    Col("Kind", no_wrap=True),
    Col("Scenario", min_width=9),
    Col("State", no_wrap=True),
    Col("Samples", numeric=True, drop=2),
    Col("Started (UTC)", no_wrap=True, drop=1),
)
"""``runs list``; on a narrow terminal the columns with ``drop`` go in that order."""


STAT_COLUMNS = ("mean", "sd", "p10", "p50", "p90")


def _fmt(x: Any) -> str:
    return "-" if x is None else f"{x:.2f}"


def _show_dict(record: RunRecord) -> dict[str, Any]:
    return {
        **_info_dict(record.info),
        "chunk_size": record.chunk_size,
        "chunk_ranges": [list(r) for r in record.chunk_ranges],
        "missing": [list(r) for r in record.missing()],
        "outputs": record.outputs,
        "options": record.options,
        "stats": record.stats,
        "summary": record.summary,
        "extra": record.extra,
        "message": record.message,
    }


@runs_app.command("show")
def show_command(
    run_id: RunId,
    db: DbOption = Path(DEFAULT_DB),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    scenario: Annotated[
        bool, typer.Option("--scenario", help="Also print the stored scenario (JSON).")
    ] = False,
    wide: WideOption = False,
) -> None:
    """One run: what was run with which options, how far it got, and each output's spread."""
    from summitry.store import StoreError

    try:
        record = _reader(db).run(run_id)
    except StoreError as err:
        fail(str(err))
    info = record.info
    if as_json:
        data = _show_dict(record)
        if scenario:
            data["scenario_data"] = record.scenario
        console.print_json(json.dumps(data))
        return
    lines = [
        f"run {info.run_id}: {info.kind} of {info.scenario_name or '-'} "
        f"(scenario {(info.scenario_hash or '-')[:12]})",
        f"state: {_state(info)}, {info.chunks} chunk(s) stored"
        + (f" of {record.chunk_size:,} samples" if record.chunk_size else ""),
        f"seed {info.seed}, summitry {info.package_version}",
        f"started {_when(info.started_at)} UTC, finished {_when(info.finished_at)}"
        + ("" if info.finished_at is None else f" UTC ({_took(info)})"),
        "options: " + json.dumps({k: v for k, v in record.options.items() if v is not None}),
    ]
    if record.message:
        lines.append(f"note: {record.message}")
    if not info.complete:
        missing = record.missing()
        lines.append(
            f"INCOMPLETE: {info.done:,} of {info.samples or 0:,} samples stored; "
            f"{len(missing)} range(s) missing, the first [{missing[0][0]}, {missing[0][1]})"
            if missing
            else "INCOMPLETE: every sample is stored, the statistics are not"
        )
    for line in lines:
        prose(line)
    if not info.complete and info.kind == "sweep" and info.state != "running":
        # a command to copy: on a line of its own, never broken
        command = f"summitry sweep --resume {info.run_id} --db {db}"
        prose("continue it with:")
        console.print(f"  {command}", markup=False, highlight=False, soft_wrap=True)
    if record.stats:
        n = sorted({int(s["n"] or 0) for s in record.stats.values()})
        counts = f"{n[0]:,}" if len(n) == 1 else f"{n[0]:,} to {n[-1]:,}"
        columns = [Col("Output", whole=True), *(Col(c, numeric=True) for c in STAT_COLUMNS)]
        rows = [
            [Dotted(name), *(_fmt(s[c]) for c in STAT_COLUMNS)] for name, s in record.stats.items()
        ]
        title = f"Per-sample outputs ({counts} finite values each)"
        emit(fitted(columns, rows, wide=wide, title=title), wide=wide)
    elif record.outputs:
        console.print(
            f"{len(record.outputs)} output(s): statistics appear once the run completes",
            markup=False,
        )
    if scenario and record.scenario is not None:
        console.print_json(json.dumps(record.scenario))


@runs_app.command("export")
def export_command(
    run_id: RunId,
    parquet: Annotated[
        Path,
        typer.Option(
            "--parquet", help="Directory for run-ID.parquet (samples) and run-ID.json (the rest)."
        ),
    ],
    db: DbOption = Path(DEFAULT_DB),
) -> None:
    """Write a run's per-sample outputs (Parquet) and everything else (JSON) to a directory."""
    from summitry.store import StoreError

    store = _reader(db)
    try:
        info = store.run(run_id).info
        paths = store.export(run_id, parquet)
    except StoreError as err:
        fail(str(err))
    if not info.complete:
        err_console.print(
            f"warning: run {run_id} is {info.state}; exported its {info.done:,} stored samples",
            markup=False,
            highlight=False,
        )
    for path in paths:
        console.print(str(path), markup=False, highlight=False, soft_wrap=True)


def save_and_report(
    store: Store,
    db: Path,
    kind: str,
    scenario: Any,
    seed: int | None,
    options: dict[str, Any],
    outputs: dict[str, Any],
    summary: Any,
    started_at: Any,
    extra: dict[str, Any] | None = None,
) -> None:
    """Save a finished run and name it on stderr, with the command that shows it. The
    store was checked before the run (:func:`writable_store`); should the save still fail
    (a full disk, the file removed meanwhile), the command prints its result as usual and
    then one line saying the run was not saved, and exits with code 1 (docs/store.md,
    "When a run cannot be saved")."""
    from summitry.store import StoreError

    try:
        run_id = store.save_run(
            kind, scenario, seed, options, outputs, summary, started_at=started_at, extra=extra
        )
    except StoreError as err:
        _after_the_result(f"not saved: {err}; the result above is complete but not stored", 1)
        return
    show = f"summitry runs show {run_id}" + ("" if str(db) == DEFAULT_DB else f" --db {db}")
    err_console.print(
        f"saved as run {run_id} in {db} ({show})", markup=False, highlight=False, soft_wrap=True
    )
