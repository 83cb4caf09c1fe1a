"""``summitry scenarios list|show|validate``: the bundled scenarios and scenario files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from summitry.cli.app import app, console, fail
from summitry.cli.tables import Col, Dotted, WideOption, emit, fitted, prose, source_cell
from summitry.jsonready import json_text

if TYPE_CHECKING:
    from rich.console import RenderableType

    from summitry.scenario import Scenario
    from summitry.scenario.quantities import AnyQuantity
    from summitry.scenario.schema import BargainingSettings, Channel

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
    wide: WideOption = False,
) -> None:
    """The bundled scenarios: name, title, date, number of actors and issues."""
    from summitry.scenario import ScenarioError, bundled_names, load

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
        console.print_json(json_text(rows))
    else:
        cells = [
            [
                escape(row["name"]),
                escape(row["title"]),
                row["date"] or "",
                str(row["actors"]),
                str(row["issues"]),
            ]
            for row in rows
        ]
        table = fitted(
            LIST_COLUMNS, cells, wide=wide, title="Bundled scenarios", show_lines=not wide
        )
        emit(table, wide=wide)
    if errors:
        fail(errors)


LIST_COLUMNS = (
    Col("Name", whole=True),  # what users type: whole while it can be; the title wraps
    Col("Title", min_width=16),
    Col("Date", no_wrap=True, drop=1),
    Col("Actors", numeric=True),
    Col("Issues", numeric=True),
)
"""``scenarios list``; on a narrow terminal the columns with ``drop`` go in that order."""


@scenarios_app.command("show")
def show_command(
    target: Target,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    wide: WideOption = False,
) -> None:
    """A scenario's issues, actors, bargaining and options sections (and observed outcome,
    if recorded): every number's dotted path, central value, distribution and source."""
    from summitry.scenario import ScenarioError, load

    try:
        sc = load(target)
    except ScenarioError as err:
        fail(err.lines())
    if as_json:
        console.print_json(json_text(_json(sc)))
        return
    _print(sc, wide)


@scenarios_app.command("validate")
def validate_command(
    targets: Annotated[
        list[str], typer.Argument(help="Scenario files (or bundled names) to check.")
    ],
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Unresolved sources and inputs citing references dated after the "
            "scenario's date are errors (exit 2), not warnings.",
        ),
    ] = False,
) -> None:
    """Check scenario files: "ok" for each valid one, every error of the others (exit 2).

    Also reports, on stderr, free-text (unresolved) sources, undated references and inputs whose
    reference is dated after the scenario's date (docs/scenario-format.md, "Sources and
    the hindsight check"): warnings, or errors under --strict."""
    from summitry.cli.app import err_console
    from summitry.scenario import ScenarioError
    from summitry.scenario.loader import load_audited

    errors: list[str] = []
    for target in targets:
        try:
            sc, found = load_audited(target)
        except ScenarioError as err:
            errors += err.lines()
            continue
        if strict and found:
            errors += [str(item) for _, item in found]
            continue
        for _, item in found:
            warning = type(item)(item.file, item.line, item.path, f"warning: {item.message}")
            err_console.print(str(warning), markup=False, highlight=False, soft_wrap=True)
        console.print(f"{escape(sc.source_file)}: ok", highlight=False, soft_wrap=True)
    if errors:
        fail(errors)


def _num(x: float) -> str:
    """A central value for display: four significant digits."""
    from summitry.scenario.quantities import fmt

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
                "legal_range": list(legal),  # no upper limit (inf) -> null (jsonready)
                "source": q.source,
                "note": q.note,
            }
            for path, q, legal in sc.quantities()
        ],
    }


def _print(sc: Scenario, wide: bool) -> None:
    """Every section as tables: numbers never wrap, dotted paths wrap only after a dot,
    text at spaces; with ``wide`` nothing wraps (docs/cli.md)."""
    from summitry.scenario.quantities import fmt

    heading = f"[bold]{escape(sc.title)}[/bold]  ({sc.name}"
    heading += f", {sc.date.isoformat()})" if sc.date else ")"
    console.print(heading)
    console.print(f"[dim]{escape(sc.source_file)}[/dim]")
    if sc.description:
        console.print(escape(sc.description.strip()))
    issues = Table(
        title="Issues",
        show_lines=True,
        caption="a status quo's dotted path: issues.<issue>.status_quo",
        caption_justify="left",
    )
    for column in ("Issue", "Scale", "Status quo", "Anchors"):
        issues.add_column(column, overflow="fold", no_wrap=column == "Scale")
    from rich.console import Group
    from rich.text import Text

    for issue in sc.issues:
        sq = issue.status_quo
        status: RenderableType = "—" if sq is None else f"{_num(sq.central())}  {sq.describe()}"
        if sq is not None and _source(sq):
            status = Group(Text(str(status)), source_cell(_source(sq), style="dim"))
        anchors = "\n".join(f"{fmt(k)}: {escape(v)}" for k, v in sorted(issue.anchors.items()))
        issues.add_row(
            f"{issue.id}\n[dim]{escape(issue.label)}[/dim]",
            f"[{fmt(issue.scale[0])}, {fmt(issue.scale[1])}]",
            status,
            anchors,
        )
    emit(issues, wide=wide)
    for actor in sc.actors:
        table = Table(title=f"{escape(actor.name)} ({actor.id})", show_lines=False)
        _quantity_columns(table, Dotted(f"Input (actors.{actor.id}.…)"))
        rows: list[tuple[str, AnyQuantity]] = [("capability", actor.capability)]
        by_issue = actor.capability_by_issue or {}
        rows += [(f"capability_by_issue.{i}", by_issue[i]) for i in sc.issue_ids if i in by_issue]
        rows += [(f"positions.{i}", actor.positions[i]) for i in sc.issue_ids]
        rows += [(f"salience.{i}", actor.salience[i]) for i in sc.issue_ids]
        for label, q in rows:
            table.add_row(Dotted(label), _num(q.central()), q.describe(), source_cell(_source(q)))
        emit(table, wide=wide)
    eum = sc.model.eum
    settings = ", ".join(f"{k}={v}" for k, v in eum.overrides().items())
    prose(f"expected-utility model: variant {eum.variant}, {settings}")
    _print_bargaining(sc, wide)
    _print_consent(sc, wide)
    _print_options(sc, wide)
    _print_outcome(sc, wide)


def _quantity_columns(table: Table, first: RenderableType) -> None:
    """Path, central value (never wrapped), distribution and source (wrapped at spaces,
    a token wider than the column folded)."""
    table.add_column(first, overflow="fold")
    table.add_column("Central", justify="right", no_wrap=True)
    table.add_column("Distribution", overflow="fold")
    table.add_column("Source / note", overflow="fold")


# -- bargaining and options sections ---------------------------------------------------------

OPTION_MEANINGS: dict[str, str] = {
    "played_cost": "c_P: A's loss when B pockets a summit and then escalates",
    "summit_gain": "g_S: B's gain from a summit it then walks away from",
    "sanctions_effect": "s: B's loss from fully enforced additional sanctions",
    "enforcement": "e0: share of sanctions enforced with the whole Security Council on board",
    "veto": "v: how much a veto player cuts enforcement, e = e0 (1 - v)",
    "pressure_cost": "c_S: A's cost of running a pressure campaign",
    "escalation_gain": "g_E: B's gain from escalating under pressure",
    "crisis_cost_a": "k_A: A's cost of the crisis that follows escalation",
    "crisis_cost_b": "k_B: B's cost of that crisis",
    "strike_damage": "D: damage a limited strike does to B",
    "strike_gain": "g_A: A's gain when B absorbs a strike",
    "absorb_cost": "h_B: B's loss of face and deterrence when it absorbs a strike",
    "war_cost_a": "W_A: A's cost of a war",
    "war_cost_b": "W_B: B's cost of a war",
    "p_war": "pi: probability that retaliation escalates to war",
}
"""A short gloss of each options-game input (docs/models/options.md, section 2)."""


def _actor_label(sc: Scenario, actor_id: str) -> str:
    """``id (name)`` for an actor of the scenario; the bare id if it is unknown."""
    try:
        return f"{actor_id} ({sc.actor(actor_id).name})"
    except KeyError:
        return actor_id


def _bargaining_meaning(sc: Scenario, bg: BargainingSettings, path: str) -> str:
    """A short gloss of a ``bargaining.*`` quantity path (docs/models/bargaining.md)."""
    parts = path.split(".")
    side = {"a": "A", "b": "B"}.get(parts[-1], "")
    other = {"A": "B", "B": "A"}.get(side, "")
    if parts[1] == "outside_options":
        return f"o_{side}: what no deal is worth to {side} beyond the status quo"
    if parts[1] == "credibility":
        return f"tau_{side}: probability {side} gives that {other} keeps its promises"
    if parts[1] == "patience":
        return f"delta_{side}: {side}'s discount factor per round of offers"
    if parts[1] == "ratifiers":
        used = [c for c, ch in bg.channels.items() if parts[2] in ch.ratifiers]
        where = f"; ratifies in: {', '.join(used)}" if used else ""
        return f"o_v: margin over the status quo {parts[2]} requires of a deal{where}"
    if parts[1] == "ideals":
        actor, issue = parts[2], parts[3]
        stated = ""
        if actor in sc.actor_ids and issue in sc.actor(actor).positions:
            central = _num(sc.actor(actor).positions[issue].central())
            stated = f", in place of its stated position (central {central})"
        return f"{actor}'s ideal point on {issue} for bargaining{stated}"
    if parts[1] == "channels":
        return f"c: A's cost of overriding ratifiers in the {parts[2]} channel (added to o_A)"
    return ""


def _quantity_table(
    title: str, rows: list[tuple[str, str, AnyQuantity]], caption: str | None = None
) -> Table:
    """Rows of (dotted path, gloss, quantity) in the actor tables' columns."""
    from rich.console import Group
    from rich.text import Text

    table = Table(title=title, caption=caption, caption_justify="left")
    _quantity_columns(table, "Input (dotted path)")
    for path, gloss, q in rows:
        label = Group(Dotted(path), Text(gloss, style="dim")) if gloss else Dotted(path)
        table.add_row(label, _num(q.central()), q.describe(), source_cell(_source(q)))
    return table


def _channel_row(
    path: str, channel: Channel, in_force: bool
) -> tuple[RenderableType, str, str, str]:
    """One row of the channels table: path, A's speaker, ratifiers, override cost."""
    from rich.console import Group
    from rich.text import Text

    ratifiers = ", ".join(channel.ratifiers) or "none"
    cost = channel.override_cost
    shown = "—" if cost is None else f"{_num(cost.central())}  {cost.describe()}"
    label: RenderableType = Dotted(path)
    if in_force:
        label = Group(label, Text("(in force)", style="bold"))
    return (label, escape(channel.a), escape(ratifiers), shown)


def _print_bargaining(sc: Scenario, wide: bool) -> None:
    """The bargaining section: principals, channel, utility form, channels and inputs."""
    bg = sc.bargaining
    if bg is None:
        console.print("[dim]no bargaining section: the bargaining model does not run[/dim]")
        return
    emit(_setting_table(sc, bg), wide=wide)
    emit(_channels_table(bg), wide=wide)
    rows = [
        (path, _bargaining_meaning(sc, bg, path), q)
        for path, q, _ in sc.quantities()
        if path.startswith("bargaining.")
    ]
    caption = "utility units on a 0-1 scale (1: a side's ideal package); docs/models/bargaining.md"
    emit(_quantity_table("Bargaining model: inputs", rows, caption), wide=wide)


def _setting_table(sc: Scenario, bg: BargainingSettings) -> Table:
    """The bargaining section's settings that are not quantities, by dotted path."""
    table = Table(title="Bargaining model: setting")
    table.add_column("Setting (dotted path)", overflow="fold")
    table.add_column("Value", overflow="fold")
    table.add_row(Dotted("bargaining.principals.a"), escape(_actor_label(sc, bg.principals["a"])))
    table.add_row(Dotted("bargaining.principals.b"), escape(_actor_label(sc, bg.principals["b"])))
    table.add_row(Dotted("bargaining.channel"), escape(f"{bg.channel} (the channel in force)"))
    table.add_row(Dotted("bargaining.utility"), escape(bg.utility))
    return table


def _channels_table(bg: BargainingSettings) -> Table:
    """Each channel: who speaks for A, the ratifiers that remain, the override cost."""
    table = Table(title="Bargaining model: channels (who speaks for A, who must ratify)")
    table.add_column("Channel (dotted path)", overflow="fold")
    for column in ("A", "Ratifiers", "Override cost"):
        table.add_column(column, overflow="fold")
    for name, channel in bg.channels.items():
        table.add_row(*_channel_row(f"bargaining.channels.{name}", channel, name == bg.channel))
    if not bg.channels:
        label = f"{bg.channel} (no channels given: principal A, every ratifier)"
        table.add_row(*_channel_row(label, bg.active(), True))
    return table


def _print_consent(sc: Scenario, wide: bool) -> None:
    """The issues' consenters: one row per tolerance, with why the actor must consent."""
    rows: list[tuple[str, str, AnyQuantity]] = []
    for issue in sc.issues:
        for entry in issue.consent or []:
            gloss = f"{entry.actor} must accept the terms on {issue.id}"
            tol = entry.tolerance
            # one source cell: why the actor must consent, then the tolerance's own source
            parts = [p for p in (entry.source, entry.note) if p]
            parts += [f"tolerance: {_source(tol)}"] if _source(tol) else []
            shown = tol.model_copy(update={"source": None, "note": " — ".join(parts) or None})
            rows.append((f"issues.{issue.id}.consent.{entry.actor}.tolerance", gloss, shown))
    if rows:
        caption = (
            "accepts x iff |x - ideal| <= |status quo - ideal| + tolerance (scale points); "
            "docs/models/bargaining.md"
        )
        emit(
            _quantity_table("Consent: who must accept a deal on an issue", rows, caption), wide=wide
        )


def _print_options(sc: Scenario, wide: bool) -> None:
    """The options section: its 15 quantities with their paths, glosses and sources."""
    if sc.options is None:
        console.print("[dim]no options section: the options game does not run[/dim]")
        return
    rows = [
        (path, OPTION_MEANINGS.get(path.split(".", 1)[1], ""), q)
        for path, q, _ in sc.quantities()
        if path.startswith("options.")
    ]
    caption = "A engages, pressures or strikes; B replies; docs/models/options.md"
    emit(_quantity_table("Options game: inputs", rows, caption), wide=wide)


# -- observed outcome (backtests) ------------------------------------------------------------


def _print_outcome(sc: Scenario, wide: bool) -> None:
    """The observed outcome, when the scenario records one (it is never an input)."""
    outcome = getattr(sc, "outcome", None)
    if outcome is None:
        return
    date = getattr(outcome, "date", None)
    title = "Observed outcome" + ("" if date is None else f" ({date})")
    summary = getattr(outcome, "summary", None)
    caption = escape(" ".join(str(summary).split())) + "\n" if summary else ""
    caption += "[dim]recorded for scoring backtests; the models never read it[/dim]"
    table = Table(title=title, caption=caption, caption_justify="left")
    for column in ("Issue", "Observed", "Band", "Source / note"):
        numeric = column in ("Observed", "Band")
        table.add_column(
            column,
            justify="right" if column == "Observed" else "left",
            no_wrap=numeric,
            overflow="ellipsis" if numeric else "fold",
        )
    deal = getattr(outcome, "deal", None)
    if deal is not None:
        concluded = "yes" if getattr(deal, "value", None) else "no"
        table.add_row("deal concluded", concluded, "", source_cell(_text_source(deal)))
    for issue_id, obs in (getattr(outcome, "issues", None) or {}).items():
        low, high = getattr(obs, "low", None), getattr(obs, "high", None)
        band = "" if low is None and high is None else _band(low, high)
        value = getattr(obs, "value", None)
        shown = "—" if value is None else _num(value)
        table.add_row(escape(issue_id), shown, band, source_cell(_text_source(obs)))
    emit(table, wide=wide)


def _band(low: float | None, high: float | None) -> str:
    lo = "" if low is None else _num(low)
    hi = "" if high is None else _num(high)
    return f"[{lo}, {hi}]"


def _text_source(obj: Any) -> str:
    parts = [getattr(obj, name, None) for name in ("source", "note")]
    return " — ".join(p for p in parts if p)
