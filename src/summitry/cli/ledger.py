"""``summitry seal``, ``summitry resolve`` and ``summitry ledger list|show|verify|export|
score|backfill``: the sealed forecast ledger of dated questions (docs/questions.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from summitry.cli.app import app, console, err_console, fail
from summitry.cli.runs import DEFAULT_DB, DbOption, writable_store
from summitry.cli.tables import Col, WideOption, emit, fitted
from summitry.limits import MAX_SAMPLES

if TYPE_CHECKING:
    from summitry.store import Store
    from summitry.store.ledger import Entry, Scores

ledger_app = typer.Typer(
    name="ledger",
    help="The sealed forecast ledger: list, show, verify, export, score, backfill.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(ledger_app, name="ledger")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _say(text: str) -> None:
    err_console.print(text, markup=False, highlight=False, soft_wrap=True)


def _existing(db: Path) -> Store:
    from summitry.store import Store

    if not db.exists():
        fail(f"no ledger: {db} does not exist (summitry seal SCENARIO creates it)")
    return Store(db)


@app.command("seal")
def seal_command(
    scenario: Annotated[str, typer.Argument(help="A bundled scenario name or a scenario file.")],
    samples: Annotated[
        int, typer.Option(min=1, max=MAX_SAMPLES, help="Monte Carlo draws of the inputs.")
    ] = 1000,
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Random seed.")] = 0,
    db: DbOption = Path(DEFAULT_DB),
    wide: WideOption = False,
) -> None:
    """Forecast SCENARIO and append each of its questions' answers to the ledger, sealed
    with the scenario's hash, the code version, the seed, the samples and the UTC time."""
    from summitry.forecast import forecast
    from summitry.questions import answer_all
    from summitry.scenario import ScenarioError, load
    from summitry.store import StoreError
    from summitry.store.ledger import seal

    try:
        sc = load(scenario)
    except ScenarioError as err:
        fail(str(err).splitlines())
    if not sc.questions:
        fail(f"{sc.source_file}: no questions to seal (add a 'questions:' section)")
    today = dt.datetime.now(dt.UTC).date()
    late = [q.id for q in sc.questions if q.resolves_by < today]
    for qid in late:
        _say(f"{qid}: not sealed, its resolution date has passed")
    if len(late) == len(sc.questions):
        fail(f"{sc.source_file}: every question's resolution date has passed")
    store = writable_store(db)
    try:
        fc = forecast(sc, samples, seed)
    except ValueError as err:
        fail(str(err))
    from summitry.store.ledger import entries, question_key

    try:
        done = {e.question for e in entries(store) if e.entry_kind == "resolution"}
    except StoreError as err:
        fail(str(err))
    for q in sc.questions:
        if question_key(sc.name, q.id) in done and q.id not in late:
            _say(f"{q.id}: not sealed, it is already resolved")
            late.append(q.id)
    if len(late) == len(sc.questions):
        fail(f"{sc.source_file}: no question left to seal")
    answers = [a for a in answer_all(fc) if a.question.id not in late]
    try:
        sealed = seal(store, sc, answers, seed=seed, samples=samples)
    except StoreError as err:
        fail(str(err))
    _entries_table(sealed, f"Sealed in {escape(str(db))}", wide=wide)


@app.command("resolve")
def resolve_command(
    question: Annotated[
        str, typer.Argument(help="SCENARIO/QUESTION_ID, or a question id used by one scenario.")
    ],
    outcome: Annotated[str, typer.Argument(help="yes or no (binary), or a number (numeric).")],
    date: Annotated[str, typer.Option("--date", help="When it resolved: YYYY-MM-DD.")],
    db: DbOption = Path(DEFAULT_DB),
) -> None:
    """Record QUESTION's outcome in the ledger (once: resolving twice is refused)."""
    from summitry.store import StoreError
    from summitry.store.ledger import resolve

    try:
        on = dt.date.fromisoformat(date.strip())
    except ValueError:
        fail(f"--date: {date!r} is not a date; write it as 2027-06-30")
    if on > dt.datetime.now(dt.UTC).date():
        fail(f"--date: {on} is in the future")
    store = _existing(db)
    try:
        e = resolve(store, question, outcome, on)
    except StoreError as err:
        fail(str(err))
    console.print(
        f"entry {e.entry_id}: {e.question} resolved {e.outcome} on {e.resolved_on}",
        markup=False,
        highlight=False,
    )


ENTRY_COLUMNS = (
    Col("#", numeric=True),
    Col("Kind", no_wrap=True),
    Col("Question", min_width=12),
    Col("Value", no_wrap=True),
    Col("Date", no_wrap=True, drop=2),
    Col("Retro", no_wrap=True, drop=1),
)


def _entries_table(items: list[Entry], title: str, *, wide: bool) -> None:
    rows = [
        [
            str(e.entry_id),
            e.entry_kind,
            escape(e.question),
            escape(e.value_text("P ")),
            (e.resolved_on if e.entry_kind == "resolution" else e.recorded_at[:10]) or "-",
            "yes" if e.retrospective else "",
        ]
        for e in items
    ]
    emit(fitted(ENTRY_COLUMNS, rows, wide=wide, title=title), wide=wide)


@ledger_app.command("list")
def list_command(
    db: DbOption = Path(DEFAULT_DB),
    as_json: JsonOption = False,
    retrospective: Annotated[
        bool, typer.Option("--retrospective/--no-retrospective", help="Include past episodes.")
    ] = True,
    wide: WideOption = False,
) -> None:
    """Every ledger entry in order: forecasts (P, or median [p10, p90]) and resolutions."""
    from summitry.store import StoreError
    from summitry.store.ledger import entries

    if not db.exists():
        _say(f"no ledger: {db} does not exist yet")
        if as_json:
            console.print_json("[]")
        return
    try:
        items = entries(_existing(db))
    except StoreError as err:
        fail(str(err))
    if not retrospective:
        items = [e for e in items if not e.retrospective]
    if as_json:
        console.print_json(json.dumps([e.to_dict() for e in items]))
        return
    _entries_table(items, f"Ledger in {escape(str(db))}", wide=wide)


@ledger_app.command("show")
def show_command(
    entry_id: Annotated[int, typer.Argument(help="The entry's number (summitry ledger list).")],
    db: DbOption = Path(DEFAULT_DB),
    as_json: JsonOption = False,
) -> None:
    """Every field of one entry, its hashes included."""
    from summitry.store import StoreError
    from summitry.store.ledger import entry

    try:
        e = entry(_existing(db), entry_id)
    except StoreError as err:
        fail(str(err))
    data = e.to_dict()
    if as_json:
        console.print_json(json.dumps(data))
        return
    for key, value in data.items():
        text = json.dumps(value) if isinstance(value, dict) else str(value)
        console.print(f"{key}: {text}", markup=False, highlight=False)  # wraps at the width


@ledger_app.command("verify")
def verify_command(db: DbOption = Path(DEFAULT_DB)) -> None:
    """Check the hash chain: one line per edited, deleted or reordered entry (exit 2)."""
    from summitry.store import StoreError
    from summitry.store.ledger import entries, verify

    store = _existing(db)
    try:
        problems = verify(store)
        n = len(entries(store))
    except StoreError as err:
        fail(str(err))
    if problems:
        fail(problems)
    console.print(f"ledger intact: {n} entries", markup=False, highlight=False)


@ledger_app.command("export")
def export_command(
    path: Annotated[Path, typer.Argument(help="The file to write: .csv or .parquet.")],
    db: DbOption = Path(DEFAULT_DB),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write every entry to a CSV or Parquet file (an existing file is kept unless --force)."""
    from summitry.store import StoreError
    from summitry.store.ledger import export

    store = _existing(db)
    try:
        out = export(store, path, overwrite=force)
    except StoreError as err:
        fail(str(err))
    except OSError as err:
        fail(f"{path}: {err.strerror}")
    console.print(str(out), markup=False, highlight=False, soft_wrap=True)  # a path: whole


@ledger_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="A file written by `ledger export`.")],
    db: DbOption = Path(DEFAULT_DB),
) -> None:
    """Load an exported ledger into a store without one, after checking every entry's hash
    and the chain (one line per broken entry, exit 2)."""
    from summitry.cli.runs import writable_store
    from summitry.store import StoreError
    from summitry.store.ledger import import_export

    store = writable_store(db)
    try:
        n = import_export(store, path)
    except StoreError as err:
        fail(str(err))
    console.print(f"imported {n} entries, chain intact", markup=False, highlight=False)


@ledger_app.command("score")
def score_command(
    db: DbOption = Path(DEFAULT_DB),
    retrospective: Annotated[
        bool, typer.Option("--retrospective", help="Score the past episodes only.")
    ] = False,
    everything: Annotated[
        bool, typer.Option("--all", help="Score real-time and retrospective together.")
    ] = False,
    as_json: JsonOption = False,
    wide: WideOption = False,
) -> None:
    """Brier score, log score and a calibration table over resolved binary questions, and
    the error of numeric ones. Real-time forecasts only, unless asked."""
    from summitry.store import StoreError
    from summitry.store.ledger import entries, score

    if retrospective and everything:
        fail("--retrospective and --all exclude each other")
    which = "all" if everything else "retrospective" if retrospective else "realtime"
    try:
        s = score(entries(_existing(db)), which)
    except StoreError as err:
        fail(str(err))
    if as_json:
        console.print_json(json.dumps(s.to_dict()))
        return
    print_scores(s, wide=wide)


def print_scores(s: Scores, *, wide: bool) -> None:
    def num(x: float | None, digits: int = 3) -> str:
        return "-" if x is None else f"{x:.{digits}f}"

    label = {"realtime": "real-time", "retrospective": "retrospective", "all": "all"}[s.which]
    console.print(
        f"{label} forecasts: {s.n} binary resolved, Brier {num(s.brier)}, log score {num(s.log)}",
        markup=False,
        highlight=False,
    )
    if s.n_numeric:
        console.print(
            f"{s.n_numeric} numeric resolved: mean |median - outcome| {num(s.mae, 2)}, "
            f"within p10-p90 {num(s.cover80, 2)}, within p05-p95 {num(s.cover90, 2)}",
            markup=False,
            highlight=False,
        )
    if not s.bins:
        return
    cols = (
        Col("Forecast bin", no_wrap=True),
        Col("Count", numeric=True),
        Col("Mean forecast", numeric=True),
        Col("Observed", numeric=True),
    )
    rows = [
        [f"{b['low']:.1f}-{b['high']:.1f}", str(b["count"]), num(b["forecast"]), num(b["observed"])]
        for b in s.bins
    ]
    emit(fitted(cols, rows, wide=wide, title="Calibration"), wide=wide)


@ledger_app.command("backfill")
def backfill_command(
    db: DbOption = Path(DEFAULT_DB),
    samples: Annotated[
        int, typer.Option(min=1, max=MAX_SAMPLES, help="Monte Carlo draws per episode.")
    ] = 1000,
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Random seed.")] = 0,
    deu: Annotated[bool, typer.Option("--deu/--no-deu", help="Add the DEU issues.")] = True,
) -> None:
    """Enter the bundled past episodes (and the DEU issues) as questions resolved from their
    recorded outcomes, marked retrospective; questions already in the ledger are skipped."""
    from summitry.retrospective import backfill
    from summitry.store import StoreError

    store = writable_store(db)
    try:
        lines = backfill(store, samples, seed, deu=deu)
    except StoreError as err:
        fail(str(err))
    added = sum(line.endswith("added and resolved") for line in lines)
    for line in lines:
        if not line.endswith("added and resolved"):
            _say(line)
    console.print(
        f"{added} retrospective questions added and resolved in {db}",
        markup=False,
        highlight=False,
    )
