"""``summitry compare``: two scenarios, or one against itself with overrides, side by side."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from summitry.cli.app import app, console, fail
from summitry.cli.limits import check_memory, out_of_memory
from summitry.cli.runs import DEFAULT_DB, DbOption, NoStoreOption, save_and_report, writable_store
from summitry.cli.tables import Col, Dotted, WideOption, emit, fitted, prose
from summitry.jsonready import json_text
from summitry.limits import MAX_SAMPLES

if TYPE_CHECKING:
    from summitry.compare import Difference

COMPARE_MAX_SAMPLES = min(MAX_SAMPLES, 200_000)
"""Bootstrap intervals cost resamples x samples per output: keep a comparison interactive."""


def parse_set(items: list[str]) -> dict[str, Any]:
    """``PATH=VALUE`` pairs; VALUE is read as YAML (a number, a word, or a mapping such as
    ``{dist: uniform, low: 0, high: 1}``)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    yaml = YAML(typ="safe", pure=True)
    out: dict[str, Any] = {}
    for item in items:
        path, sep, text = item.partition("=")
        if not sep or not path.strip() or not text.strip():
            raise ValueError(
                f"--set {item!r}: expected PATH=VALUE, e.g. bargaining.channel=working"
            )
        try:
            out[path.strip()] = yaml.load(text)
        except YAMLError as err:
            problem = str(err).splitlines()[0]
            raise ValueError(f"--set {item!r}: VALUE is not valid YAML ({problem})") from None
    return out


@app.command("compare")
def compare_command(
    a: Annotated[str, typer.Argument(help="A bundled scenario name or a scenario file.")],
    b: Annotated[
        str | None, typer.Argument(help="The second scenario (default: A with the --set changes).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="PATH=VALUE applied to B, e.g. bargaining.channel=working."),
    ] = None,
    samples: Annotated[
        int, typer.Option(min=2, max=COMPARE_MAX_SAMPLES, help="Monte Carlo draws per scenario.")
    ] = 1000,
    seed: Annotated[int, typer.Option(min=0, max=2**63 - 1, help="Random seed.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Show every output, not only those that differ.")
    ] = False,
    engine: Annotated[
        str,
        typer.Option(
            help="Engines to run: eum, smp, bargaining, compromise, nbs, procedural, default "
            "(eum, smp, bargaining) or all."
        ),
    ] = "default",
    no_consent: Annotated[
        bool,
        typer.Option(
            "--without-consent",
            help="B without its issues' consent lists (veto players on an issue).",
        ),
    ] = False,
    db: DbOption = Path(DEFAULT_DB),
    no_store: NoStoreOption = False,
    wide: WideOption = False,
) -> None:
    """Compare every forecast quantity of two scenarios, with bootstrap intervals."""
    from summitry.compare import compare, paired
    from summitry.forecast import forecast
    from summitry.forecasting.registry import resolve
    from summitry.scenario import ScenarioError, load

    try:
        engines = resolve(engine)
    except ValueError as err:
        fail(f"--engine: {err}")
    try:
        overrides = parse_set(set_ or [])
    except ValueError as err:
        fail(str(err))
    if b is None and not overrides and not no_consent:
        fail("compare: give a second scenario B, or --set PATH=VALUE changes to compare A with")
    try:
        sc_a = load(a)
        base = sc_a if b is None else load(b)
        sc_b = base.with_values(overrides) if overrides else base
    except ScenarioError as err:
        fail(str(err).splitlines())
    if no_consent:  # docs/models/bargaining.md, "Issue-specific consent"
        from summitry.forecasting.consent import has_consent, without_consent

        if not has_consent(sc_b):
            fail(f"--without-consent: scenario '{sc_b.name}' names no consenter (issues[].consent)")
        sc_b = without_consent(sc_b)
    request = f"--samples {samples:,}"
    check_memory(
        request,
        lambda m: m.compare_bytes(sc_a, sc_b, samples, stored=not no_store, engines=engines),
        scenarios=[sc_a, sc_b],
    )
    store = None if no_store else writable_store(db)
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        fa = forecast(sc_a, samples, seed, engines=engines)
        fb = forecast(sc_b, samples, seed, engines=engines)
        lead = engine in ("default", "all")  # the integrated forecast first (docs/integrated.md)
        rows = compare(fa, fb, seed=seed, integrated=lead)
    except ValueError as err:
        fail(str(err))
    except MemoryError:
        fail(out_of_memory(request))
    name_b = _label(b or a, overrides) + (" without consent" if no_consent else "")
    deal = {"a": fa.deal_summary(), "b": fb.deal_summary()}
    data = {
        "a": {"scenario": sc_a.name, "title": sc_a.title},
        "b": {"scenario": sc_b.name, "title": sc_b.title, "overrides": overrides}
        | ({"without_consent": True} if no_consent else {}),
        "samples": samples,
        "seed": seed,
        "paired": paired(fa, fb),
        "interval": "90% percentile bootstrap of b - a",
        "outputs": [r.to_dict() for r in rows],
        "p_deal": {
            k: None if v is None else v["private_information"]["p_deal"] for k, v in deal.items()
        },
    }
    if store is not None:
        outputs = {f"a.{k}": v for k, v in fa.outputs().items()}
        outputs |= {f"b.{k}": v for k, v in fb.outputs().items()}
        extra = {"b_scenario": sc_b.to_data(json_safe=True), "overrides": overrides}
        options: dict[str, Any] = {"samples": samples, "b": b, "overrides": overrides}
        if engine != "default":  # the default run's record is as it was before --engine
            options["engines"] = list(engines)
        if no_consent:
            options["without_consent"] = True
        save_and_report(store, db, "compare", sc_a, seed, options, outputs, data, started_at, extra)
    if as_json:
        console.print_json(json_text(data))
        return
    _print(rows, a, name_b, samples, paired(fa, fb), show_all, deal, wide)


def _label(name: str, overrides: dict[str, Any]) -> str:
    if not overrides:
        return name
    return name + " with " + ", ".join(f"{k}={v}" for k, v in overrides.items())


def _fmt(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _excludes_zero(r: Difference) -> bool:
    return r.low is not None and r.high is not None and (r.low > 0 or r.high < 0)


def _differs(r: Difference) -> bool:
    """Worth a row without --all: a nonzero difference, or a value on one side only."""
    return _excludes_zero(r) or bool(r.diff) or (r.a is None) != (r.b is None)


def _counts(r: Difference, samples: int) -> str:
    """``n_a / n_b`` where either is short of all samples, each flagged '!' when few."""
    if r.n_a == samples and r.n_b == samples:
        return ""
    few = r.few(samples, samples)
    cells = [
        f"[bold yellow]{n:,} ![/bold yellow]" if flag else f"{n:,}"
        for n, flag in zip((r.n_a, r.n_b), few, strict=True)
    ]
    return " / ".join(cells)


def _few_warnings(rows: list[Difference], samples: int) -> list[str]:
    """One warning per side whose shown figures rest on fewer than FEW_SAMPLES samples."""
    from summitry.compare import FEW_SAMPLES

    lines = []
    for k, side in enumerate(("A", "B")):
        flagged = [r for r in rows if r.few(samples, samples)[k]]
        if not flagged:
            continue
        counts = sorted({r.n_b if k else r.n_a for r in flagged})
        n = f"{counts[0]:,}" if len(counts) == 1 else f"{counts[0]:,} to {counts[-1]:,}"
        outputs = f"{len(flagged)} output{'s' if len(flagged) > 1 else ''}"
        lines.append(
            f"[bold yellow]Warning:[/bold yellow] {side}'s figures marked '!' ({outputs}) rest "
            f"on only {n} of {samples:,} samples (fewer than {FEW_SAMPLES}): their medians "
            "and intervals are not reliable; raise --samples for more."
        )
    return lines


COMPARE_COLUMNS = (
    Col("Output"),
    Col("A", numeric=True),
    Col("B", numeric=True),
    Col("B - A", numeric=True),
    Col("90% interval", numeric=True, drop=2),
    Col("Samples\nA / B", numeric=True, drop=1),
)
"""The comparison table; on a narrow terminal the columns with ``drop`` go in that order
(docs/cli.md); "Samples A / B" is left out when every figure rests on all samples."""


def _print(
    rows: list[Difference],
    a: str,
    b: str,
    samples: int,
    pair: bool,
    show_all: bool,
    deal: dict[str, Any],
    wide: bool,
) -> None:
    from rich import box

    from summitry.compare import FEW_SAMPLES

    kind = "paired" if pair else "independent"
    shown = [r for r in rows if show_all or _differs(r)]
    counts = [_counts(r, samples) for r in shown]
    caption = (
        "median over samples; mean (a probability) for 0/1 outputs such as "
        "bargaining.zopa; '*' marks an interval that excludes 0."
    )
    columns = list(COMPARE_COLUMNS)
    if any(counts):
        caption += (
            " Samples A / B: how many samples a figure rests on, where not all (deal terms "
            "and surpluses exist only in samples with a zone of agreement); '!' marks fewer "
            f"than {FEW_SAMPLES}."
        )
    else:
        columns.pop()
    cells = []
    for r, n in zip(shown, counts, strict=True):
        interval = "-" if r.low is None else f"[{r.low:.2f}, {r.high:.2f}]"
        mark = " *" if _excludes_zero(r) else ""
        row = [Dotted(r.output), _fmt(r.a), _fmt(r.b), _fmt(r.diff) + mark, escape(interval), n]
        cells.append(row[: len(columns)])
    table = fitted(
        columns,
        cells,
        wide=wide,
        box=box.HEAVY_HEAD,  # rules between the columns: names may wrap over lines
        show_edge=True,
        pad_edge=True,
        title=escape(
            f"A: {a}\nB: {b}\n{samples:,} samples each, {kind} 90% bootstrap interval of B - A"
        ),
        caption=caption,
    )
    emit(table, wide=wide)
    for line in _few_warnings(shown, samples):
        prose(line, markup=True)
    pd = {k: None if v is None else v["private_information"]["p_deal"] for k, v in deal.items()}
    if any(v is not None for v in pd.values()):
        prose(
            f"A's own estimate that its offer is accepted (private information, its side at "
            f"central values): A {_fmt(pd['a'])}, B {_fmt(pd['b'])} (one offer per run; no "
            "interval). integrated.deal is P(deal) judged with every party's drawn inputs "
            "(docs/integrated.md)."
        )


__all__ = ["compare_command", "parse_set"]
