"""``summitry scenarios list|show|validate``: the bundled scenarios and scenario files."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from summitry.cli.app import app, console, fail
from summitry.scenario import Scenario, ScenarioError, bundled_names, load
from summitry.scenario.quantities import AnyQuantity, fmt

scenarios_app = typer.Typer(
    name="scenarios",
    help="List, show and validate scenario files.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(scenarios_app, name="scenarios")

Target = Annotated[str, typer.Argument(help="A bundled scenario name or a path to a file.")]


@scenarios_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The bundled scenarios: name, title, date, number of actors and issues."""
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    for name in bundled_names():
        try:
            sc = load(name)
        except ScenarioError as err:
            errors += err.lines()
            continue
        rows.append(
            {
                "name": sc.name,
                "title": sc.title,
                "date": sc.date.isoformat() if sc.date else None,
                "actors": len(sc.actors),
                "issues": len(sc.issues),
            }
        )
    if as_json:
        console.print_json(json.dumps(rows))
    else:
        table = Table(title="Bundled scenarios")
        for column in ("Name", "Title", "Date", "Actors", "Issues"):
            table.add_column(column, justify="right" if column in ("Actors", "Issues") else "left")
        for row in rows:
            table.add_row(
                row["name"],
                escape(row["title"]),
                row["date"] or "",
                str(row["actors"]),
                str(row["issues"]),
            )
        console.print(table)
    if errors:
        fail(errors)


@scenarios_app.command("show")
def show_command(
    target: Target,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """A scenario's issues and actors: every number's central value, distribution, source."""
    try:
        sc = load(target)
    except ScenarioError as err:
        fail(err.lines())
    if as_json:
        console.print_json(json.dumps(_json(sc)))
        return
    _print(sc)


@scenarios_app.command("validate")
def validate_command(
    targets: Annotated[
        list[str], typer.Argument(help="Scenario files (or bundled names) to check.")
    ],
) -> None:
    """Check scenario files: "ok" for each valid one, every error of the others (exit 2)."""
    errors: list[str] = []
    for target in targets:
        try:
            sc = load(target)
        except ScenarioError as err:
            errors += err.lines()
            continue
        console.print(f"{escape(sc.source_file)}: ok", highlight=False)
    if errors:
        fail(errors)


def _num(x: float) -> str:
    """A central value for display: four significant digits."""
    return fmt(float(f"{x:.4g}"))


def _source(q: AnyQuantity) -> str:
    parts = [p for p in (q.source, q.note) if p]
    return " — ".join(parts)


def _json(sc: Scenario) -> dict[str, Any]:
    return {
        "source_file": sc.source_file,
        "scenario": sc.to_data(json_safe=True),
        "quantities": [
            {
                "path": path,
                "kind": q.kind,
                "central": q.central(),
                "distribution": q.describe(),
                "legal_range": [legal[0], legal[1] if legal[1] != float("inf") else None],
                "source": q.source,
                "note": q.note,
            }
            for path, q, legal in sc.quantities()
        ],
    }


def _print(sc: Scenario) -> None:
    heading = f"[bold]{escape(sc.title)}[/bold]  ({sc.name}"
    heading += f", {sc.date.isoformat()})" if sc.date else ")"
    console.print(heading)
    console.print(f"[dim]{escape(sc.source_file)}[/dim]")
    if sc.description:
        console.print(escape(sc.description.strip()))
    issues = Table(title="Issues", show_lines=True)
    for column in ("Issue", "Scale", "Status quo", "Anchors"):
        issues.add_column(column)
    for issue in sc.issues:
        sq = issue.status_quo
        status = "—" if sq is None else f"{_num(sq.central())}  {sq.describe()}"
        if sq is not None and _source(sq):
            status += f"\n[dim]{escape(_source(sq))}[/dim]"
        anchors = "\n".join(f"{fmt(k)}: {escape(v)}" for k, v in sorted(issue.anchors.items()))
        issues.add_row(
            f"{issue.id}\n[dim]{escape(issue.label)}[/dim]",
            f"[{fmt(issue.scale[0])}, {fmt(issue.scale[1])}]",
            status,
            anchors,
        )
    console.print(issues)
    for actor in sc.actors:
        table = Table(title=f"{escape(actor.name)} ({actor.id})", show_lines=False)
        for column in ("Input", "Central", "Distribution", "Source / note"):
            table.add_column(column, justify="right" if column == "Central" else "left")
        rows: list[tuple[str, AnyQuantity]] = [("capability", actor.capability)]
        rows += [(f"position: {i}", actor.positions[i]) for i in sc.issue_ids]
        rows += [(f"salience: {i}", actor.salience[i]) for i in sc.issue_ids]
        for label, q in rows:
            table.add_row(label, _num(q.central()), q.describe(), escape(_source(q)))
        console.print(table)
    eum = sc.model.eum
    settings = ", ".join(f"{k}={v}" for k, v in eum.overrides().items())
    console.print(f"expected-utility model: variant {eum.variant}, {settings}")
