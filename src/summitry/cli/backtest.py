"""``summitry backtest``: score the forecasts of past episodes against what happened."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from summitry.cli.app import app, console, fail, progress_bar
from summitry.cli.limits import check_memory, out_of_memory
from summitry.cli.runs import DEFAULT_DB, DbOption, NoStoreOption, save_and_report, writable_store
from summitry.cli.tables import Col, WideOption, emit, fitted, prose
from summitry.jsonready import json_text

if TYPE_CHECKING:
    from summitry.backtest import Backtest
    from summitry.scenario import Scenario

BACKTEST_MAX_SAMPLES = 200_000
"""Every episode's per-sample outputs are kept for the store: bound the memory one run needs."""
ENGINE_NAMES = {
    "integrated": "Integrated",
    "eum": "EUM",
    "smp": "SMP",
    "bargaining": "Bargaining",
    "compromise": "Compromise",
    "nbs": "NBS",
    "procedural": "Procedural",
}

SUMMARY_ENGINES = 3
"""The most engines the summary table shows side by side in 80 columns."""


@app.command("backtest")
def backtest_command(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(
            help="Bundled scenario names or scenario files with an outcome section "
            "(default: every bundled scenario that has one).",
            show_default=False,
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option(min=1, max=BACKTEST_MAX_SAMPLES, help="Monte Carlo draws per episode."),
    ] = 1000,
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Random seed.")] = 0,
    engine: Annotated[
        str,
        typer.Option(
            help="Engines to score: integrated (docs/integrated.md), eum, smp, bargaining, "
            "compromise, nbs, procedural, default (the first four) or all."
        ),
    ] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    db: DbOption = Path(DEFAULT_DB),
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """How well did the models do on past episodes? Forecast every scenario that records
    its outcome and score each engine against it (docs/backtest.md)."""
    from summitry.backtest import ALL_ENGINES, ENGINES, INTEGRATED, backtest

    if engine not in (*ALL_ENGINES, "default", "all"):
        choices = ", ".join((*ALL_ENGINES, "default", "all"))
        fail(f"--engine: unknown engine {engine!r}; choose one of {choices}")
    engines = ENGINES if engine == "default" else ALL_ENGINES if engine == "all" else (engine,)
    episodes = _episodes(scenarios or [])
    request = f"--samples {samples:,}"
    run = [e for e in engines if e != INTEGRATED]
    run += ["bargaining"] if INTEGRATED in engines and "bargaining" not in run else []
    check_memory(request, lambda m: m.backtest_bytes(episodes, samples, run))
    store = None if no_store else writable_store(db)
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        with progress_bar() as bar:
            task = bar.add_task("backtest", total=samples * len(episodes))
            result = backtest(
                episodes, samples, seed, engines, progress=lambda k: bar.advance(task, k)
            )
    except ValueError as err:
        fail(str(err))
    except MemoryError:
        fail(out_of_memory(request))
    if result.scores.empty and result.deals.empty:
        notes = [n for e in result.episodes for n in e["notes"]]
        fail([f"nothing to score with --engine {engine}", *notes])
    data = result.to_dict()
    if store is not None:
        options = {"engines": list(engines), "episodes": [sc.name for sc in episodes]}
        extra = {"scenarios": {sc.name: _stored(sc) for sc in episodes}}
        save_and_report(
            store, db, "backtest", None, seed, options, result.outputs, data, started_at, extra
        )
    if as_json:
        console.print_json(json_text(data))
        return
    for info in data["episodes"]:
        _print_episode(data, info, wide)
    _print_summary(result, wide)


def _episodes(names: list[str]) -> list[Scenario]:
    """The scenarios to score: those named (each must record an outcome), or every bundled
    one that does; bad input exits 2 with one line per problem."""
    from summitry.backtest import episodes_with_outcome
    from summitry.scenario import ScenarioError, load

    try:
        if not names:
            chosen = [load(n) for n in episodes_with_outcome()]
            if not chosen:
                fail("no bundled scenario records an outcome; nothing to score")
            return chosen
        loaded = [load(n) for n in names]
    except ScenarioError as err:
        fail(str(err).splitlines())
    seen: set[str] = set()
    for given, sc in zip(names, loaded, strict=True):
        if sc.outcome is None:
            fail(
                f"{sc.source_file}: no outcome section, so there is nothing to score "
                "(only past episodes that record what happened can be backtested)"
            )
        if sc.name in seen:
            fail(f"{given}: scenario '{sc.name}' is named twice")
        seen.add(sc.name)
    return loaded


def _stored(sc: Scenario) -> dict[str, Any]:
    from summitry.store import scenario_data

    return scenario_data(sc)


def _fmt(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _observed(row: dict[str, Any]) -> str:
    if row["low"] == row["high"]:
        return f"{row['observed']:g}"
    return f"{row['observed']:g} [{row['low']:g}-{row['high']:g}]"


EPISODE_COLUMNS = (
    Col("Issue, observed"),
    Col("By", no_wrap=True),
    Col("p50 [p10-p90]", numeric=True),
    Col("Err %", numeric=True),
    Col("CRPS %", numeric=True, drop=2),
    Col("80%", numeric=True),
    Col("PIT", numeric=True, drop=1),
)
"""An episode's table; on a narrow terminal the columns with ``drop`` go in that order."""


def _print_episode(data: dict[str, Any], info: dict[str, Any], wide: bool) -> None:
    """One episode: per issue the outcome, each engine's forecast and score, and the two
    baselines; then the deal (``data``: :meth:`Backtest.to_dict`)."""
    rows = [r for r in data["scores"] if r["episode"] == info["episode"]]
    title = (
        f"{info['episode']}: {info['title']}\n"
        f"outcome read {info['outcome_date']}; {data['samples']:,} samples, seed {data['seed']}"
    )
    caption = (
        "Observed: value \\[coding band]. Forecast: p50 \\[p10-p90] over samples. "
        "Err: distance of the p50 (or the baseline) to the band; CRPS at the value; both "
        "in % of the scale. 80%: whether p10-p90 reaches the band. PIT: share of samples "
        "below the value (0.5 for ties)."
    )
    cells: list[list[str]] = []
    sections: list[int] = []
    issues = list(dict.fromkeys(r["issue"] for r in rows))
    for issue in issues:
        mine = [r for r in rows if r["issue"] == issue]
        first = mine[0]
        label = f"{issue}\n= {_observed(first)}"
        for k, r in enumerate(mine):
            cells.append(
                [
                    escape(label) if k == 0 else "",
                    ENGINE_NAMES[r["engine"]],
                    escape(f"{r['p50']:.1f} [{r['p10']:.1f}-{r['p90']:.1f}]"),
                    _fmt(r["abs_error_pct"]),
                    _fmt(r["crps_pct"]),
                    "yes" if r["covered"] else "no",
                    _fmt(r["pit"], 2),
                ]
            )
        if first["status_quo"] is not None:
            sq = f"{first['status_quo']:.1f}"
            cells.append(["", "status quo", sq, _fmt(first["status_quo_error_pct"]), "", "", ""])
        start = f"{first['initial_median']:.1f}"
        cells.append(
            ["", "init. median", start, _fmt(first["initial_median_error_pct"]), "", "", ""]
        )
        sections.append(len(cells) - 1)
    table = fitted(
        EPISODE_COLUMNS,
        cells,
        wide=wide,
        sections=sections,
        title=escape(title),
        caption=caption,
        collapse_padding=True,
    )
    emit(table, wide=wide)
    lines = []
    zone = info["samples_with_zone"]
    if zone is not None and "bargaining" in info["engines"]:
        lines.append(
            f"Bargaining model: the Nash deal in the {zone:,} of {info['samples']:,} samples "
            "with a zone of agreement, the status quo in the others."
        )
    for d in data["deals"]:
        if d["episode"] == info["episode"]:
            if d.get("p_deal_integrated") is not None and "integrated" in info["engines"]:
                lines.append(
                    f"Integrated P(deal) {d['p_deal_integrated']:.3f} (docs/integrated.md): "
                    f"Brier {d['brier_integrated']:.3f}, log score "
                    f"{d['log_score_integrated']:.3f}."
                )
            lines.append(
                f"Deal {'made' if d['deal'] else 'not made'}. P(deal) {d['p_deal']:.3f} under "
                f"private information: Brier {d['brier']:.3f}, log score {d['log_score']:.3f}; "
                f"P(zone) {d['p_zone']:.3f}: Brier {d['brier_zone']:.3f}, log score "
                f"{d['log_score_zone']:.3f}."
            )
    lines += [f"note: {n}" for n in info["notes"]]
    for line in lines:
        prose(line)
    console.print()


def _skill(s: dict[str, Any]) -> str:
    if s["observations"] == 0:
        return "-"
    value = "-" if s["skill"] is None else f"{s['skill']:+.2f}"
    return f"{value} ({s['observations']})"


def _deal(s: dict[str, Any], key: str) -> str:
    deal = s.get("deal")
    if deal is None or deal["episodes"] == 0:
        return "-"
    return f"{deal[key]:.3f}" + (f" ({deal['episodes']})" if key == "brier" else "")


def _print_summary(result: Backtest, wide: bool) -> None:
    """Every engine over every episode, with the counts behind each number."""
    summary = result.summary()
    n_episodes = len(result.episodes)
    n_obs = int(result.scores[["episode", "issue"]].drop_duplicates().shape[0])
    measures: list[tuple[str, Any]] = [
        ("episodes", lambda s: str(s["episodes"])),
        ("observations", lambda s: str(s["observations"])),
        ("MAE, % of scale", lambda s: _fmt(s["mae_pct"])),
        ("mean CRPS, % of scale", lambda s: _fmt(s["crps_pct"])),
        ("80% intervals reaching the outcome", lambda s: f"{s['covered']} of {s['observations']}"),
        ("skill vs status quo (n)", lambda s: _skill(s["skill_status_quo"])),
        ("skill vs initial median (n)", lambda s: _skill(s["skill_initial_median"])),
        ("P(deal) Brier (episodes)", lambda s: _deal(s, "brier")),
        ("P(deal) log score", lambda s: _deal(s, "log_score")),
        ("P(zone) Brier", lambda s: _deal(s, "brier_zone")),
    ]
    # more than SUMMARY_ENGINES engines: tables of balanced size, so that the measures'
    # labels keep their width in 80 columns
    count = -(-len(summary) // SUMMARY_ENGINES)
    size = -(-len(summary) // count)
    parts = [summary[i : i + size] for i in range(0, len(summary), size)]
    for k, part in enumerate(parts):
        columns = [Col(""), *(Col(ENGINE_NAMES[s["engine"]], numeric=True) for s in part)]
        rows = [[label, *(cell(s) for s in part)] for label, cell in measures]
        table = fitted(
            columns,
            rows,
            wide=wide,
            title=None
            if k
            else f"All episodes: {n_episodes} episode(s), {n_obs} observed issue outcome(s), "
            f"{len(result.deals)} deal(s) scored. Few: read every number with care.",
            caption=None
            if k < len(parts) - 1
            else "MAE and CRPS: means over the engine's observations, in % of each issue's "
            "scale. Skill = 1 - MAE / MAE of the baseline (1 perfect, 0 no better, below 0 "
            "worse), over the (n) observations the baseline exists for ('-' where the "
            "baseline makes no error). Brier and log score: lower is better; a coin flip "
            "scores 0.250 and 0.693.",
        )
        emit(table, wide=wide)
    prose(
        "Caveat: the episode scenarios were written by people who knew the outcome, so this "
        "measures consistency with the record, not out-of-sample skill (docs/backtest.md)."
    )


__all__ = ["backtest_command"]
