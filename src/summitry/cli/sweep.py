"""``summitry sweep``: a large forecast in chunks on a Dask cluster, each chunk stored as it
finishes, resumable after any interruption (``--resume RUN_ID``)."""

from __future__ import annotations

import json
import signal
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from summitry.cli.app import app, console, err_console, fail
from summitry.cli.limits import check_sweep
from summitry.cli.runs import DEFAULT_DB, DbOption, NoStoreOption, writable_store
from summitry.cli.tables import Col, Dotted, WideOption, emit, fitted, prose
from summitry.engines.eum.options import PRESETS
from summitry.limits import MAX_SAMPLES

if TYPE_CHECKING:
    from rich.progress import Progress

    from summitry.store import Store
    from summitry.sweep import SweepSpec, Throughput

DEFAULT_SAMPLES = 100_000
DEFAULT_CHUNK = 10_000


def _warn(text: str) -> None:
    err_console.print(f"warning: {text}", markup=False, highlight=False, soft_wrap=True)


@app.command("sweep")
def sweep_command(
    scenario: Annotated[
        str | None,
        typer.Argument(help="A bundled scenario name or a scenario file (optional with --resume)."),
    ] = None,
    samples: Annotated[
        int | None, typer.Option(help=f"Monte Carlo draws (default {DEFAULT_SAMPLES:,}).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default 0).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: one per CPU).")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a running Dask scheduler, e.g. tcp://127.0.0.1:8786."),
    ] = None,
    chunk: Annotated[
        int | None, typer.Option(help=f"Samples per chunk (default {DEFAULT_CHUNK:,}).")
    ] = None,
    resume: Annotated[
        int | None, typer.Option(help="Continue the unfinished sweep with this run id.")
    ] = None,
    engines: Annotated[
        str | None,
        typer.Option(help="Engines to run, comma-separated, e.g. eum,smp (default: all)."),
    ] = None,
    rounds: Annotated[
        int | None, typer.Option(help="Expected-utility rounds (default: scenario).")
    ] = None,
    variant: Annotated[
        str | None,
        typer.Option(help=f"Expected-utility preset: {', '.join(PRESETS)} (default: scenario)."),
    ] = None,
    db: DbOption = Path(DEFAULT_DB),
    no_store: NoStoreOption = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON instead of a table.")
    ] = False,
    wide: WideOption = False,
) -> None:
    """Forecast SCENARIO over many samples in chunks on a Dask cluster; each finished chunk
    is saved, so an interrupted sweep continues with --resume RUN_ID."""
    _check_numbers(samples, seed, workers, chunk, rounds)
    if workers is not None and scheduler is not None:
        fail("give either --workers or --scheduler, not both")
    if scheduler is not None:
        from summitry.sweep import SweepError, parse_scheduler

        try:
            scheduler = parse_scheduler(scheduler)
        except SweepError as err:
            fail(str(err))
    if variant is not None and variant not in PRESETS:
        fail(f"--variant: unknown preset {variant!r}; choose one of {', '.join(PRESETS)}")
    if resume is not None and no_store:
        fail("--resume needs the store; drop --no-store")
    if resume is None and scenario is None:
        fail("name a scenario to sweep, or give --resume RUN_ID")
    engine_list = _engines(engines)
    fresh = None
    if resume is None:
        fresh = _new_spec(scenario or "", samples, seed, engine_list, variant, rounds)
        check_sweep(fresh, chunk or DEFAULT_CHUNK, workers, scheduler)
    with tempfile.TemporaryDirectory(prefix="summitry-sweep-") as tmp:
        # --resume continues a stored run: it never creates a store
        store = writable_store(
            Path(tmp) / "sweep.duckdb" if no_store else db, create=resume is None
        )
        if resume is not None:
            given: dict[str, Any] = {"samples": samples, "seed": seed, "engines": engine_list}
            given |= {"variant": variant, "rounds": rounds}
            spec = _resume_spec(store, resume, scenario, given)
            check_sweep(spec, chunk or DEFAULT_CHUNK, workers, scheduler)
        else:
            assert fresh is not None
            spec = fresh
        db_used = None if no_store else db
        _run(store, spec, resume, chunk, workers, scheduler, as_json, db_used, wide)


def _check_numbers(
    samples: int | None,
    seed: int | None,
    workers: int | None,
    chunk: int | None,
    rounds: int | None,
) -> None:
    if samples is not None and not 1 <= samples <= MAX_SAMPLES:
        fail(f"--samples must be between 1 and {MAX_SAMPLES:,}, got {samples}")
    if seed is not None and not 0 <= seed <= 2**63 - 1:
        fail(f"--seed must be between 0 and 2**63 - 1, got {seed}")
    if workers is not None and workers < 1:
        fail(f"--workers must be at least 1, got {workers}")
    if workers is not None:
        from summitry.budget import WorkerLimitError, check_workers

        try:
            check_workers(workers)
        except WorkerLimitError as err:
            fail(str(err))
    if chunk is not None and chunk < 1:
        fail(f"--chunk must be at least 1, got {chunk}")
    if rounds is not None and not 1 <= rounds <= 1000:
        fail(f"--rounds must be between 1 and 1000, got {rounds}")


def _engines(text: str | None) -> tuple[str, ...] | None:
    from summitry.forecast import ALL_ENGINES as ENGINES

    if text is None:
        return None
    names = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    unknown = [n for n in names if n not in ENGINES]
    if unknown or not names:
        fail(
            f"--engines: unknown engine {', '.join(unknown) or repr(text)}; "
            f"choose from {', '.join(ENGINES)}"
        )
    return names


def _new_spec(
    scenario: str,
    samples: int | None,
    seed: int | None,
    engines: tuple[str, ...] | None,
    variant: str | None,
    rounds: int | None,
) -> SweepSpec:
    from summitry.forecast import ENGINES
    from summitry.scenario import ScenarioError, load
    from summitry.sweep import SweepSpec

    try:
        sc = load(scenario)
    except ScenarioError as err:
        fail(str(err).splitlines())
    return SweepSpec(
        sc,
        DEFAULT_SAMPLES if samples is None else samples,
        0 if seed is None else seed,
        ENGINES if engines is None else engines,
        variant,
        rounds,
    )


def _resume_spec(
    store: Store, run_id: int, scenario: str | None, given: dict[str, Any]
) -> SweepSpec:
    """The stored sweep; settings given again must agree with it, a changed file warns."""
    from summitry.scenario import ScenarioError, load
    from summitry.store import StoreError, scenario_hash
    from summitry.sweep import SweepError, load_spec

    try:
        spec = load_spec(store, run_id)
        stored_hash = store.run(run_id).info.scenario_hash
    except (StoreError, SweepError) as err:
        fail(str(err))
    stored = {
        "samples": spec.samples,
        "seed": spec.seed,
        "engines": spec.engines,
        "variant": spec.variant,
        "rounds": spec.rounds,
    }
    for key, value in given.items():
        if value is not None and value != stored[key]:
            shown = ",".join(value) if isinstance(value, tuple) else value
            fail(
                f"--{key} {shown} differs from run {run_id}'s {key} "
                f"({stored[key]!r}); a resumed sweep keeps its own settings"
            )
    if scenario is not None:
        try:
            current = load(scenario)
        except ScenarioError:
            _warn(f"cannot read {scenario}; resuming run {run_id} with its stored scenario")
        else:
            if scenario_hash(current) != stored_hash:
                _warn(
                    f"{scenario} has changed since run {run_id} started; resuming with the "
                    "scenario stored with the run"
                )
    return spec


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _run(
    store: Store,
    spec: SweepSpec,
    resume: int | None,
    chunk: int | None,
    workers: int | None,
    scheduler: str | None,
    as_json: bool,
    db: Path | None,
    wide: bool = False,
) -> None:
    from summitry.store import StoreError
    from summitry.sweep import (
        SweepError,
        SweepFailed,
        Throughput,
        default_workers,
        resume_sweep,
        start_sweep,
    )

    started: list[int] = [] if resume is None else [resume]
    done_before = 0
    if resume is not None:
        try:
            done_before = store.run(resume).info.done
        except StoreError as err:
            fail(str(err))
    t0 = time.perf_counter()
    meter = Throughput(spec.samples - done_before, time.monotonic())
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        with _progress_bar(meter) as bar:
            task = bar.add_task("sweep", total=spec.samples, completed=done_before)

            def begin(run_id: int) -> None:
                if not started:
                    started.append(run_id)
                meter.began = time.monotonic()  # the cluster is up: chunks go out now

            def advance(n: int) -> None:
                meter.add(n, time.monotonic())
                bar.advance(task, n)

            if resume is None:
                start_sweep(
                    store,
                    spec,
                    chunk=chunk or DEFAULT_CHUNK,
                    workers=workers,
                    scheduler=scheduler,
                    progress=advance,
                    on_start=begin,
                )
            else:
                resume_sweep(
                    store,
                    resume,
                    chunk=chunk,
                    workers=workers,
                    scheduler=scheduler,
                    progress=advance,
                    on_start=begin,
                )
    except SweepFailed as err:
        fail(f"{err}; continue it with: {_resume_command(err.run_id, db)}", 1)
    except StoreError as err:
        hint = f"; continue it with: {_resume_command(started[0], db)}" if started else ""
        fail(f"{err}{hint}")
    except SweepError as err:
        fail(str(err))
    except KeyboardInterrupt:
        where = f"run {started[0]}" if started else "the sweep"
        hint = f"; continue it with: {_resume_command(started[0], db)}" if started else ""
        fail(f"{where} interrupted{hint}", 130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    seconds = time.perf_counter() - t0
    run_id = started[0]
    record = store.run(run_id)
    count = workers or default_workers()
    n_workers = (
        f"the cluster at {scheduler}" if scheduler else f"{count} worker{'' if count == 1 else 's'}"
    )
    if as_json:
        data = {
            "run_id": run_id,
            "db": None if db is None else str(db),
            "scenario": spec.scenario.name,
            "samples": spec.samples,
            "seed": spec.seed,
            "computed": spec.samples - done_before,
            "seconds": seconds,
            "summary": record.summary,
        }
        console.print_json(json.dumps(data))
        return
    stats = ("mean", "p10", "p50", "p90")
    columns = [Col("Output", whole=True), *(Col(c, numeric=True) for c in stats)]
    rows = [[Dotted(name), *(_num(s[c]) for c in stats)] for name, s in record.stats.items()]
    title = escape(f"{spec.scenario.title}\nsweep: {spec.samples:,} samples, seed {spec.seed}")
    emit(fitted(columns, rows, wide=wide, title=title), wide=wide)
    computed = spec.samples - done_before
    rate = computed / seconds if seconds > 0 else float("inf")
    where = "not stored (--no-store)" if db is None else f"saved in {db}"
    prose(
        f"run {run_id}: {computed:,} samples computed in {seconds:.1f} s wall time "
        f"({rate:,.0f}/s, cluster start-up included) on {n_workers}; {where}"
    )


def _progress_bar(meter: Throughput) -> Progress:
    """A transient bar on stderr: samples done of the total, then the rate and the time
    left from ``meter`` (shown from the first committed chunk on); 72 columns at most."""
    from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(meter.describe(time.monotonic()), style="progress.remaining")

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(bar_width=20),
        TextColumn("{task.completed:,}/{task.total:,}"),
        RateColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,  # else it leaves a blank line on stderr
    )


def _resume_command(run_id: int, db: Path | None) -> str:
    return f"summitry sweep --resume {run_id}" + (f" --db {db}" if db else "")


def _num(x: Any) -> str:
    return "-" if x is None else f"{x:.2f}"
